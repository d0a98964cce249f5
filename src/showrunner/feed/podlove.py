"""feedgen extension: Podlove Simple Chapters (`psc:chapters`), the chapter list inside the
feed that podcastparser (gPodder), feedparser and many apps read without fetching a file.

Wired in with `fg.register_extension("psc", PodloveExtension, PodloveEntryExtension)`.
"""

from __future__ import annotations

from collections.abc import Sequence

import feedgen.feed  # noqa: F401 — feedgen.util needs lxml.etree imported first (feedgen pitfall)
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from lxml import etree

from .spec import PSC_NS, PSC_VERSION

__all__ = ["PSC_NS", "PodloveEntryExtension", "PodloveExtension", "normal_play_time"]


def normal_play_time(seconds: float) -> str:
    """`134.5` -> `00:02:14.500`, the start format Podlove Simple Chapters use."""
    millis = int(round(max(0.0, seconds) * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


class PodloveExtension(BaseExtension):
    """Channel: only the namespace."""

    def extend_ns(self) -> dict[str, str]:
        return {"psc": PSC_NS}


class PodloveEntryExtension(BaseEntryExtension):
    """Item: `<psc:chapters version="1.2">` with one `<psc:chapter start title>` per chapter."""

    def __init__(self) -> None:
        self._chapters: list[tuple[float, str]] = []

    def extend_rss(self, item: etree._Element) -> etree._Element:
        if self._chapters:
            node = etree.SubElement(item, f"{{{PSC_NS}}}chapters", {"version": PSC_VERSION})
            for start, title in self._chapters:
                etree.SubElement(node, f"{{{PSC_NS}}}chapter",
                                 {"start": normal_play_time(start), "title": title})
        return item

    def chapters(self, marks: Sequence[tuple[float, str]]) -> None:
        """The episode's chapters as (start in seconds, title), in time order."""
        self._chapters = list(marks)
