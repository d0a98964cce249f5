"""The layout of public/, the folder that is served: one place that knows paths and URLs.

    public/feed.xml
    public/episodes/<id>/index.html          the episode page (render)
    public/episodes/<id>/<audio>.mp3         the enclosure
    public/episodes/<id>/transcript.*        vtt, srt, pc20.json, html, txt
    public/episodes/<id>/chapters.json
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from . import atomic, audio
from .model import Episode, Show

FEED_FILE = "feed.xml"
TRANSCRIPT_FILES = ("transcript.vtt", "transcript.srt", "transcript.pc20.json",
                    "transcript.html", "transcript.txt")
CHAPTERS_FILE = "chapters.json"


def base_url(show: Show) -> str:
    """The URL public/ is served at: the feed URL's folder, with a trailing slash."""
    return show.feed_url.rsplit("/", 1)[0] + "/"


def feed_path(show: Show) -> Path:
    return show.public / FEED_FILE


def episode_dir(show: Show, episode: Episode) -> Path:
    return show.public / "episodes" / episode.id


def episode_url(show: Show, episode: Episode, name: str = "") -> str:
    """Absolute URL of a file in the episode's public folder ('' = the page's folder)."""
    return f"{base_url(show)}episodes/{quote(episode.id)}/{quote(name)}"


def published_audio(episode: Episode) -> Path | None:
    """The finished file listeners download: `<id>.mp3` made by mastering (a split part's audio
    is named so too), else the episode's own audio file, if it exists."""
    mastered = episode.folder / f"{episode.id}.mp3"
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
        if not dest.is_file() or audio.sha256(dest) != audio.sha256(source):
            atomic.write_bytes(dest, source.read_bytes())
            copied.append(dest)
    return copied
