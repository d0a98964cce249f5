"""The show's home page (public/index.html) and public/sitemap.xml.

Order: runs after `feed`, with the ids of the episodes that feed just published: the home
page and the sitemap list exactly the released episodes (status released, dated on or before
the `--now` the feed was built as of), so there is one rule for "released", the feed's.
Everything is rendered in memory first; then the artwork, the page and the sitemap are
written, each atomically.

Safety: as the episode pages: every value is escaped by the template's autoescape (a
`<script>` typed into show.yaml's description or into notes.md shows as text); the page
runs no script, and its Content-Security-Policy forbids any.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from .. import atomic, config, layout, templating
from ..layout import NOTES_FILE
from ..model import Episode, Show, clock
from . import extras
from .stage import read_front

HOME_TEMPLATE = "home.html.j2"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclass(frozen=True)
class SiteResult:
    """The home page and sitemap, whether either was written, and one line saying so."""

    home: Path
    sitemap: Path
    episodes: tuple[str, ...]
    changed: bool = True

    @property
    def summary(self) -> str:
        files = f"{self.home.name} and {self.sitemap.name}: {len(self.episodes)} episode(s)"
        return f"wrote {files}" if self.changed else f"{files} (unchanged)"


def render_site(show: Show, released: Iterable[str]) -> SiteResult:
    """Write public/index.html and public/sitemap.xml for the `released` episode ids (those
    the feed published; see the module's docstring)."""
    wanted = set(released)
    episodes = [e for e in config.list_episodes(show) if e.id in wanted]
    entries = [_entry(show, e) for e in episodes]
    page = templating.render(show, HOME_TEMPLATE, html=True,
                             **home_context(show, _grouped(entries)))
    sitemap = sitemap_xml(show, [e for e in entries if e["page"]])
    written = []
    if show.artwork is not None and show.artwork.is_file():
        written.append(_write_if_changed(show.public / (layout.artwork_name(show) or ""),
                                         show.artwork.read_bytes()))
    written += [_write_if_changed(layout.home_page(show), page.encode("utf-8")),
                _write_if_changed(layout.sitemap_path(show), sitemap)]
    return SiteResult(layout.home_page(show), layout.sitemap_path(show),
                      tuple(e["id"] for e in entries), changed=any(written))


# ---------------------------------------------------------------- the episodes


def _entry(show: Show, episode: Episode) -> dict[str, Any]:
    front = read_front(episode.folder / NOTES_FILE)
    seconds = extras.audio_seconds(layout.published_audio(episode))
    page = (layout.episode_dir(show, episode) / layout.PAGE_FILE).is_file()
    date = episode.date
    return {
        "id": episode.id, "title": str(front.get("title") or episode.display_title),
        "hook": str(front.get("hook") or episode.hook or ""),
        "url": layout.episode_link(episode.id, from_episode=False) if page else None,
        "page": layout.episode_url(show, episode) if page else None,
        "date": date.isoformat() if date else "", "date_text": _day(date),
        "duration": clock(seconds) if seconds else "",
        "duration_iso": extras.iso_duration(seconds) if seconds else "",
        "series": episode.series.name if episode.series else None,
        "part": episode.series.part if episode.series else None,
        "of": episode.series.of if episode.series else None,
        "group": (episode.source or episode.series.name) if episode.series else None,
        "order": (date or dt.date.min, episode.number or 0, episode.id),
    }


def _day(date: dt.date | None) -> str:
    months = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")
    return f"{date.day} {months[date.month - 1]} {date.year}" if date else ""


def _grouped(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Newest first; the released parts of a series are one entry, in part order, placed by
    its newest part."""
    series: dict[str, dict[str, Any]] = {}
    listed: list[dict[str, Any]] = []
    for entry in entries:
        if entry["group"] is None:
            listed.append({"kind": "episode", **entry})
            continue
        group = series.get(entry["group"])
        if group is None:
            group = series[entry["group"]] = {"kind": "series", "name": entry["series"],
                                              "of": entry["of"], "parts": [],
                                              "order": entry["order"]}
            listed.append(group)
        group["parts"].append(entry)
        group["order"] = max(group["order"], entry["order"])
    for group in series.values():
        group["parts"].sort(key=lambda part: part["part"])
        first, last = group["parts"][0], group["parts"][-1]
        group["date_text"] = first["date_text"] if first is last else \
            f"{first['date_text']} – {last['date_text']}"
        group["date"] = last["date"]
    return sorted(listed, key=lambda item: item["order"], reverse=True)


# ---------------------------------------------------------------- the page


def home_context(show: Show, entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Everything home.html.j2 needs; all of it is escaped by the template."""
    artwork = layout.artwork_name(show)
    paragraphs = [" ".join(p.split()) for p in show.description.split("\n\n") if p.strip()]
    return {
        "language": show.language or "en",
        "podcast": {"title": show.title, "description": " ".join(show.description.split()),
                    "paragraphs": paragraphs, "url": layout.base_url(show),
                    "feed_url": show.feed_url},
        "artwork": {"src": artwork, "url": layout.base_url(show) + artwork} if artwork else None,
        "hosts": [host.name for host in show.hosts],
        "subscribe": [{"label": "RSS feed", "url": show.feed_url, "type": "application/rss+xml"},
                      *({"label": link.label, "url": link.url, "type": None}
                        for link in show.subscribe)],
        "entries": entries,
    }


def _write_if_changed(path: Path, data: bytes) -> bool:
    """Write `data` unless `path` already holds it; whether it wrote."""
    if path.is_file() and path.read_bytes() == data:
        return False
    atomic.write_bytes(path, data)
    return True


# ---------------------------------------------------------------- sitemap.xml


def sitemap_xml(show: Show, entries: list[dict[str, Any]]) -> bytes:
    """sitemaps.org XML: the home page, then every released episode page, absolute URLs."""
    urlset = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS})
    newest = max((e["date"] for e in entries if e["date"]), default="")
    rows = [(layout.base_url(show), newest)] + [(e["page"], e["date"]) for e in
                                                sorted(entries, key=lambda e: e["order"],
                                                       reverse=True)]
    for url, date in rows:
        item = etree.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(item, f"{{{SITEMAP_NS}}}loc").text = url
        if date:
            etree.SubElement(item, f"{{{SITEMAP_NS}}}lastmod").text = date
    return bytes(etree.tostring(urlset, xml_declaration=True, encoding="UTF-8",
                                pretty_print=True))
