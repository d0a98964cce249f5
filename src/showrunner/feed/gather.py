"""The show folder -> feed facts: artwork, enclosures, transcripts, chapters, notes, people.

Reads only; `publish` decides which episodes go in and writes everything.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from markdown_it import MarkdownIt

from .. import chapters as chapters_file
from .. import layout
from ..errors import AudioError, FeedError
from ..layout import CHAPTERS_FILE, EPISODE_FILE, NOTES_FILE, PAGE_FILE, SHOW_FILE
from ..model import Chapter, Episode, Guest, Show
from ..podcast_tags import prefixed
from .build import Channel, Item
from .podcast20 import Person, TranscriptLink
from .soundbite import read_soundbite
from .spec import (
    ARTWORK_MAX_PX,
    ARTWORK_MIN_PX,
    ARTWORK_SUFFIXES,
    CATEGORIES,
    DESCRIPTION_MAX_BYTES,
    MEDIA_ENCLOSURES,
)

_FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n---\s*\n", re.S)
_DETAILS = re.compile(r"<details\b.*?</details>", re.S | re.I)
_HEADING1 = re.compile(r"\A\s*# [^\n]*\n")


@dataclass(frozen=True)
class Enclosure:
    """The file listeners download, with what the feed says about it."""

    path: Path
    length: int
    mime: str
    duration: int
    url: str | None = None  # where it is served, when not beside the page (an imported episode)


# ---------------------------------------------------------------- channel


def check_artwork(show: Show) -> Path:
    """The show's artwork file, if Apple would take it: .jpg/.png, 1400–3000 px square, RGB."""
    show_yaml = show.root / SHOW_FILE
    fix = "use a square RGB JPEG or PNG of 1400 to 3000 px, named *.jpg or *.png"
    path = show.artwork
    if path is None:
        raise FeedError("no 'artwork:' set; Apple Podcasts requires show artwork", path=show_yaml,
                        hint=f"add 'artwork: artwork.jpg' and {fix}")
    if path.suffix not in ARTWORK_SUFFIXES:
        raise FeedError(f"artwork '{path.name}' must end in .jpg or .png (apps ignore other "
                        "names, .jpeg included)", path=show_yaml, hint=f"rename the file; {fix}")
    if not path.is_file():
        raise FeedError(f"artwork '{path.name}' not found", path=path, hint=f"add the file; {fix}")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            kind, mode, (width, height) = image.format, image.mode, image.size
    except (OSError, UnidentifiedImageError) as exc:
        raise FeedError("artwork is not a readable image", path=path, hint=fix) from exc
    problem = None
    if kind != {".jpg": "JPEG", ".png": "PNG"}[path.suffix]:
        problem = f"is a {kind} image named {path.suffix}"
    elif width != height:
        problem = f"is {width}×{height} px, not square"
    elif not ARTWORK_MIN_PX <= width <= ARTWORK_MAX_PX:
        problem = f"is {width} px square, outside {ARTWORK_MIN_PX}–{ARTWORK_MAX_PX} px"
    elif mode != "RGB":
        problem = f"is in {mode} colour mode, not RGB"
    if problem:
        raise FeedError(f"artwork {problem}", path=path, hint=fix)
    return path


def artwork_url(show: Show, artwork: Path) -> str:
    """Where the artwork is served: beside the feed, under its own file name."""
    return layout.base_url(show) + quote(artwork.name)


def channel_facts(show: Show, *, podcast_guid: str, artwork: str, version: str = "") -> Channel:
    """The <channel> facts; an unknown Apple category is a one-line error naming show.yaml."""
    show_yaml = show.root / SHOW_FILE
    if show.category not in CATEGORIES:
        raise FeedError(f"category '{show.category}' is not in Apple's list", path=show_yaml,
                        hint="use one of: " + ", ".join(CATEGORIES))
    if show.subcategory and show.subcategory not in CATEGORIES[show.category]:
        allowed = ", ".join(CATEGORIES[show.category]) or "none"
        raise FeedError(f"subcategory '{show.subcategory}' is not one of {show.category}'s",
                        path=show_yaml, hint=f"use one of: {allowed}")
    return Channel(
        title=show.title, description_html=_paragraphs(show.description), website=show.website,
        feed_url=show.feed_url, language=show.language, author=show.author,
        owner_name=show.owner_name, owner_email=show.owner_email, artwork_url=artwork,
        category=show.category, subcategory=show.subcategory, explicit=show.explicit,
        show_type=show.show_type, locked=show.locked, podcast_guid=podcast_guid,
        hosts=tuple(Person(h.name, "host", h.linkedin) for h in show.hosts),
        copyright=show.copyright, version=version, tags=show.tags,
        funding=tuple((c.text, c.url) for c in (*show.calls_to_action,
                                                *show.closing_calls_to_action) if c.funding))


# ---------------------------------------------------------------- items


