"""`showrunner feed`: every released episode -> public/feed.xml, validated, replaced atomically.

Order (each step only after the one before succeeded):
  1. context: choose the episodes, read their media and notes, build the XML in memory;
  2. validate the new XML: any error aborts here, and nothing on disk has changed;
  3. publish media and artwork into public/ (first bringing chapters.json and the mastered
     MP3's ID3 chapters in line with the chapter list in notes.md), then store newly assigned
     guids, dates and the show's podcast:guid in the YAML files (so the feed never names an id
     that is not kept);
  4. replace public/feed.xml atomically, last: a build killed before this leaves the old feed.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from .. import atomic, config, layout
from .. import chapters as chapters_file
from ..audio import retag_chapters
from ..errors import ConfigError, FeedError
from ..layout import DURATIONS_CACHE, EPISODE_FILE, NOTES_HTML_CACHE, SHOW_FILE
from ..model import Episode, Show
from . import gather
from .build import Item, build_xml
from .memo import MeasuredDurations, RenderedNotes
from .spec import podcast_guid_for
from .validate import Report, validate_feed_bytes


@dataclass(frozen=True)
class FeedResult:
    """What `publish_feed` did: the feed's path, which episodes went in and which wait."""

    path: Path
    included: tuple[str, ...]
    held_back: tuple[tuple[str, dt.date], ...]
    drafts: tuple[str, ...]
    warnings: tuple[str, ...]
    changed: bool

    @property
    def summary(self) -> str:
        parts = [f"{self.path}: {len(self.included)} episode(s)"
                 + ("" if self.changed else " (unchanged)")]
        if self.held_back:
            parts.append("held back until their date: "
                         + ", ".join(f"{eid} ({day.isoformat()})" for eid, day in self.held_back))
        if self.drafts:
            parts.append("not released: " + ", ".join(self.drafts))
        if self.warnings:
            parts.append(f"{len(self.warnings)} warning(s)")
        return "; ".join(parts)


@dataclass(frozen=True)
class _Plan:
    episodes: tuple[Episode, ...]
    held_back: tuple[tuple[str, dt.date], ...]
    drafts: tuple[str, ...]


def publish_feed(show: Show, *, now: dt.datetime | None = None, quiet: bool = False) -> FeedResult:
    """Build, validate and atomically publish public/feed.xml as of `now` (default: now).

    A naive `now` is local time. Nothing is printed (`quiet` is accepted for the CLI's sake)."""
    moment = _aware(now)
    artwork = gather.check_artwork(show)
    plan = _plan(show, config.list_episodes(show), moment)
    episodes = tuple(_with_ids(episode, moment) for episode in plan.episodes)
    _refuse_shared_guids(episodes)
    podcast_guid = _podcast_guid(show)
    channel = gather.channel_facts(show, podcast_guid=podcast_guid,
                                   artwork=gather.artwork_url(show, artwork), version=_version())
    rendered = RenderedNotes(show.root / NOTES_HTML_CACHE, gather.render_markdown)
    durations = MeasuredDurations(show.root / DURATIONS_CACHE, gather.audio_duration)
    xml = build_xml(channel, _items(show, episodes, rendered.render, durations.duration))
    path = layout.feed_path(show)
    report = validate_feed_bytes(xml, source=str(path))
    if report.errors:
        raise _rejected(report, path)
    # A build killed mid-write left a hidden temp file; it never passes for the feed, and is
    # removed once its writer is gone.
    atomic.sweep_stale(path.parent)
    _publish_files(show, episodes, artwork)
    _store_ids(show, plan.episodes, episodes, podcast_guid)
    changed = not (path.is_file() and path.read_bytes() == xml)
    if changed:
        atomic.write_bytes(path, xml)
    rendered.save()
    durations.save()
    return FeedResult(path, tuple(e.id for e in episodes), plan.held_back, plan.drafts,
                      tuple(f.line() for f in report.warnings), changed)


