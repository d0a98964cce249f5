"""The layout of a show folder and of public/: every file name and URL, in one place.

    show.yaml
    episodes/<id>/episode.yaml              the episode (a split part is episodes/<id>-<k>/)
    episodes/<id>/<id>.mp3                  the mastered audio listeners download
    episodes/<id>/transcript.json           the transcript; the formats below derive from it
    episodes/<id>/chapters.json             the chapters (Podcasting 2.0 JSON)
    episodes/<id>/notes.md                  the host's notes (notes.draft.md when one exists)
    public/index.html                        the show's home page (render, with the feed)
    public/sitemap.xml                       the home page and every released episode page
    public/feed.xml
    public/<artwork>                         the show's artwork, under its own name
    public/guests/<slug>.<ext>               a guest's photo, shown on the guest's episode pages
    public/episodes/<id>/index.html          the episode page (render)
    public/episodes/<id>/<audio>.mp3         the enclosure
    public/episodes/<id>/transcript.*        every transcript format
    public/episodes/<id>/chapters.json

Every other module asks this one; none spells these names itself.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from . import atomic
from .model import Episode, Guest, Show

SHOW_FILE = "show.yaml"
EPISODE_FILE = "episode.yaml"
TRANSCRIPT_JSON = "transcript.json"
MIXED_AUDIO = "mixed.wav"  # a multitrack episode's tracks, aligned, levelled and mixed
CHAPTERS_FILE = "chapters.json"
NOTES_FILE = "notes.md"
CUTS_FILE = "cuts.yaml"  # tidy's edit list, which the host may change
NOTES_DRAFT_FILE = "notes.draft.md"
NOTES_RECORD_FILE = ".notes.sha256"  # the hash of the notes.md showrunner last wrote
STATE_FILE = ".showrunner-state.json"  # the digests of each stage's inputs
NOTES_HTML_CACHE = ".showrunner-notes-html.json"  # notes Markdown the feed rendered, by hash
DURATIONS_CACHE = ".showrunner-durations.json"  # audio durations the feed read, by size and mtime
LOCK_FILE = ".showrunner.lock"
FEED_FILE = "feed.xml"
PAGE_FILE = "index.html"
SITEMAP_FILE = "sitemap.xml"
GUESTS_PUBLIC_DIR = "guests"


@dataclass(frozen=True)
class TranscriptFormat:
    """One transcript format: its short kind, file name, MIME type, the label a page shows, whether it carries
    timecodes (rel="captions" in the feed), whether the feed lists it, and whether it is
    meant to be read by a person (pages list those first)."""

    kind: str
    file: str
    mime: str
    label: str
    captions: bool
    in_feed: bool
    for_reading: bool


# In the order the feed lists them: VTT first, since Apple ingests VTT.
TRANSCRIPT_FORMATS: tuple[TranscriptFormat, ...] = (
    TranscriptFormat("vtt", "transcript.vtt", "text/vtt", "WebVTT", True, True, False),
    TranscriptFormat("srt", "transcript.srt", "application/x-subrip", "SRT", True, True, False),
    TranscriptFormat("pc20", "transcript.pc20.json", "application/json",
                     "JSON (Podcasting 2.0)", False, True, False),
    TranscriptFormat("html", "transcript.html", "text/html", "HTML", False, True, True),
    TranscriptFormat("txt", "transcript.txt", "text/plain", "Text", False, False, True),
)
TRANSCRIPT_FILES = tuple(f.file for f in TRANSCRIPT_FORMATS)


def part_id(source_id: str, part: int) -> str:
    """The id of part `part` (from 1) of a split episode: `E58` -> `E58-2`."""
    return f"{source_id}-{part}"


def part_folder(show: Show, source_id: str, part: int) -> Path:
    return show.episodes_dir / part_id(source_id, part)


def has_part(show: Show, source_id: str, part: int) -> bool:
    """Whether part `part` of `source_id` exists (its episode.yaml is there)."""
    return (part_folder(show, source_id, part) / EPISODE_FILE).is_file()


def mastered_audio_name(episode_id: str) -> str:
    return f"{episode_id}.mp3"


def mastered_audio(episode: Episode) -> Path:
    """Where mastering writes the finished file: `<id>.mp3` in the episode folder."""
    return episode.folder / mastered_audio_name(episode.id)


def base_url(show: Show) -> str:
    """The URL public/ is served at: the feed URL's folder, with a trailing slash."""
    return show.feed_url.rsplit("/", 1)[0] + "/"


