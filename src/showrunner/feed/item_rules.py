"""Item rules: Apple's episode requirements and the Podcasting 2.0 item tags."""

from __future__ import annotations

import email.utils
import re

from lxml import etree

from .chapter_rules import description_chapters, description_problems
from .findings import IT, PC, Checker, check_explicit, check_persons, check_required_text, text
from .pc20_rules import check_item_tags
from .spec import (
    CHAPTERS_TYPE,
    CONTENT_NS,
    DESCRIPTION_MAX_BYTES,
    ENCLOSURE_TYPES,
    EPISODE_DISPLAY_MAX,
    EPISODE_TYPES,
    SEASON_NAME_MAX,
    TRANSCRIPT_REL,
    TRANSCRIPT_TYPES,
)

_RFC2822 = re.compile(
    r"^(?:(Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov"
    r"|Dec) \d{4} \d{2}:\d{2}(?::\d{2})? (?:[+-]\d{4}|GMT|UT|[ECMP][SD]T|Z)$")
_MIME = re.compile(r"^[A-Za-z0-9][\w!#$&^.+-]*/[A-Za-z0-9][\w!#$&^.+-]*$")
_NUMBERED_TITLE = re.compile(r"^\s*(?:(?:e|ep\.?|episode|#)\s*\d+|\d+\s*[:.|\-–—])", re.I)


def check_items(channel: etree._Element, items: list[etree._Element], check: Checker) -> None:
    serial = (text(channel, f"{IT}type") or "").strip() == "serial"
    guids: dict[str, str] = {}
    urls: dict[str, str] = {}
    for index, item in enumerate(items, 1):
        where = _item_label(index, item)
        check_required_text(item, "title", where, check)
        if _NUMBERED_TITLE.match(text(item, "title") or ""):
            check.warn(f"{where}: the title starts with an episode number; Apple wants "
                       "numbers only in <itunes:episode>")
        _check_guid(item, where, guids, check)
        _check_enclosure(item, where, urls, check)
        _check_pub_date(item, where, check)
        _check_item_text(item, where, check)
        _check_itunes_numbers(item, where, serial, check)
        check_explicit(item, where, check, required=False)
        _check_item_podcast_tags(item, where, check)


def _item_label(index: int, item: etree._Element) -> str:
    title = " ".join((text(item, "title") or "").split())
    return f"item {index}" + (f" (\"{title[:40]}{'…' if len(title) > 40 else ''}\")"
                              if title else "")


def _check_guid(item: etree._Element, where: str, seen: dict[str, str],
                check: Checker) -> None:
    node = item.find("guid")
    value = (node.text or "").strip() if node is not None else ""
    if not value:
        check.error(f"{where} has no <guid>; Podcast Index drops such episodes and apps "
                    "re-download them when anything changes")
        return
    if value in seen:
        check.error(f"{where}: <guid> '{value}' is also used by {seen[value]}; each episode "
                    "needs its own")
    seen.setdefault(value, where)
    assert node is not None
    permalink = (node.get("isPermaLink") or "true").lower() == "true"
    if permalink and not value.startswith(("http://", "https://")):
        check.error(f"{where}: <guid> '{value}' is not a URL, so it needs isPermaLink=\"false\" "
                    "(RSS 2.0 reads a guid without it as a permalink)")


def _check_enclosure(item: etree._Element, where: str, seen: dict[str, str],
                     check: Checker) -> None:
    enclosures = item.findall("enclosure")
    if not enclosures:
        check.error(f"{where} has no <enclosure>; apps have nothing to play")
        return
    if len(enclosures) > 1:
        check.warn(f"{where} has {len(enclosures)} enclosures; apps use only the first")
    node = enclosures[0]
    url, length, mime = node.get("url"), node.get("length"), node.get("type")
    if not url:
        check.error(f"{where}: the enclosure has no url")
    elif not url.startswith(("http://", "https://")):
        check.error(f"{where}: enclosure url '{url}' is not a full http(s) URL")
    elif url in seen:
        check.error(f"{where}: enclosure url '{url}' is also used by {seen[url]}; Apple "
                    "ignores duplicates")
    else:
        seen[url] = where
    if length is None:
        check.error(f"{where}: the enclosure has no length (bytes)")
    elif not length.strip().isdigit() or int(length) <= 0:
        check.error(f"{where}: enclosure length '{length}' is not a byte count above 0")
    if not mime:
        check.error(f"{where}: the enclosure has no type")
    elif mime not in ENCLOSURE_TYPES.values():
        check.error(f"{where}: enclosure type '{mime}' is not one Apple accepts ("
                    + ", ".join(sorted(set(ENCLOSURE_TYPES.values()))) + ")")


def _check_pub_date(item: etree._Element, where: str, check: Checker) -> None:
    value = text(item, "pubDate")
    if value is None:
        check.warn(f"{where} has no <pubDate>")
        return
    value = value.strip()
    match = _RFC2822.match(value)
    parsed = email.utils.parsedate_tz(value) if match else None
    try:
        moment = email.utils.parsedate_to_datetime(value) if parsed else None
    except ValueError:
        moment = None
    if moment is None:
        check.error(f"{where}: <pubDate> '{value}' is not an RFC 2822 date "
                    "(e.g. Mon, 02 Nov 2026 00:00:00 +0000)")
    elif match and match.group(1) and moment.strftime("%a") != match.group(1):
        check.error(f"{where}: <pubDate> '{value}' names the wrong day of the week")


