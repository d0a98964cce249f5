"""`showrunner episode`: every stage for one episode, in order, skipping what is up to date.

Order (each stage reads what the one before wrote):
  transcribe -> split (when episode.yaml asks for parts) -> master (a single episode's MP3)
  -> notes -> render, for the episode or for each of its parts -> feed (once, for the show)
  -> the home page and sitemap (render_site, with the episodes the feed published).

A stage is skipped when the digest of its inputs (content hashes of audio, settings, templates
and YAML, never file times alone) equals the one recorded in the episode's state file after
its last successful run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import atomic, audio, layout, notes, render, split, tidy, transcribe, transcripts
from . import chapters as chapters_file
from .config import load_episode
from .digest import inputs_digest
from .layout import (
    LOCK_FILE,
    STATE_FILE,
    TRANSCRIPT_JSON,
)
from .model import Episode, Show


def run_episode(show: Show, episode_id: str, *, force: bool = False, feed: bool = True,
                quiet: bool = False, now: dt.datetime | None = None,
                engine: Any = None) -> Iterator[str]:
    """Run the stages for `episode_id`; yield one line per stage saying what it did or skipped.

    `now` is the moment the feed is published as of (default: the clock); `engine` is a
    speech engine already loaded for the show's settings (a catalogue worker's)."""
    episode = load_episode(show, episode_id)
    for folder in (episode.folder, show.public, show.root):
        atomic.sweep_stale(folder)
    if episode.source:
        # A split part: its audio and transcript were made by splitting its source episode.
        yield f"transcribe {episode.id}: part of {episode.source}, made by split"
    for step in _steps(show, episode, force, quiet, engine):
        yield _stage(step.episode, step.name, step.inputs(), force, step.work,
                     step.inputs if step.settles else None)
    if feed:
        published, site = publish_show(show, now=now, quiet=quiet)
        yield f"feed: {published.summary}; {site.summary}"


def publish_show(show: Show, *, now: dt.datetime | None, quiet: bool) -> tuple[Any, Any]:
    """The feed, then the home page and sitemap, under the show lock: (feed, site) results."""
    from .feed import publish_feed

    with show_lock(show):
        published = publish_feed(show, now=now, quiet=quiet)
        # The home page and sitemap list what the feed just published, as of the same now.
        return published, render.render_site(show, published.included)


def is_up_to_date(show: Show, episode_id: str) -> bool:
    """True when `run_episode` would skip every stage: each one's inputs digest to what its
    last run recorded. Reads and hashes; runs nothing."""
    episode = load_episode(show, episode_id)
    for step in _steps(show, episode, False, True, None):
        if _read_state(step.episode.folder).get(step.name) != inputs_digest(step.inputs()):
            return False
    return True


@dataclass(frozen=True)
class _Step:
    episode: Episode
    name: str
    inputs: Callable[[], Iterable[Any]]
    work: Callable[[], str]
    # The work changes some of its own inputs: its digest is taken as it left them.
    settles: bool = False


def _steps(show: Show, episode: Episode, force: bool, quiet: bool,
           engine: Any) -> Iterator[_Step]:
    """The stages in order. Lazy: the parts are looked up after the split step has run."""
    if not episode.source:
        yield _Step(episode, "transcribe", lambda: transcribe.stage_inputs(show, episode),
                    lambda: _transcribe(show, episode, force, quiet, engine))
        if episode.parts:
            yield _Step(episode, "split", lambda: split.stage_inputs(show, episode),
                        lambda: _split(show, episode, quiet))
        elif episode.imported is not None:
            # An imported episode keeps the audio its old feed published: a new MP3 would
            # change its enclosure and make every app download it again.
            pass
        else:
            yield _Step(episode, "master",
                        lambda: [*audio.stage_inputs(show, episode), *tidy.edit_inputs(episode)],
                        lambda: _master(show, episode))
    for each in _parts_of(show, episode) if episode.parts and not episode.source else [episode]:
        yield _Step(each, "notes", functools.partial(notes.stage_inputs, show, each),
                    functools.partial(_notes, show, each, quiet))
        # render brings chapters.json and the MP3's ID3 chapters, inputs of its own, in line
        # with notes.md: its digest is taken as it left them, or the next run redoes it.
        yield _Step(each, "render", functools.partial(render.stage_inputs, show, each),
                    functools.partial(_render, show, each), settles=True)


# ---------------------------------------------------------------- the stages


def _transcribe(show: Show, episode: Episode, force: bool, quiet: bool, engine: Any) -> str:
    done = transcribe.transcribe_episode(show, episode, overrides={}, force=force, quiet=quiet,
                                         engine=engine)
    return str(done.summary)


def _split(show: Show, episode: Episode, quiet: bool) -> str:
    # Part numbers come from the show's next free number: one split at a time per show.
    with show_lock(show):
        result = split.split_episode(show, episode, parts=episode.parts, max_minutes=None,
                                     first_number=episode.number, first_date=episode.date,
                                     dry_run=False, force=True, quiet=quiet)
    return str(result.summary)


def _master(show: Show, episode: Episode) -> str:
    source = episode.audio_path
    if source is None or not source.is_file():
        return "no audio to master"
    # The host's list in notes.md, already timed to the MP3, else chapters drafted from the
    # transcript (timed on the recording, so moved past the intro); chapters.json is then
    # written timed to the MP3, as the ID3 chapters are.
    # The cuts the host did not keep in cuts.yaml go from the audio, and the drafted chapters
    # are timed to what is left.
    listed = chapters_file.notes_chapters(episode.folder / layout.NOTES_FILE)
    edit: tidy.Edit | None = None
    recording: Path | audio.Pcm = source
    if tidy.cuts_to_apply(episode):  # decoded once: the edit is snapped on what it cuts
        decoded = audio.decode_to_disk(source, rate=show.audio.sample_rate,
                                       channels=show.audio.channels, folder=episode.folder)
        edit = tidy.episode_edit(show, episode, decoded)
        recording = edit.audio(decoded, episode.folder) if edit is not None else decoded
    transcript_path = episode.folder / TRANSCRIPT_JSON
    transcript = transcripts.load(transcript_path) if transcript_path.is_file() else None
    if transcript is not None and edit is not None:
        transcript = edit.transcript(transcript)
    chapters = listed.chapters if listed else notes.draft_chapters(
        show, episode, transcript) if transcript is not None else ()
    mastered = audio.master_episode(show, episode, recording, layout.mastered_audio(episode),
                                    chapters=chapters,
                                    chapters_from="output" if listed else "source")
    chapters_file.save(episode.folder / layout.CHAPTERS_FILE, mastered.chapters)
    if transcript is not None:
        # What apps and the page show is timed to the MP3: past the intro, without the cuts.
        # transcript.json stays timed to the recording, as tidy and notes read it.
        transcripts.write_published(transcripts.shifted(transcript, mastered.offset),
                                    episode.folder)
    cut = f"; {len(edit.spans)} cut(s) from cuts.yaml took out {edit.saved:.1f} s" if edit else ""
    return str(mastered.summary) + cut


def _notes(show: Show, episode: Episode, quiet: bool) -> str:
    return str(notes.write_notes(show, episode, force=False, quiet=quiet).summary)


def _render(show: Show, episode: Episode) -> str:
    return str(render.render_episode(show, episode).summary)


def _parts_of(show: Show, episode: Episode) -> list[Episode]:
    count = episode.parts or 0
    return [load_episode(show, layout.part_id(episode.id, k)) for k in range(1, count + 1)
            if layout.has_part(show, episode.id, k)]


# ---------------------------------------------------------------- digests and state


def _stage(episode: Episode, name: str, inputs: Iterable[Any], force: bool,
           work: Callable[[], str], settled: Callable[[], Iterable[Any]] | None = None) -> str:
    digest = inputs_digest(inputs)
    state = _read_state(episode.folder)
    if not force and state.get(name) == digest:
        return f"{name} {episode.id}: up to date, skipped"
    outcome = work()
    if settled is not None:  # the stage changed some of its inputs: record them as it left them
        digest = inputs_digest(settled())
    # Recorded after the work, from the inputs as they were before it: an interrupted stage
    # leaves the old digest, so the next run redoes it.
    state = _read_state(episode.folder)
    state[name] = digest
    atomic.write_text(episode.folder / STATE_FILE, json.dumps(state, indent=1, sort_keys=True))
    return f"{name} {episode.id}: {outcome.removeprefix(f'{episode.id}: ')}"


def _read_state(folder: Path) -> dict[str, str]:
    try:
        return dict(json.loads((folder / STATE_FILE).read_text()))
    except (OSError, ValueError):
        return {}


@contextlib.contextmanager
def show_lock(show: Show) -> Iterator[None]:
    """An exclusive lock on the show, for work that two `make -j` processes must not interleave."""
    path = show.root / LOCK_FILE
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
