"""Check any RSS feed against Apple Podcasts' rules and the Podcasting 2.0 tag rules.

No podcast app checks these (see notes/feed-clients.md), so the feed stage runs this on every
new feed before it replaces the old one. Each problem is one finding: an error (the feed is
rejected by Apple, or a client drops or misreads something) or a warning (recommended practice).
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from ..errors import FeedError
from .findings import (
    ERROR,
    IT,
    PC,
    Checker,
    Finding,
    Report,
    check_explicit,
    check_persons,
    check_required_text,
    text,
)
from .item_rules import check_items
from .pc20_rules import check_channel_tags
from .spec import (
    ARTWORK_SUFFIXES,
    CATEGORIES,
    CONTENT_NS,
    DESCRIPTION_MAX_BYTES,
    ITUNES_NS,
    LOCKED_VALUES,
    PODCAST_NS,
    PODCAST_NS_OLD,
    SHOW_TYPES,
)

__all__ = ["Finding", "Report", "validate_feed_bytes", "validate_feed_file"]

_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
_DECLARED_ENCODING = re.compile(rb"^<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']")
_UNCHECKED_HINT = ("escape '&' as &amp; and '<' as &lt; in text, or pass an RSS 2.0 podcast "
                   "feed; apps reject a feed that does not parse")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          huge_tree=True, remove_blank_text=False)


def validate_feed_file(path: Path) -> Report:
    """Read and check a feed file. A file that cannot be checked at all (missing, unreadable,
    not well-formed XML, not RSS 2.0) is a one-line FeedError naming where and how to fix it."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise FeedError("no feed here", path=path,
                        hint="build it with 'showrunner feed' or pass the feed's path") from exc
    except OSError as exc:
        raise FeedError(f"cannot read the feed: {exc.strerror}", path=path,
                        hint="check the file's permissions") from exc
    report = validate_feed_bytes(data, source=str(path))
    if not report.checked:
        raise FeedError(report.errors[-1].message, path=path, hint=_UNCHECKED_HINT)
    return report


def validate_feed_bytes(data: bytes, source: str = "feed") -> Report:
    """Check a feed's bytes; see the module docstring for what is checked."""
    check = Checker()
    _check_encoding(data, check)
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        reason = re.sub(r", line \d+, column \d+$", "", str(exc.msg))
        check.error(f"not well-formed XML (line {exc.lineno}, column {exc.offset}): "
                    f"{reason}; podcastparser and partytime reject the whole feed")
        return _report(source, check, 0, checked=False)
    channel = root.find("channel")
    if root.tag != "rss" or root.get("version") != "2.0" or channel is None:
        check.error("not an RSS 2.0 feed (<rss version=\"2.0\"><channel> expected)")
        return _report(source, check, 0, checked=False)
    _check_namespaces(root, check)
    _check_channel(channel, check)
    items = channel.findall("item")
    if not items:
        check.warn("the feed has no episodes; Apple lists a show only once it has one")
    check_items(channel, items, check)
    return _report(source, check, len(items))


def _report(source: str, check: Checker, items: int, *, checked: bool = True) -> Report:
    ordered = sorted(check.findings, key=lambda f: f.level != ERROR)
    return Report(source, tuple(ordered), items, checked)


# ---------------------------------------------------------------- document


def _check_encoding(data: bytes, check: Checker) -> None:
    if not data.lstrip(b"\xef\xbb\xbf").startswith(b"<?xml"):
        check.warn("no XML declaration (<?xml version=\"1.0\" encoding=\"UTF-8\"?>)")
    declared = _DECLARED_ENCODING.match(data.lstrip(b"\xef\xbb\xbf"))
    if declared and declared.group(1).decode().lower().replace("_", "-") not in ("utf-8", "utf8"):
        check.error(f"declares encoding {declared.group(1).decode()}; Apple requires UTF-8")
        return
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        check.error(f"not UTF-8 (invalid byte at offset {exc.start}); Apple requires UTF-8")


def _check_namespaces(root: etree._Element, check: Checker) -> None:
    prefixes = {uri: prefix for prefix, uri in root.nsmap.items()}
    if prefixes.get(ITUNES_NS) != "itunes":
        check.error("the iTunes namespace is not declared as xmlns:itunes on <rss>")
    if prefixes.get(CONTENT_NS) != "content":
        check.warn("the content namespace is not declared as xmlns:content on <rss>")
    if PODCAST_NS_OLD in prefixes:
        check.warn("uses the old Podcasting 2.0 namespace URI; use " + PODCAST_NS)
    for uri in (PODCAST_NS, PODCAST_NS_OLD):
        prefix = prefixes.get(uri)
        if prefix is not None and prefix != "podcast":
            check.error(f"the Podcasting 2.0 namespace is bound to '{prefix}:'; partytime and "
                        "Podverse read only the prefix 'podcast:'")