def _check_item_text(item: etree._Element, where: str, check: Checker) -> None:
    description = text(item, "description") or ""
    if not description.strip():
        check.warn(f"{where} has no <description>")
    elif len(description.encode("utf-8")) > DESCRIPTION_MAX_BYTES:
        check.error(f"{where}: <description> is over {DESCRIPTION_MAX_BYTES} bytes")
    elif description_chapters(description):
        for problem in description_problems(description)[:1]:
            check.warn(f"{where}: the chapter list in <description> is not one Apple and "
                       f"Spotify read: {problem}")
    content = text(item, f"{{{CONTENT_NS}}}encoded") or ""
    if len(content.encode("utf-8")) > DESCRIPTION_MAX_BYTES:
        check.warn(f"{where}: <content:encoded> is over {DESCRIPTION_MAX_BYTES} bytes")
    duration = (text(item, f"{IT}duration") or "").strip()
    if not duration:
        check.warn(f"{where} has no <itunes:duration>")
    elif re.fullmatch(r"\d{1,2}:\d{2}(?::\d{2})?", duration):
        check.warn(f"{where}: <itunes:duration> '{duration}' — Apple recommends seconds")
    elif not duration.isdigit():
        check.error(f"{where}: <itunes:duration> '{duration}' is not seconds or HH:MM:SS")


def _check_itunes_numbers(item: etree._Element, where: str, serial: bool,
                          check: Checker) -> None:
    for tag in ("episode", "season"):
        value = text(item, f"{IT}{tag}")
        if value is not None and not (value.strip().isdigit() and int(value) > 0):
            check.error(f"{where}: <itunes:{tag}> '{value}' is not a whole number above 0")
    if serial and item.find(f"{IT}episode") is None:
        check.error(f"{where} has no <itunes:episode>; a serial show needs one on every episode")
    episode_type = text(item, f"{IT}episodeType")
    if episode_type is not None and episode_type.strip() not in EPISODE_TYPES:
        check.error(f"{where}: <itunes:episodeType> '{episode_type}' is not full, trailer "
                    "or bonus")


def _check_item_podcast_tags(item: etree._Element, where: str, check: Checker) -> None:
    for node in item.findall(f"{PC}transcript"):
        missing = [a for a in ("url", "type") if not (node.get(a) or "").strip()]
        if missing:
            check.error(f"{where}: a <podcast:transcript> lacks " + " and ".join(missing))
        _check_full_url(node, "transcript", where, check)
        mime = (node.get("type") or "").strip()
        if mime and not _MIME.match(mime):
            check.error(f"{where}: <podcast:transcript type=\"{mime}\"> is not a MIME type "
                        "(e.g. text/vtt, application/x-subrip)")
        elif mime and mime.lower() not in TRANSCRIPT_TYPES:
            check.warn(f"{where}: <podcast:transcript type=\"{mime}\"> is not one the "
                       "namespace lists (" + ", ".join(sorted(TRANSCRIPT_TYPES)) + ")")
        rel = node.get("rel")
        if rel is not None and rel != TRANSCRIPT_REL:
            check.warn(f"{where}: <podcast:transcript rel=\"{rel}\"> — only 'captions' is "
                       "defined")
    chapters = item.findall(f"{PC}chapters")
    if len(chapters) > 1:
        check.error(f"{where} has {len(chapters)} <podcast:chapters> tags (only one is allowed)")
    for node in chapters:
        _check_full_url(node, "chapters", where, check)
        if not (node.get("url") or "").strip() or not (node.get("type") or "").strip():
            check.error(f"{where}: <podcast:chapters> needs both url and type")
        elif node.get("type") != CHAPTERS_TYPE:
            check.warn(f"{where}: <podcast:chapters type=\"{node.get('type')}\"> — "
                       f"expected {CHAPTERS_TYPE}")
    check_persons(item.findall(f"{PC}person"), where, check)
    _check_season_episode(item, where, check)
    check_item_tags(item, where, check)


def _check_full_url(node: etree._Element, tag: str, where: str, check: Checker) -> None:
    url = (node.get("url") or "").strip()
    if url and not url.startswith(("http://", "https://")):
        check.error(f"{where}: <podcast:{tag} url=\"{url}\"> is not a full http(s) URL")


def _check_season_episode(item: etree._Element, where: str, check: Checker) -> None:
    for tag, attribute, limit, number in (("season", "name", SEASON_NAME_MAX, r"\d+"),
                                          ("episode", "display", EPISODE_DISPLAY_MAX,
                                           r"\d+(?:\.\d+)?")):
        nodes = item.findall(f"{PC}{tag}")
        if len(nodes) > 1:
            check.error(f"{where} has {len(nodes)} <podcast:{tag}> tags (only one is allowed)")
        for node in nodes:
            if not re.fullmatch(number, (node.text or "").strip()):
                check.error(f"{where}: <podcast:{tag}> '{node.text or ''}' is not a number")
            label = node.get(attribute)
            if label is not None and len(label) > limit:
                check.error(f"{where}: <podcast:{tag} {attribute}=…> is over {limit} characters")
