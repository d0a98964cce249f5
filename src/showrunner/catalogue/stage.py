"""`showrunner import FEED.xml [--media DIR]`: an existing show's feed -> episode folders.

Order: first the whole feed is read and checked (a hostile or broken feed changes nothing);
then show.yaml is written if there is none (or with `force`); then each item, one at a time:
its media found in `media` by file name or downloaded (resumable), then its folder assembled
beside episodes/ and renamed into place, so an item is either wholly imported or absent.
A malformed item is skipped with a one-line reason; the rest import. An item whose guid an
episode already has is left alone (a re-run imports only what is new) unless `force`.

What each episode keeps, for ever: its guid; its pubDate, enclosure and links (episode.yaml's
`imported:`, which `feed` republishes unchanged); its description as notes.md, owned by the
host from the start (no `.notes.sha256` record, so `notes` never overwrites it).
"""

from __future__ import annotations

import hashlib
import os
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import atomic, config
from ..errors import ConfigError
from ..layout import EPISODE_FILE, SHOW_FILE
from .channel import show_settings, show_yaml_text
from .download import DownloadLimits, fetch
from .episode import write_episode
from .naming import url_file_name
from .reading import IT, BadItem, FeedItem, Skipped, read_feed

CACHE_DIR = ".showrunner-import"  # partial downloads, kept for the next run to resume


@dataclass(frozen=True)
class ImportOptions:
    media: Path | None = None
    force: bool = False
    limits: DownloadLimits = field(default_factory=DownloadLimits)


@dataclass(frozen=True)
class ImportResult:
    """What `import_feed` did."""

    show_yaml: str
    imported: tuple[str, ...]
    already: int
    skipped: tuple[Skipped, ...]

    @property
    def summary(self) -> str:
        parts = [f"imported {len(self.imported)} episode(s)", f"{self.show_yaml} show.yaml"]
        if self.already:
            parts.append(f"{self.already} already imported")
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        return "; ".join(parts)


Report = Callable[[str], None]
Progress = Callable[[str, int, "int | None"], None]  # (which item, bytes done, bytes in all)


def import_feed(root: Path, feed_path: Path, options: ImportOptions,
                report: Report | None = None, progress: Progress | None = None) -> ImportResult:
    """Import `feed_path` into the show folder `root` (created if need be); `report` gets
    each skipped item's line as it happens, `progress` each download's bytes."""
    root = Path(root)
    feed = read_feed(Path(feed_path))
    media = _media_listing(options.media)
    shown_yaml = _show_yaml(root, feed.channel, feed_path, media, options)
    known = _known_guids(root)
    imported, skipped, already = [], [], 0
    for item in _unique(feed.items):
        if not isinstance(item, Skipped) and item.guid in known and not options.force:
            already += 1
            continue
        if not isinstance(item, Skipped):
            try:
                known[item.guid] = _one(root, item, known, media, options, progress)
                imported.append(known[item.guid])
                continue
            except BadItem as bad:
                item = Skipped(item.position, repr(item.title), str(bad))
        skipped.append(item)
        if report is not None:
            report(item.line())
    return ImportResult(shown_yaml, tuple(imported), already, tuple(skipped))


def _unique(items: tuple[FeedItem | Skipped, ...]) -> list[FeedItem | Skipped]:
    """Items as they come; a guid or an enclosure URL met a second time is skipped (apps
    would see one episode, and the feed stage refuses a repeated enclosure)."""
    first: dict[tuple[str, str], int] = {}
    out: list[FeedItem | Skipped] = []
    for item in items:
        for what, key in (("guid", "guid"), ("enclosure url", "url")):
            if not isinstance(item, FeedItem):
                break
            value = item.guid if key == "guid" else item.enclosure.url
            if first.setdefault((key, value), item.position) != item.position:
                item = Skipped(item.position, repr(item.title), f"its {what} is item "
                               f"{first[(key, value)]}'s too; give it its own")
        out.append(item)
    return out


def _media_listing(folder: Path | None) -> dict[str, Path]:
    """The files of `--media DIR` by name: an untrusted name is looked up, never joined."""
    if folder is None:
        return {}
    if not folder.is_dir():
        raise ConfigError("is not a folder", path=folder, hint="pass --media with the folder "
                                                             "holding the episodes' audio files")
    return {entry.name: Path(entry.path) for entry in os.scandir(folder) if entry.is_file()}


def _show_yaml(root: Path, channel: ET.Element, feed_path: Path, media: dict[str, Path],
               options: ImportOptions) -> str:
    path = root / SHOW_FILE
    existed = path.is_file()
    if existed and not options.force:
        return "kept the existing"
    image = channel.find(f"{IT}image")
    url = image.get("href") if image is not None else None
    name = url_file_name(url or "")
    # Named .jpg or .png: apps ignore other names (.jpeg included), whatever the old host did.
    artwork = None if url is None or name is None or \
        not name.lower().endswith((".jpg", ".jpeg", ".png")) else \
        "artwork.png" if name.lower().endswith(".png") else "artwork.jpg"
    settings = show_settings(channel, feed_path, artwork)  # checked before anything is written
    if artwork and url and name and not _artwork(root / artwork, url, name, media, options):
        del settings["artwork"]  # `feed` says what is missing; the episodes import all the same
    if existed:  # --force: the producer's own settings are kept beside it
        atomic.write_bytes(path.with_name(f"{SHOW_FILE}.before-import"), path.read_bytes())
    atomic.write_text(path, show_yaml_text(settings))
    (root / "episodes").mkdir(exist_ok=True)
    return "replaced" if existed else "wrote"


def _artwork(target: Path, url: str, name: str, media: dict[str, Path],
             options: ImportOptions) -> bool:
    try:
        source = media.get(name) or fetch(url, _cache(target.parent, url), options.limits)
    except BadItem:
        return False
    atomic.write_bytes(target, source.read_bytes())
    if name not in media:
        source.unlink(missing_ok=True)
    return True


def _known_guids(root: Path) -> dict[str, str]:
    """guid -> episode id of every episode folder (an unreadable episode.yaml is passed over);
    the id is marked with a leading '!' for an episode that was not imported."""
    known: dict[str, str] = {}
    for path in sorted((root / "episodes").glob(f"*/{EPISODE_FILE}")):
        try:
            raw = config.read_yaml(path, EPISODE_FILE, "")
        except ConfigError:
            continue
        if isinstance(raw, dict) and raw.get("guid"):
            mark = "" if raw.get("imported") else "!"
            known[str(raw["guid"])] = mark + path.parent.name
    return known


def _one(root: Path, item: FeedItem, known: dict[str, str], media: dict[str, Path],
         options: ImportOptions, progress: Progress | None) -> str:
    existing = known.get(item.guid)
    if existing is not None and existing.startswith("!"):
        raise BadItem(f"its guid is episode {existing[1:]}'s, which was not imported; "
                      "--force leaves that episode alone")
    name = url_file_name(item.enclosure.url)
    source = media.get(name) if name else None
    if source is None:
        source = fetch(item.enclosure.url, _cache(root, item.enclosure.url), options.limits,
                       _progress(progress, item))
    downloaded = source.parent == root / CACHE_DIR
    return write_episode(root, item, source, existing=existing, move=downloaded)


def _cache(root: Path, url: str) -> Path:
    return root / CACHE_DIR / (hashlib.sha256(url.encode("utf-8")).hexdigest()[:24] + ".part")


def _progress(progress: Progress | None, item: FeedItem) -> Callable[[int, int | None], None] | None:
    if progress is None:
        return None
    label = f"item {item.position}"
    return lambda done, total: progress(label, done, total)

