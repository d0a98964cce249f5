"""The finished MP3's ID3v2.4 tags: written whole after encoding (`write_tags`), and its
chapters replaced later without re-encoding (`retag_chapters`), when the host edits the chapter
list in notes.md after mastering."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import mutagen
from mutagen.id3 import (
    APIC,
    CHAP,
    CTOC,
    ID3,
    TALB,
    TCON,
    TDRC,
    TIT2,
    TPE1,
    TRCK,
    CTOCFlags,
    ID3NoHeaderError,
)
from mutagen.mp3 import MP3

from .. import atomic
from ..errors import AudioError
from ..model import Chapter, Episode, Show


def write_tags(path: Path, show: Show, episode: Episode, chapters: Sequence[Chapter], *,
               duration: float) -> None:
    """Replace the MP3's ID3 tag with an ID3v2.4 one: title, show, author, episode number, date,
    genre, artwork, and chapters (CHAP frames listed by a top-level CTOC; the last chapter ends
    at `duration` seconds)."""
    duration_ms = int(round(duration * 1000))
    tags = ID3()
    tags.add(TIT2(encoding=3, text=[episode.title]))
    tags.add(TALB(encoding=3, text=[show.title]))
    tags.add(TPE1(encoding=3, text=[show.author]))
    tags.add(TCON(encoding=3, text=["Podcast"]))
    if episode.number is not None:
        tags.add(TRCK(encoding=3, text=[str(episode.number)]))
    if episode.date is not None:
        tags.add(TDRC(encoding=3, text=[episode.date.isoformat()]))
    if show.artwork is not None:
        data = show.artwork.read_bytes()
        mime = "image/png" if data[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg"
        tags.add(APIC(encoding=3, mime=mime, type=3, desc="Cover", data=data))
    _add_chapters(tags, chapters, duration_ms)
    tags.save(path, v2_version=4)


def _add_chapters(tags: ID3, chapters: Sequence[Chapter], duration_ms: int) -> None:
    """CHAP frames listed by a top-level CTOC; each ends where the next starts, the last at
    `duration_ms` (or at its own start, should the list run past the end)."""
    if not chapters:
        return
    ids = [f"chp{i}" for i in range(len(chapters))]
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                  child_element_ids=ids, sub_frames=[TIT2(encoding=3, text=["Chapters"])]))
    starts = [int(round(c.start * 1000)) for c in chapters]
    ends = [*starts[1:], max(duration_ms, starts[-1])]
    for element, chapter, start, end in zip(ids, chapters, starts, ends, strict=True):
        tags.add(CHAP(element_id=element, start_time=start, end_time=end,
                      start_offset=0xFFFFFFFF, end_offset=0xFFFFFFFF,
                      sub_frames=[TIT2(encoding=3, text=[chapter.title])]))


def tagged_chapters(path: Path) -> tuple[Chapter, ...]:
    """The ID3 chapters of the MP3 at `path` (CHAP frames in time order)."""
    try:
        tags = ID3(path)
    except ID3NoHeaderError:
        return ()
    frames = sorted(tags.getall("CHAP"), key=lambda f: f.start_time)
    return tuple(Chapter(f.start_time / 1000, str(f.sub_frames["TIT2"].text[0])
                         if "TIT2" in f.sub_frames else "") for f in frames)


def retag_chapters(path: Path, chapters: Sequence[Chapter]) -> bool:
    """Give the MP3 at `path` exactly `chapters` as its ID3 chapters (CHAP and CTOC frames),
    keeping its other tags and its audio as they are (no re-encoding); the file is replaced
    atomically. False, and nothing written, when the tags already hold that list."""
    wanted = tuple(Chapter(round(c.start, 3), c.title) for c in chapters)
    try:
        if tagged_chapters(path) == wanted:
            return False
        length = float(getattr(MP3(path).info, "length", 0.0) or 0.0)
    except (mutagen.MutagenError, OSError) as exc:
        raise AudioError(f"cannot read the MP3's tags: {exc}", path=path,
                         hint="master the episode again ('showrunner episode --force')") from exc
    with atomic.temporary_path(path) as tmp:
        shutil.copyfile(path, tmp)
        try:
            tags = ID3(tmp)
        except ID3NoHeaderError:
            tags = ID3()
        tags.delall("CHAP")
        tags.delall("CTOC")
        _add_chapters(tags, wanted, int(round(length * 1000)))
        tags.save(tmp, v2_version=4)
    return True