def feed_path(show: Show) -> Path:
    return show.public / FEED_FILE


def home_page(show: Show) -> Path:
    """The show's home page: public/index.html, served at `base_url`."""
    return show.public / PAGE_FILE


def sitemap_path(show: Show) -> Path:
    return show.public / SITEMAP_FILE


def artwork_name(show: Show) -> str | None:
    """The artwork's name in public/ (beside the feed), if the show has artwork."""
    return show.artwork.name if show.artwork else None


def guest_photo_name(guest: Guest) -> str | None:
    """Where a guest's photo is published, relative to public/: `guests/<slug>.jpg`."""
    if guest.photo is None:
        return None
    return f"{GUESTS_PUBLIC_DIR}/{guest.slug}{guest.photo.suffix.lower()}"


def episode_link(episode_id: str, *, from_episode: bool) -> str:
    """A relative link to an episode's page: from another episode page (`../E8-2/`) or from
    the home page (`episodes/E8-2/`)."""
    return f"../{quote(episode_id)}/" if from_episode else f"episodes/{quote(episode_id)}/"


def episode_dir(show: Show, episode: Episode) -> Path:
    return show.public / "episodes" / episode.id


def episode_url(show: Show, episode: Episode, name: str = "") -> str:
    """Absolute URL of a file in the episode's public folder ('' = the page's folder)."""
    return f"{base_url(show)}episodes/{quote(episode.id)}/{quote(name)}"


def published_audio(episode: Episode) -> Path | None:
    """The finished file listeners download: `<id>.mp3` made by mastering (a split part's audio
    is named so too), else the episode's own audio file, if it exists."""
    mastered = mastered_audio(episode)
    if mastered.is_file():
        return mastered
    source = episode.audio_path
    return source if source is not None and source.is_file() else None


def media_files(episode: Episode) -> list[Path]:
    """The episode-folder files that are published beside the page, where they exist."""
    enclosure = published_audio(episode)
    files = [enclosure] if enclosure is not None else []
    return files + [episode.folder / name for name in (*TRANSCRIPT_FILES, CHAPTERS_FILE)
                    if (episode.folder / name).is_file()]


def publish_media(show: Show, episode: Episode) -> list[Path]:
    """Copy the episode's audio, transcripts and chapters into public/ (only what changed)."""
    target = episode_dir(show, episode)
    copied = []
    for source in media_files(episode):
        dest = target / source.name
        if not _same_file(source, dest):
            atomic.write_bytes(dest, source.read_bytes())
            mark = source.stat()
            os.utime(dest, ns=(mark.st_atime_ns, mark.st_mtime_ns))
            copied.append(dest)
    return copied


def _same_file(source: Path, dest: Path) -> bool:
    """A copy with the source's size and modification time is taken as unchanged (as rsync
    does), without reading either; otherwise their bytes are compared by hash."""
    try:
        mine, theirs = source.stat(), dest.stat()
    except FileNotFoundError:
        return False
    if mine.st_size != theirs.st_size:
        return False
    if mine.st_mtime_ns == theirs.st_mtime_ns:
        return True
    if atomic.sha256(dest) != atomic.sha256(source):
        return False
    os.utime(dest, ns=(mine.st_atime_ns, mine.st_mtime_ns))  # known equal: next time, quickly
    return True
