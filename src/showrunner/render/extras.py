"""What an episode page carries beyond its notes: the previous and next part of its series,
the guests' photos, the chapter seek script (with its Content-Security-Policy hash), the
schema.org `PodcastEpisode` JSON-LD, and the audio's duration.

Reads only, except `publish_photos`, which `render_episode` calls once the page is rendered.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .. import atomic, config, layout, templating
from ..errors import ConfigError
from ..model import Episode, Guest, Show

SEEK_SCRIPT = "seek.js"
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")


# ---------------------------------------------------------------- a series' parts


def part_links(show: Show, episode: Episode) -> dict[str, dict[str, Any] | None]:
    """The previous and next part's page ({url, title, part}), where that part exists."""
    series, source = episode.series, episode.source
    if series is None or not source:
        return {"previous": None, "next": None}

    def link(part: int) -> dict[str, Any] | None:
        if not 1 <= part <= series.of or not layout.has_part(show, source, part):
            return None
        other_id = layout.part_id(source, part)
        try:
            title = config.load_episode(show, other_id).display_title
        except ConfigError:  # that part's own render reports it; this page still links it
            title = f"Part {part} of {series.of}"
        return {"url": layout.episode_link(other_id, from_episode=True), "title": title,
                "part": part}

    return {"previous": link(series.part - 1), "next": link(series.part + 1)}


# ---------------------------------------------------------------- guests' photos


def guest_photos(show: Show, episode: Episode) -> list[dict[str, Any]]:
    """Each guest with a photo: {name, src (from the episode page), source, target}.
    A photo that is missing or not an image format browsers show is a one-line error."""
    photos = []
    for guest in episode.guests:
        name = layout.guest_photo_name(guest)
        if guest.photo is None or name is None:
            continue
        _check_photo(show, guest, guest.photo)
        photos.append({"name": guest.name, "src": f"../../{name}", "source": guest.photo,
                       "target": show.public / name})
    return photos


def _check_photo(show: Show, guest: Guest, photo: Path) -> None:
    guest_file = config.guest_path(show, guest.slug)
    if photo.suffix.lower() not in PHOTO_SUFFIXES:
        raise ConfigError(f"'photo' {photo.name} is not a JPEG, PNG or WebP file",
                          path=guest_file, hint="use a .jpg, .png or .webp image")
    if not photo.is_file():
        raise ConfigError(f"'photo' {photo.name} not found", path=guest_file,
                          hint="add the image (the path is relative to the show folder) "
                               "or remove the 'photo:' line")


def publish_photos(photos: list[dict[str, Any]]) -> list[Path]:
    """Copy the guests' photos into public/guests/ (only what changed)."""
    copied = []
    for photo in photos:
        source, target = photo["source"], photo["target"]
        if not target.is_file() or atomic.sha256(target) != atomic.sha256(source):
            atomic.write_bytes(target, source.read_bytes())
            copied.append(target)
    return copied


# ---------------------------------------------------------------- chapter seeking


def seek_script(show: Show) -> dict[str, Any]:
    """The few lines that make a chapter link seek the page's player, and the CSP source
    that allows exactly them (`'sha256-…'`). Without script the links still work: each is a
    media-fragment link (`E7.mp3#t=754`)."""
    text = templating.render(show, SEEK_SCRIPT, html=False)
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return {"script": Markup(text), "hash": f"sha256-{digest}"}


# ---------------------------------------------------------------- schema.org


def iso_duration(seconds: int) -> str:
    """`3754` -> `PT1H2M34S` (ISO 8601)."""
    hours, rest = divmod(max(0, int(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    text = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + \
        (f"{secs}S" if secs or not (hours or minutes) else "")
    return "PT" + text


def json_ld(show: Show, episode: Episode, *, name: str, description: str,
            audio: dict[str, Any] | None, duration: int | None) -> Markup:
    """The page's schema.org PodcastEpisode, as JSON safe inside <script> (no `<`, `>`, `&`)."""
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "PodcastEpisode", "name": name,
        "url": layout.episode_url(show, episode), "description": description}
    if episode.date is not None:
        data["datePublished"] = episode.date.isoformat()
    if episode.number is not None:
        data["episodeNumber"] = episode.number
    if duration:
        data["duration"] = iso_duration(duration)
    if audio:
        data["associatedMedia"] = {"@type": "MediaObject", "encodingFormat": audio["type"],
                                   "contentUrl": layout.episode_url(show, episode, audio["name"])}
    if show.artwork is not None:
        data["image"] = layout.base_url(show) + (layout.artwork_name(show) or "")
    data["partOfSeries"] = {"@type": "PodcastSeries", "name": show.title,
                            "url": layout.base_url(show), "webFeed": show.feed_url}
    data["author"] = [{"@type": "Person", "name": host.name} for host in show.hosts]
    if episode.guests:
        data["actor"] = [{"@type": "Person", "name": guest.name} for guest in episode.guests]
    return Markup(script_json(data))


def script_json(data: Any) -> str:
    """JSON that cannot end a <script> element or open a comment in it."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# ---------------------------------------------------------------- the audio


def audio_seconds(audio: Path | None) -> int | None:
    """The audio's duration in whole seconds (None when it cannot be read: the feed, which
    publishes the audio, is where a broken file is reported)."""
    if audio is None or not audio.is_file():
        return None
    import mutagen
    from mutagen.mp3 import MP3
    from mutagen.mp4 import MP4

    kind = {".mp3": MP3, ".m4a": MP4, ".mp4": MP4}.get(audio.suffix.lower())
    try:
        length = getattr(getattr(kind(audio), "info", None), "length", 0) if kind else 0
    except (mutagen.MutagenError, OSError):
        return None
    return max(1, round(length)) if length and length > 0 else None