def enclosure(episode: Episode,
              duration: Callable[[Path, os.stat_result], int] | None = None) -> Enclosure:
    """The episode's published audio with its byte length, type and duration in seconds
    (`duration(audio, stat)` may answer from a cache; by default the file is parsed).

    An imported episode keeps its old enclosure (URL, length, type) until its audio is
    re-produced (mastered into `<id>.mp3`): a new URL would make apps download it again."""
    kept = episode.imported.enclosure if episode.imported else None
    if kept is not None and episode.imported and not layout.mastered_audio(episode).is_file():
        return Enclosure(episode.folder, kept.length, kept.type, episode.imported.duration,
                         kept.url)
    audio = layout.published_audio(episode)
    episode_yaml = episode.folder / EPISODE_FILE
    if audio is None:
        named = f"'{episode.audio}' is missing" if episode.audio else "no 'audio:' is set"
        raise FeedError(f"released episode has no audio to publish ({named})", path=episode_yaml,
                        hint="put the episode's MP3 in its folder and name it in 'audio:'")
    mime = MEDIA_ENCLOSURES.get(audio.suffix.lower())
    if mime is None:
        raise FeedError(f"'{audio.name}' is not a format podcast apps accept",
                        path=episode_yaml, hint=f"publish an MP3 or M4A (e.g. ffmpeg -i {audio.name} "
                                                f"{episode.id}.mp3) and name it in 'audio:'")
    stat = audio.stat()
    if stat.st_size == 0:
        raise AudioError("audio file is empty", path=audio, hint="export the episode again")
    seconds = duration(audio, stat) if duration is not None else audio_duration(audio)
    return Enclosure(audio, stat.st_size, mime, seconds)


def audio_duration(audio: Path) -> int:
    """An MP3's or M4A's playing time in whole seconds (at least 1), from its headers."""
    import mutagen
    from mutagen.mp3 import MP3
    from mutagen.mp4 import MP4

    # Opened by extension: mutagen.File() would score every format it knows for each file.
    kind = MP3 if audio.suffix.lower() == ".mp3" else MP4
    try:
        parsed = kind(audio)
    except (mutagen.MutagenError, OSError) as exc:
        raise AudioError(f"cannot read the audio: {exc}", path=audio,
                         hint="export the episode again as MP3") from exc
    length = getattr(getattr(parsed, "info", None), "length", 0) or 0
    if length <= 0:
        raise AudioError("not a playable audio file (no duration found)", path=audio,
                         hint="export the episode again as MP3")
    return max(1, round(length))


def transcripts(show: Show, episode: Episode) -> tuple[TranscriptLink, ...]:
    """The transcript files present in the episode folder, VTT first; else an imported
    episode's old links."""
    own = tuple(TranscriptLink(layout.episode_url(show, episode, f.file), f.mime, f.captions)
                for f in layout.TRANSCRIPT_FORMATS
                if f.in_feed and (episode.folder / f.file).is_file())
    if own or episode.imported is None:
        return own
    return tuple(TranscriptLink(t.url, t.type, t.rel == "captions")
                 for t in episode.imported.transcripts)


def chapters_url(show: Show, episode: Episode) -> str | None:
    if (episode.folder / CHAPTERS_FILE).is_file():
        return layout.episode_url(show, episode, CHAPTERS_FILE)
    imported = episode.imported.chapters if episode.imported else None
    return imported.url if imported else None


def persons(show: Show, guests: tuple[Guest, ...]) -> tuple[Person, ...]:
    """Item people: item persons replace the channel's, so the hosts are restated."""
    return (*(Person(h.name, "host", h.linkedin) for h in show.hosts),
            *(Person(g.name, "guest", g.linkedin) for g in guests))


def item_title(episode: Episode) -> str:
    """The title as Apple wants it: no leading episode number ("E12: ", "Episode 12 - ")."""
    if episode.number is None:
        return episode.title.strip()
    prefix = re.compile(rf"^\s*(?:(?:e|ep\.?|episode|#)\s*0*{episode.number}|0*{episode.number}"
                        r")\s*[:.|\-–—]\s*", re.I)
    return prefix.sub("", episode.title, count=1).strip() or episode.title.strip()


def release_moment(date: dt.date) -> dt.datetime:
    """An episode dated D is released at 00:00 UTC on D."""
    return dt.datetime.combine(date, dt.time(0), tzinfo=dt.UTC)


def published_moment(episode: Episode) -> dt.datetime | None:
    """The item's pubDate: an imported episode's old one, to the second; else its date's."""
    if episode.imported is not None:
        return episode.imported.published
    return release_moment(episode.date) if episode.date is not None else None


def episode_chapters(episode: Episode) -> tuple[chapters_file.NotesChapters | None,
                                                 tuple[Chapter, ...]]:
    """notes.md's chapter list (a broken one is a one-line error naming its line), and the
    chapters in force: that list, else chapters.json's."""
    listed = chapters_file.notes_chapters(episode.folder / NOTES_FILE)
    if listed is not None:
        return listed, listed.chapters
    return None, chapters_file.load(episode.folder / CHAPTERS_FILE)


