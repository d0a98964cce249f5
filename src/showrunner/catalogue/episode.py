"""One checked feed item + its media -> episodes/<id>/ (episode.yaml, the audio, notes.md),
assembled in a hidden folder beside it and renamed into place."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from .. import atomic, config
from ..errors import OutputError
from ..feed import ENCLOSURE_TYPES
from ..import_record import record_fields
from ..layout import NOTES_FILE
from ..model import Imported, RemoteFile
from .description import markdown_from_html
from .naming import episode_id as new_episode_id
from .naming import media_name
from .reading import BadItem, FeedItem


def write_episode(root: Path, item: FeedItem, media: Path, *, existing: str | None,
                  move: bool = False) -> str:
    """Write the episode for `item` with `media` as its audio (moved there when `move`, as a
    finished download is; else copied); return its id. `existing` is the id of the episode
    that already has this guid (re-imported with --force)."""
    episodes = root / "episodes"
    ident = existing or new_episode_id(item.number, item.season, item.title, item.guid,
                                       lambda name: (episodes / name).exists())
    audio = media_name(item.enclosure.url, item.enclosure.type, ident)
    duration = item.duration or _duration(media)
    imported = Imported(item.published, _enclosure(item.enclosure, audio, media), duration,
                        item.transcripts, item.chapters)
    fields = _fields(item, audio, imported)
    folder = episodes / ident
    if existing is not None:
        _refresh(folder, fields, item, media, audio)
        if move:
            media.unlink(missing_ok=True)
        return ident
    staging = episodes / f".{ident}.import{atomic.TMP_SUFFIX}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir(parents=True)
        if move:
            os.replace(media, staging / audio)
        else:
            _place_media(media, staging / audio)
        config.write_episode_yaml(staging, fields)
        atomic.write_text(staging / NOTES_FILE, notes_text(item))
        os.replace(staging, folder)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"cannot write the episode: {exc.strerror}", path=folder,
                          hint="check the folder is writable and the disk has room") from exc
    return ident


def _refresh(folder: Path, fields: dict[str, Any], item: FeedItem, media: Path,
             audio: str) -> None:
    """--force on an imported episode: its episode.yaml and notes.md are written again (the
    old notes.md is kept as notes.before-import.md); its audio only if it is missing."""
    if not (folder / audio).is_file():
        _place_media(media, folder / audio)
    config.write_episode_yaml(folder, fields)
    notes = folder / NOTES_FILE
    new = notes_text(item)
    if notes.is_file() and notes.read_text(encoding="utf-8", errors="replace") != new:
        atomic.write_bytes(folder / "notes.before-import.md", notes.read_bytes())
    atomic.write_text(notes, new)


def _place_media(source: Path, target: Path) -> None:
    with atomic.replacing(target) as handle, open(source, "rb") as stream:
        shutil.copyfileobj(stream, handle, 1 << 20)


def _fields(item: FeedItem, audio: str, imported: Imported) -> dict[str, Any]:
    fields: dict[str, Any] = {"title": item.title}
    if item.number is not None:
        fields["number"] = item.number
    if item.season is not None:
        fields["season"] = item.season
    fields.update(date=item.published.date().isoformat(), status="released", guid=item.guid,
                  audio=audio, episode_type=item.episode_type)
    if item.explicit is not None:
        fields["explicit"] = item.explicit
    fields["imported"] = record_fields(imported)
    return fields


def _enclosure(original: RemoteFile, audio: str, media: Path) -> RemoteFile:
    """The enclosure as it was; a type apps refuse is named from the file, a missing length
    is the file's."""
    types = set(ENCLOSURE_TYPES.values())
    mime = original.type if original.type in types else \
        ENCLOSURE_TYPES.get(Path(audio).suffix.lower(), "audio/mpeg")
    return RemoteFile(original.url, mime, original.length or media.stat().st_size)


def _duration(media: Path) -> int:
    import mutagen

    try:
        parsed = mutagen.File(media)
    except (mutagen.MutagenError, OSError):
        parsed = None
    length = getattr(getattr(parsed, "info", None), "length", 0) or 0
    if length <= 0:
        raise BadItem("its audio is not a playable file (no duration found)")
    return max(1, round(length))


def notes_text(item: FeedItem) -> str:
    """notes.md from the item's description: front matter, the title as a heading, the body."""
    heading = f"E{item.number}: {item.title}" if item.number is not None else item.title
    body = markdown_from_html(item.description_html)
    front = f"---\ntitle: {json.dumps(item.title, ensure_ascii=False)}\nimported: true\n---\n\n"
    return front + "# " + markdown_from_html(heading).replace("\n", " ") + "\n\n" + \
        (body + "\n" if body else "")
