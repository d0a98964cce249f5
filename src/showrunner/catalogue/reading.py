"""An untrusted RSS feed -> the channel and its items, each item checked on its own.

The XML is parsed by defusedxml over the standard library's expat: a document that declares
entities (billion laughs) or refers to an external one (XXE) is refused outright, and nothing
is ever fetched while parsing. The podcast namespace is read under both its official URI and
the old GitHub one (clients must treat them alike).

Why not a feed parser library (measured with podcastparser 0.6.11 and feedparser 6.0.14):
both let an XXE entity through silently (an empty title, no error); on billion laughs
podcastparser stops only at expat's amplification limit with a generic parse error and
feedparser's loose fallback spends 1.4 s and still returns data; podcastparser reads no
podcast:* tag under the official URI and feedparser keeps only the last of several
transcripts; neither says which item is malformed. Each item here is checked on its own.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from ..model import RemoteFile

IT = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
ATOM = "{http://www.w3.org/2005/Atom}"
PODCAST = ("{https://podcastindex.org/namespace/1.0}",
           "{https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md}")
MAX_FEED_BYTES = 64 * 1024 * 1024
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MIME = re.compile(r"^[a-z]+/[a-z0-9.+-]+$", re.I)
CHAPTERS_TYPE = "application/json+chapters"
_TRANSCRIPT_TYPES = {"vtt": "text/vtt", "srt": "application/x-subrip", "json": "application/json",
                     "html": "text/html", "txt": "text/plain"}


class BadItem(Exception):
    """One item cannot be imported: the reason, in a few words."""


@dataclass(frozen=True)
class FeedItem:
    """One <item>, checked: everything the episode keeps."""

    position: int
    guid: str
    title: str
    published: dt.datetime
    enclosure: RemoteFile
    description_html: str
    number: int | None = None
    season: int | None = None
    episode_type: str = "full"
    explicit: bool | None = None
    duration: int | None = None
    transcripts: tuple[RemoteFile, ...] = ()
    chapters: RemoteFile | None = None
    guid_from_enclosure: bool = False


@dataclass(frozen=True)
class Skipped:
    """An item left out, and why."""

    position: int
    label: str
    reason: str

    def line(self) -> str:
        """One line, whatever the feed put in the title or URL (control characters escaped)."""
        text = f"skipped item {self.position} ({self.label}): {self.reason}"
        return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


@dataclass(frozen=True)
class Feed:
    channel: ET.Element
    items: tuple[FeedItem | Skipped, ...]


def read_feed(path: Path) -> Feed:
    """Parse `path` safely; a feed that is not RSS, or is hostile, is a one-line error."""
    import defusedxml
    import defusedxml.ElementTree as DET

    try:
        if path.stat().st_size > MAX_FEED_BYTES:
            raise ConfigError(f"is larger than {MAX_FEED_BYTES >> 20} MB", path=path,
                              hint="split the feed, or check it is the feed you meant")
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot be read: {exc.strerror}", path=path,
                          hint="check the path to the feed file") from exc
    try:
        root = DET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden) as exc:
        raise ConfigError("refused: the feed declares XML entities or refers to external ones "
                          "(as billion-laughs and XXE attacks do)", path=path,
                          hint="remove the <!DOCTYPE …> with its <!ENTITY …> lines; RSS needs "
                               "none") from exc
    except (defusedxml.DefusedXmlException, ET.ParseError) as exc:
        raise ConfigError(f"is not well-formed XML ({exc})", path=path,
                          hint="fix the XML at that line (an unescaped & or <?)") from exc
    channel = root.find("channel") if root.tag == "rss" else None
    if channel is None:
        raise ConfigError(f"is not an RSS feed (the root is <{_local(root.tag)}>)", path=path,
                          hint="pass the podcast's RSS 2.0 feed file")
    return Feed(channel, tuple(_item(i, el) for i, el in enumerate(channel.iter("item"), 1)))


def _item(position: int, element: ET.Element) -> FeedItem | Skipped:
    label = repr(_shorten(text(element, "title") or text(element, "guid") or "untitled"))
    try:
        return _checked_item(position, element)
    except BadItem as bad:
        return Skipped(position, label, str(bad))


def _checked_item(position: int, el: ET.Element) -> FeedItem:
    title = text(el, f"{IT}title") or text(el, "title")
    if not title:
        raise BadItem("it has no title; give it a <title>")
    enclosure = _enclosure(el)
    guid = text(el, "guid")
    return FeedItem(
        position=position, guid=_clean(guid or enclosure.url, "guid"), title=_clean(title, "title"),
        published=_published(text(el, "pubDate")), enclosure=enclosure,
        description_html=text(el, f"{CONTENT}encoded") or text(el, "description")
        or text(el, f"{IT}summary") or "",
        number=_whole(text(el, f"{IT}episode"), "itunes:episode"),
        season=_whole(text(el, f"{IT}season"), "itunes:season"),
        episode_type=_episode_type(text(el, f"{IT}episodeType")),
        explicit=_explicit(text(el, f"{IT}explicit")),
        duration=_duration(text(el, f"{IT}duration")),
        transcripts=tuple(t for node in _podcast(el, "transcript")
                          if (t := _typed(_remote(node, "transcript"))) is not None),
        chapters=next((_typed(_remote(c, "chapters"), CHAPTERS_TYPE)
                       for c in _podcast(el, "chapters")), None),
        guid_from_enclosure=not guid)


def _enclosure(el: ET.Element) -> RemoteFile:
    node = el.find("enclosure")
    if node is None:
        raise BadItem("it has no <enclosure>, so there is no audio to import")
    remote = _remote(node, "enclosure")
    try:
        length = int((node.get("length") or "0").strip())
    except ValueError:
        length = 0
    return RemoteFile(remote.url, remote.type, max(length, 0))


def _remote(node: ET.Element, what: str) -> RemoteFile:
    url = (node.get("url") or "").strip()
    if not url:
        raise BadItem(f"its {what} has no url")
    if not re.match(r"^https?://[^/\s]", url, re.I) or _CONTROL.search(url):
        raise BadItem(f"its {what} url '{_shorten(url)}' is not an http(s) address")
    return RemoteFile(url, (node.get("type") or "").strip(), 0, node.get("rel") or None)


def _typed(link: RemoteFile, default: str | None = None) -> RemoteFile | None:
    """A link with a MIME type: the feed's, else one its file name implies, else `default`;
    a transcript of no knowable type is left out (the feed stage would refuse it)."""
    if _MIME.match(link.type):
        return link
    suffix = link.url.split("?")[0].rsplit(".", 1)[-1].lower()
    mime = _TRANSCRIPT_TYPES.get(suffix, default)
    return RemoteFile(link.url, mime, link.length, link.rel) if mime else None


def _published(raw: str | None) -> dt.datetime:
    if not raw:
        raise BadItem("it has no <pubDate>; without one it would look new to every app")
    try:
        moment = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        try:
            moment = dt.datetime.fromisoformat(raw)
        except ValueError:
            raise BadItem(f"<pubDate> '{_shorten(raw)}' is not an RFC 2822 date") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _whole(raw: str | None, tag: str) -> int | None:
    if raw is None:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise BadItem(f"<{tag}> '{_shorten(raw)}' is not a whole number above 0")
    return int(raw)


def _episode_type(raw: str | None) -> str:
    kind = (raw or "full").lower()
    if kind not in ("full", "trailer", "bonus"):
        raise BadItem(f"<itunes:episodeType> '{_shorten(raw or '')}' is not full, trailer or bonus")
    return kind


def _explicit(raw: str | None) -> bool | None:
    if raw is None:
        return None
    return raw.lower() in ("yes", "true", "explicit")


def _duration(raw: str | None) -> int | None:
    """`1834`, `30:34` or `0:30:34` -> seconds; anything else is read from the audio."""
    if not raw or not re.fullmatch(r"\d+(?::\d{1,2}){0,2}(?:\.\d+)?", raw):
        return None
    seconds = 0
    for part in raw.split(".")[0].split(":"):
        seconds = seconds * 60 + int(part)
    return seconds or None


def _podcast(el: ET.Element, name: str) -> list[ET.Element]:
    return [node for ns in PODCAST for node in el.findall(f"{ns}{name}")]


def _clean(value: str, what: str) -> str:
    if _CONTROL.search(value):
        raise BadItem(f"its {what} contains a control character")
    return value


def text(el: ET.Element, tag: str) -> str | None:
    """The stripped text of `el`'s child `tag`, or None when absent or blank."""
    node = el.find(tag)
    value = (node.text or "").strip() if node is not None else ""
    return value or None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _shorten(value: str) -> str:
    value = value.encode("unicode_escape").decode("ascii")
    return value if len(value) <= 40 else value[:37] + "..."