def _aware(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        return dt.datetime.now(dt.UTC)
    return now if now.tzinfo is not None else now.astimezone()


def _plan(show: Show, episodes: list[Episode], moment: dt.datetime) -> _Plan:
    chosen, held, drafts = [], [], []
    sources = {episode.source for episode in episodes if episode.source}
    for episode in episodes:
        if episode.id in sources or _split_into_parts(show, episode):
            continue  # the parts are the published episodes
        if not episode.released:
            drafts.append(episode.id)
        elif (when := gather.published_moment(episode)) is not None and when > moment:
            held.append((episode.id, when.date()))
        else:
            chosen.append(episode)
    return _Plan(tuple(chosen), tuple(held), tuple(drafts))


def _split_into_parts(show: Show, episode: Episode) -> bool:
    return bool(episode.parts) and any(
        layout.has_part(show, episode.id, k) for k in range(1, (episode.parts or 0) + 1))


def _with_ids(episode: Episode, moment: dt.datetime) -> Episode:
    # Assigned once, at first publication, then read back from episode.yaml forever: a random
    # UUID depends on nothing that can be renamed (title, folder, audio file, feed URL).
    return replace(episode, guid=episode.guid or str(uuid.uuid4()),
                   date=episode.date or moment.astimezone(dt.UTC).date())


def _refuse_shared_guids(episodes: tuple[Episode, ...]) -> None:
    owners: dict[str, Episode] = {}
    for episode in episodes:
        first = owners.setdefault(episode.guid or "", episode)
        if first is not episode:
            raise ConfigError(f"guid {episode.guid} is also the guid of episode '{first.id}' "
                              "(was the folder copied?)", path=episode.folder / EPISODE_FILE,
                              hint="delete the 'guid:' line of the episode that has never been "
                                   "published; a new one is assigned on the next feed build")


def _podcast_guid(show: Show) -> str:
    if show.podcast_guid is None:
        return podcast_guid_for(show.feed_url)
    try:
        return str(uuid.UUID(show.podcast_guid))
    except ValueError:
        raise ConfigError(f"'podcast_guid' {show.podcast_guid!r} is not a UUID",
                          path=show.root / SHOW_FILE,
                          hint="restore the value the feed was first published with, or delete "
                               "the line to derive it from feed_url (only for a new show)") from None


def _items(show: Show, episodes: tuple[Episode, ...],
           render: Callable[[str], str] | None = None,
           duration: Callable[[Path, os.stat_result], int] | None = None) -> list[Item]:
    seasons: dict[str, int] = {}
    items = []
    for episode in episodes:
        items.append(gather.item_facts(
            show, episode, gather.enclosure(episode, duration), guid=episode.guid or "",
            guests=episode.guests,
            season_tag=_season_tag(episode, seasons), render=render))
    return items


def _season_tag(episode: Episode, seasons: dict[str, int]) -> tuple[int, str | None] | None:
    # A multi-part series is a podcast:season named after it; its number is the episode's
    # own season if set, else the series' place among the show's series (stable: new series
    # come later).
    series = episode.series
    if series is None:
        return (episode.season, None) if episode.season else None
    number = seasons.setdefault(series.name, len(seasons) + 1)
    return (episode.season or number, series.name)


def _rejected(report: Report, path: Path) -> FeedError:
    first, more = report.errors[0], len(report.errors) - 1
    extra = f" (and {more} more error(s))" if more else ""
    return FeedError(f"the new feed fails validation: {first.message}{extra}", path=path,
                     hint="fix the cause; the previous feed was left as it was")


def _publish_files(show: Show, episodes: tuple[Episode, ...], artwork: Path) -> None:
    for episode in episodes:
        _apply_chapters(episode)
        layout.publish_media(show, episode)
    target = show.public / artwork.name
    data = artwork.read_bytes()
    if not (target.is_file() and target.read_bytes() == data):
        atomic.write_bytes(target, data)


def _apply_chapters(episode: Episode) -> None:
    # notes.md's list (checked while the feed was built) reaches chapters.json and the mastered
    # MP3's ID3 chapters before they are published, even when `render` has not run since an
    # edit; the MP3 is retagged, not encoded again.
    listed = chapters_file.notes_chapters(episode.folder / layout.NOTES_FILE)
    if listed is None:
        return
    chapters_file.save_if_changed(episode.folder / layout.CHAPTERS_FILE, listed.chapters)
    mastered = layout.mastered_audio(episode)
    if mastered.is_file():
        retag_chapters(mastered, listed.chapters)


def _store_ids(show: Show, before: tuple[Episode, ...], after: tuple[Episode, ...],
               podcast_guid: str) -> None:
    for old, new in zip(before, after, strict=True):
        changes = {key: getattr(new, key) for key in ("guid", "date")
                   if getattr(old, key) is None}
        if changes:
            config.update_yaml(old.folder / EPISODE_FILE, changes)
    if show.podcast_guid is None:
        config.update_yaml(show.root / SHOW_FILE, {"podcast_guid": podcast_guid})


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("showrunner")
    except PackageNotFoundError:
        return ""
