"""Names taken from an untrusted feed: episode ids and media file names that stay inside the
show folder whatever the feed says (`../../`, absolute paths, NUL, reserved device names)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from ..config import check_episode_id
from ..errors import ConfigError

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$")
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10))}
MEDIA_SUFFIXES = (".mp3", ".m4a", ".mp4", ".m4v", ".mov")


def ascii_slug(text: str, limit: int = 48) -> str:
    """`Café: Déjà vu/../x` -> `cafe-deja-vu-x`: letters, digits, '.', '_' and '-' only."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _UNSAFE.sub("-", plain.lower()).strip("-._")
    return re.sub(r"-{2,}", "-", slug)[:limit].strip("-._")


def episode_id(number: int | None, season: int | None, title: str, guid: str,
               taken: Callable[[str], bool]) -> str:
    """`E12` (`S2E12` in a season), else a slug of the title or the guid; `-2`… when taken.
    The result always passes `config.check_episode_id`."""
    if number is not None:
        base = f"S{season}E{number}" if season else f"E{number}"
    else:
        base = ascii_slug(title) or ascii_slug(guid) or "episode"
    candidate, count = base, 1
    while not _valid_id(candidate) or taken(candidate):
        count += 1
        candidate = f"{base}-{count}" if _valid_id(base) else f"episode-{count}"
    return candidate


def _valid_id(candidate: str) -> bool:
    try:
        check_episode_id(candidate)
    except ConfigError:
        return False
    return True


def url_file_name(url: str) -> str | None:
    """The file name at the end of `url`'s path, or None when it is not a plain, safe one
    (a separator after decoding, `..`, NUL or control characters, a reserved device name)."""
    raw = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    if not raw or "/" in raw or "\\" in raw or PurePosixPath(raw).name != raw:
        return None
    if not _SAFE_NAME.match(raw) or raw.lower().split(".")[0] in _RESERVED:
        return None
    return raw


def media_name(url: str, mime: str, episode_id: str) -> str:
    """What the imported audio is called in the episode folder: its old file name when that is
    safe and not the mastered name `<id>.mp3`, else `<id>-original.<ext>`."""
    name = url_file_name(url)
    mastered = f"{episode_id}.mp3"
    if name is not None and name.lower().endswith(MEDIA_SUFFIXES) and name != mastered:
        return name
    suffix = next((s for s in MEDIA_SUFFIXES if name and name.lower().endswith(s)), None)
    suffix = suffix or {"audio/x-m4a": ".m4a", "audio/mp4": ".m4a", "video/mp4": ".mp4",
                        "video/x-m4v": ".m4v", "video/quicktime": ".mov"}.get(mime, ".mp3")
    return f"{episode_id}-original{suffix}"