# ---------------------------------------------------------------- channel


def _check_channel(channel: etree._Element, check: Checker) -> None:
    check_required_text(channel, "title", "the show", check)
    description = text(channel, "description")
    if not (description or "").strip():
        check.error("the show has no <description>")
    elif len(description.encode("utf-8")) > DESCRIPTION_MAX_BYTES:  # type: ignore[union-attr]
        check.error(f"the show's <description> is over {DESCRIPTION_MAX_BYTES} bytes")
    if channel.find("link") is None:
        check.warn("the show has no <link> to its website")
    language = text(channel, "language")
    if not language:
        check.error("the show has no <language> (an ISO 639 code such as en or en-us)")
    elif not _LANGUAGE.match(language.strip()):
        check.error(f"<language> '{language}' is not an ISO 639 code (e.g. en, en-us)")
    _check_artwork(channel, check)
    _check_category(channel, check)
    check_explicit(channel, "the show", check, required=True)
    owner = channel.find(f"{IT}owner")
    if owner is None:
        check.warn("no <itunes:owner> with an <itunes:email>; hosting guides require it")
    elif not (text(owner, f"{IT}email") or "").strip():
        check.error("<itunes:owner> has no <itunes:email>; the owner element needs one")
    if not (text(channel, f"{IT}author") or "").strip():
        check.warn("no <itunes:author>")
    show_type = text(channel, f"{IT}type")
    if show_type is not None and show_type.strip() not in SHOW_TYPES:
        check.error(f"<itunes:type> '{show_type}' is not episodic or serial")
    _check_podcast_guid(channel, check)
    _check_locked(channel, check)
    check_persons(channel.findall(f"{PC}person"), "the show", check)
    check_channel_tags(channel, check)


def _check_artwork(channel: etree._Element, check: Checker) -> None:
    image = channel.find(f"{IT}image")
    href = (image.get("href") or "").strip() if image is not None else ""
    if not href:
        check.error("no <itunes:image href=…>; Apple requires 1400–3000 px square artwork")
        return
    if not href.startswith(("http://", "https://")):
        check.error(f"<itunes:image href=\"{href}\"> is not a full http(s) URL; apps do not "
                    "resolve it against the feed's address")
        return
    suffix = Path(urlsplit(href).path).suffix.lower()
    if suffix not in ARTWORK_SUFFIXES:
        check.error(f"artwork URL '{href}' must end in .jpg or .png (Apple, and feedgen, "
                    "ignore .jpeg and other names)")


def _check_category(channel: etree._Element, check: Checker) -> None:
    category = channel.find(f"{IT}category")
    if category is None:
        check.error("no <itunes:category>; Apple requires one from its list")
        return
    name = category.get("text") or ""
    if name not in CATEGORIES:
        check.error(f"<itunes:category text=\"{name}\"> is not in Apple's category list")
        return
    sub = category.find(f"{IT}category")
    if sub is not None and sub.get("text") not in CATEGORIES[name]:
        check.error(f"<itunes:category text=\"{sub.get('text')}\"> is not one of {name}'s "
                    "subcategories in Apple's list")


def _check_podcast_guid(channel: etree._Element, check: Checker) -> None:
    guids = channel.findall(f"{PC}guid")
    if len(guids) > 1:
        check.error("<podcast:guid> appears more than once (it is single)")
    for node in guids:
        value = (node.text or "").strip()
        try:
            parsed = uuid.UUID(value)
        except ValueError:
            check.error(f"<podcast:guid> '{value}' is not a UUID (36 characters, 4 hyphens)")
            continue
        if len(value) != 36 or str(parsed) != value.lower():
            check.error(f"<podcast:guid> '{value}' is not in the 8-4-4-4-12 UUID form")
        elif parsed.version != 5:
            check.warn(f"<podcast:guid> '{value}' is not a UUIDv5 of the feed URL")


def _check_locked(channel: etree._Element, check: Checker) -> None:
    nodes = channel.findall(f"{PC}locked")
    if len(nodes) > 1:
        check.error("<podcast:locked> appears more than once (it is single)")
    for node in nodes:
        if (node.text or "").strip().lower() not in LOCKED_VALUES:
            check.error(f"<podcast:locked> '{node.text}' must be yes or no")
