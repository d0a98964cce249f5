"""The plan step: what a deploy sends and deletes, and in which order. It only reads."""

from __future__ import annotations

from dataclasses import dataclass

from ..layout import base_url
from ..model import Show
from .check import check_feed
from .files import FEED, MEDIA, PAGES, LocalFile, scan
from .targets import Target


@dataclass(frozen=True)
class Plan:
    """Steps in order (media and transcripts, then pages, then the feed), each sent only once
    the one before is in place, so the remote feed never names a file the remote lacks; then
    the deletions (with --delete), only once the new feed is up."""

    target: str
    steps: tuple[tuple[LocalFile, ...], ...]
    deletions: tuple[str, ...]
    unchanged: int
    kept: int  # remote files public/ lacks, left there because --delete was not given

    @property
    def files(self) -> tuple[LocalFile, ...]:
        return tuple(file for step in self.steps for file in step)

    @property
    def size(self) -> int:
        return sum(file.size for file in self.files)

    def lines(self) -> list[str]:
        """One line per action, in the order they happen (what --dry-run prints)."""
        return [f"send {f.name} ({human_size(f.size)}, {f.content_type})" for f in self.files] \
            + [f"delete {name}" for name in self.deletions]


def make_plan(show: Show, target: Target, *, delete: bool) -> Plan:
    """Compare public/ with the target; refuse a feed that names a file public/ lacks."""
    files = scan(show.public)
    check_feed(show.public, base_url(show), {file.name: file for file in files},
               show.tags.analytics_prefix)
    remote = target.compare(files)
    steps = tuple(tuple(f for f in remote.changed if f.step == step)
                  for step in (MEDIA, PAGES, FEED))
    return Plan(target.describe(), steps, remote.extra if delete else (),
                unchanged=len(files) - len(remote.changed),
                kept=0 if delete else len(remote.extra))


def human_size(size: int) -> str:
    """`567117` -> `567 kB`; `12345678` -> `12.3 MB`."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            value = size / scale
            return f"{value:.1f} {unit}" if value < 100 else f"{value:.0f} {unit}"
    return f"{size} B"
