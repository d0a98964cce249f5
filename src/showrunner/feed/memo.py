"""Facts the feed worked out before, kept between builds in the show folder.

Like Pelican's content cache: rebuilding the feed of a 500-episode show where nothing changed
renders no Markdown (about a third of that build's CPU time) and parses no MP3 (a sixth). Each
fact is looked up by a key that changes with what it came from, so the output is what working
it out again would give: notes HTML by a hash of the exact Markdown and the renderer's version,
an audio file's duration by its path in the show, size and modification time (what rsync
trusts to call a file unchanged). The files are only caches: unreadable, they are rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Generic, TypeVar

from .. import atomic

# Bumped when the renderer's settings change, so old entries are not reused.
_RENDERER = f"markdown-it-py {version('markdown-it-py')} commonmark html=off 1"

Fact = TypeVar("Fact", str, int)


class Memo(Generic[Fact]):
    """A persisted map from key to fact; `save()` keeps exactly the entries this build used."""

    def __init__(self, path: Path, kind: type[Fact]) -> None:
        self.path = path
        self.kind: type[Fact] = kind
        self.loaded: dict[str, Fact] = self._read()
        self.used: dict[str, Fact] = {}

    def get(self, key: str, work: Callable[[], Fact]) -> Fact:
        """The fact kept under `key`, else `work()`'s answer (kept from now on)."""
        if key not in self.used:
            kept = self.loaded.get(key)
            self.used[key] = kept if kept is not None else work()
        return self.used[key]

    def save(self) -> None:
        """Write the entries used; nothing when that is what was read."""
        if self.used != self.loaded:
            atomic.write_text(self.path, json.dumps(self.used, sort_keys=True))

    def _read(self) -> dict[str, Fact]:
        try:
            entries = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(entries, dict):
            return {}
        # bool is an int to isinstance, and never a fact kept here
        return {k: v for k, v in entries.items() if isinstance(k, str)
                and type(v) is self.kind}


class RenderedNotes:
    """`render(markdown)` through a persisted memo; `save()` writes it back if it changed."""

    def __init__(self, path: Path, renderer: Callable[[str], str]) -> None:
        self.memo, self.renderer = Memo(path, str), renderer

    def render(self, markdown: str) -> str:
        key = hashlib.sha256(f"{_RENDERER}\0{markdown}".encode()).hexdigest()
        return self.memo.get(key, lambda: self.renderer(markdown))

    def save(self) -> None:
        self.memo.save()


class MeasuredDurations:
    """`duration(audio, stat)` in whole seconds through a persisted memo."""

    def __init__(self, path: Path, measure: Callable[[Path], int]) -> None:
        self.memo, self.measure = Memo(path, int), measure
        # Files are named from the show folder (where the memo lives), so a copy of the show
        # built elsewhere keeps the same entries.
        self.show = str(path.parent.absolute())

    def duration(self, audio: Path, stat: os.stat_result) -> int:
        name = os.path.relpath(os.path.abspath(audio), self.show)
        key = f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}"
        return self.memo.get(key, lambda: self.measure(audio))

    def save(self) -> None:
        self.memo.save()
