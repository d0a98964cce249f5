"""Notes Markdown the feed rendered before, kept between builds in the show folder.

Like Pelican's content cache: rebuilding the feed of a 500-episode show whose notes have not
changed renders no Markdown, which was about a third of that build's CPU time. The HTML is looked up
by a hash of the exact Markdown (and the renderer's version), so the output is what rendering
would give. The file is only a cache: unreadable, it is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

from .. import atomic

# Bumped when the renderer's settings change, so old entries are not reused.
_RENDERER = f"markdown-it-py {version('markdown-it-py')} commonmark html=off 1"


class RenderedNotes:
    """`render(markdown)` through a persisted memo; `save()` writes it back if it changed."""

    def __init__(self, path: Path, renderer: Callable[[str], str]) -> None:
        self.path, self.renderer = path, renderer
        self.loaded = self._read()
        self.used: dict[str, str] = {}

    def render(self, markdown: str) -> str:
        key = hashlib.sha256(f"{_RENDERER}\0{markdown}".encode()).hexdigest()
        if key not in self.used:
            cached = self.loaded.get(key)
            self.used[key] = cached if cached is not None else self.renderer(markdown)
        return self.used[key]

    def save(self) -> None:
        """Keep exactly the entries this build used; write nothing when that is what was read."""
        if self.used != self.loaded:
            atomic.write_text(self.path, json.dumps(self.used, sort_keys=True))

    def _read(self) -> dict[str, str]:
        try:
            entries = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(entries, dict):
            return {}
        return {k: v for k, v in entries.items() if isinstance(k, str) and isinstance(v, str)}