def item_facts(show: Show, episode: Episode, media: Enclosure, *, guid: str,
               guests: tuple[Guest, ...], season_tag: tuple[int, str | None] | None,
               render: Callable[[str], str] | None = None) -> Item:
    """The <item> facts for one published episode (`episode.date` must be set); `render`
    turns notes Markdown into HTML (default: `render_markdown`)."""
    published = published_moment(episode)
    assert published is not None
    page = layout.episode_dir(show, episode) / PAGE_FILE
    link = layout.episode_url(show, episode) if page.is_file() else None
    series = episode.series
    listed, chapters = episode_chapters(episode)
    return Item(
        guid=guid, title=item_title(episode), published=published,
        # Only the feed's enclosure goes through the analytics prefix: the files in public/
        # and the page's links stay as they are.
        enclosure_url=prefixed(show.tags.analytics_prefix,
                               media.url or layout.episode_url(show, episode, media.path.name)),
        enclosure_length=media.length, enclosure_type=media.mime, duration=media.duration,
        description_html=notes_html(episode, link or show.website, chapters, listed,
                                    render or render_markdown),
        link=link, number=episode.number, season=episode.season,
        episode_type=episode.episode_type,
        explicit=show.explicit if episode.explicit is None else episode.explicit,
        transcripts=transcripts(show, episode), chapters_url=chapters_url(show, episode),
        persons=persons(show, guests), season_tag=season_tag,
        episode_display=f"Part {series.part} of {series.of}" if series else None,
        tags=episode.tags, soundbite=read_soundbite(episode, media.duration),
        chapters=chapters)


# ---------------------------------------------------------------- notes


def notes_html(episode: Episode, more_url: str, chapters: tuple[Chapter, ...] = (),
               listed: chapters_file.NotesChapters | None = None,
               render: Callable[[str], str] | None = None) -> str:
    """The episode's notes as HTML within Apple's 4000 bytes: notes.md without its front
    matter, title heading and transcript block, its chapter section written as the lines Apple
    and Spotify read (one `<p>` per chapter; kept whatever else must go); else the hook, else
    the title. Chapters from chapters.json (a notes.md with no section) go last."""
    notes = episode.folder / NOTES_FILE
    listing = chapters_file.description_html(chapters) \
        if chapters_file.follows_app_rules(chapters) else ""
    if notes.is_file():
        lines = notes.read_text(encoding="utf-8", errors="replace").split("\n")
        cut = (listed.heading - 1, listed.end) if listed else (len(lines), len(lines))
        before = _FRONT_MATTER.sub("", "\n".join(lines[:cut[0]]), count=1)
        before = _HEADING1.sub("", _DETAILS.sub("", before), count=1)
        after = _DETAILS.sub("", "\n".join(lines[cut[1]:]))
        render = render or render_markdown
        parts = (render(before).strip() if before.strip() else "",
                 render(after).strip() if after.strip() else "")
        if any(parts):
            return _fit(parts, listing, more_url)
    return _paragraphs(episode.hook or item_title(episode)) + listing


def render_markdown(markdown: str) -> str:
    """Notes Markdown as HTML: CommonMark, raw HTML shown as text."""
    return _markdown().render(markdown)


@functools.cache
def _markdown() -> MarkdownIt:
    # html off: raw HTML a host types is shown as text, never injected into apps' players.
    return MarkdownIt("commonmark", {"html": False})


def _paragraphs(text: str) -> str:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "".join(f"<p>{html.escape(' '.join(p.split()))}</p>" for p in paragraphs)


def _fit(parts: tuple[str, str], listing: str, more_url: str) -> str:
    """The notes before the chapter list, the list, the notes after it; when that is over
    Apple's limit, whole trailing blocks of the notes are dropped (never the list) and a link
    to the full page ends the description."""
    whole = parts[0] + listing + parts[1]
    if len(whole.encode("utf-8")) <= DESCRIPTION_MAX_BYTES:
        return whole
    from lxml import html as lxml_html

    more = f'<p><a href="{html.escape(more_url)}">Read the full show notes</a></p>'
    budget = DESCRIPTION_MAX_BYTES - len(more.encode("utf-8")) - len(listing.encode("utf-8"))
    kept: tuple[list[str], list[str]] = ([], [])
    for side, part in enumerate(parts):
        for element in lxml_html.fragments_fromstring(part) if part else ():
            if isinstance(element, str):
                continue
            block = lxml_html.tostring(element, encoding="unicode", method="html")
            budget -= len(block.encode("utf-8"))
            if budget < 0:
                return "".join(kept[0]) + listing + "".join(kept[1]) + more
            kept[side].append(block)
    return "".join(kept[0]) + listing + "".join(kept[1]) + more
