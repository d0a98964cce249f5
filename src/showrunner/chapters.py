"""chapters.json, the episode's chapter list (Podcasting 2.0 JSON chapters, version 1.2).

`notes` drafts the list; this module is the one that writes and reads the file, for notes,
split and mastering (the MP3's ID3 chapters), render and the feed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from . import atomic
from .errors import ConfigError
from .model import Chapter

VERSION = "1.2.0"


def save(path: Path, chapters: Sequence[Chapter]) -> Path:
    """Write `chapters` to `path` atomically."""
    document = {"version": VERSION,
                "chapters": [{"startTime": round(c.start, 2), "title": c.title} for c in chapters]}
    atomic.write_text(path, json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    return path


def load(path: Path) -> tuple[Chapter, ...]:
    """The chapters in `path`, in time order; none when the file is missing."""
    if not path.is_file():
        return ()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        marks = sorted((float(c["startTime"]), str(c.get("title") or "")) for c in raw["chapters"])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError("chapters.json is malformed", path=path,
                          hint="regenerate it with 'showrunner notes' or fix the JSON") from exc
    return tuple(Chapter(start, title) for start, title in marks)
