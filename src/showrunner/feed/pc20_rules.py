"""Rules for the Podcasting 2.0 tags hosts set: txt, image, license and funding (channel or
item), podroll and podping (channel), soundbite (item). Errors are what partytime drops or
misreads, or what the namespace forbids; warnings are its recommendations."""

from __future__ import annotations

import re
import uuid

from lxml import etree

from .findings import IT, PC, Checker, text

TXT_MAX, FUNDING_MAX, PURPOSE_MAX = 4000, 128, 128
SOUNDBITE_RECOMMENDED = (15.0, 120.0)
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_ASPECT = re.compile(r"^\d+(?:\.\d+)?/\d+(?:\.\d+)?$")


def check_channel_tags(channel: etree._Element, check: Checker) -> None:
    _check_shared(channel, "the show", check)
    rolls = channel.findall(f"{PC}podroll")
    if len(rolls) > 1:
        check.error("<podcast:podroll> appears more than once (it is single)")
    for roll in rolls:
        items = roll.findall(f"{PC}remoteItem")
        if not items:
            check.error("<podcast:podroll> holds no <podcast:remoteItem>; partytime drops it")
        for item in items:
            _check_remote_item(item, check)
    pings = channel.findall(f"{PC}podping")
    if len(pings) > 1:
        check.error("<podcast:podping> appears more than once (it is single)")
    for ping in pings:
        if (ping.get("usesPodping") or "").strip() not in ("true", "false"):
            check.error(f"<podcast:podping usesPodping=\"{ping.get('usesPodping') or ''}\"> "
                        "must be true or false")


def check_item_tags(item: etree._Element, where: str, check: Checker) -> None:
    _check_shared(item, where, check)
    length = (text(item, f"{IT}duration") or "").strip()
    for node in item.findall(f"{PC}soundbite"):
        _check_soundbite(node, where, check, float(length) if length.isdigit() else None)


def _check_shared(parent: etree._Element, where: str, check: Checker) -> None:
    for node in parent.findall(f"{PC}txt"):
        value = (node.text or "").strip()
        if not value:
            check.error(f"{where}: a <podcast:txt> is empty")
        elif len(value) > TXT_MAX:
            check.error(f"{where}: a <podcast:txt> is over {TXT_MAX} characters")
        elif _NUMBER.match(value):
            check.warn(f"{where}: <podcast:txt> '{value}' is all digits; partytime (Podcast "
                       "Index) reads it as a number and drops it")
        if len(node.get("purpose") or "") > PURPOSE_MAX:
            check.error(f"{where}: <podcast:txt purpose=…> is over {PURPOSE_MAX} characters")
    for node in parent.findall(f"{PC}image"):
        _check_image(node, where, check)
    for node in parent.findall(f"{PC}funding"):
        _check_url(node, "funding", where, check, required=True)
        if len((node.text or "").strip()) > FUNDING_MAX:
            check.warn(f"{where}: <podcast:funding> text is over {FUNDING_MAX} characters; "
                       "apps cut it")
    licenses = parent.findall(f"{PC}license")
    if len(licenses) > 1:
        check.error(f"{where} has {len(licenses)} <podcast:license> tags (only one is allowed)")
    for node in licenses:
        value = (node.text or "").strip()
        if not value or any(ch.isspace() for ch in value):
            check.error(f"{where}: <podcast:license> '{value}' is not a licence identifier")
        _check_url(node, "license", where, check, required=False)


def _check_url(node: etree._Element, tag: str, where: str, check: Checker, *, required: bool,
               attribute: str = "url") -> None:
    url = (node.get(attribute) or "").strip()
    if not url:
        if required:
            check.error(f"{where}: a <podcast:{tag}> has no {attribute}")
    elif not url.startswith(("http://", "https://")):
        check.error(f"{where}: <podcast:{tag} {attribute}=\"{url}\"> is not a full http(s) URL")


def _check_image(node: etree._Element, where: str, check: Checker) -> None:
    _check_url(node, "image", where, check, required=True, attribute="href")
    for attribute in ("width", "height"):
        value = node.get(attribute)
        if value is not None and not (value.isdigit() and int(value) > 0):
            check.error(f"{where}: <podcast:image {attribute}=\"{value}\"> is not a whole "
                        "number of pixels")
    ratio = node.get("aspect-ratio")
    if ratio is not None and not _ASPECT.match(ratio.replace(" ", "")):
        check.error(f"{where}: <podcast:image aspect-ratio=\"{ratio}\"> is not a ratio such "
                    "as 16/9")


def _check_remote_item(node: etree._Element, check: Checker) -> None:
    guid = (node.get("feedGuid") or "").strip()
    try:
        valid = len(guid) == 36 and bool(uuid.UUID(guid))
    except ValueError:
        valid = False
    if not valid:
        check.error(f"<podcast:remoteItem feedGuid=\"{guid}\"> in the podroll is not a "
                    "podcast:guid (a UUID); partytime drops it")
    _check_url(node, "remoteItem", "the show", check, required=False, attribute="feedUrl")


def _check_soundbite(node: etree._Element, where: str, check: Checker,
                     episode_seconds: float | None) -> None:
    start, length = node.get("startTime"), node.get("duration")
    if start is None or length is None:
        check.error(f"{where}: a <podcast:soundbite> needs startTime and duration")
        return
    if not _NUMBER.match(start.strip()) or not _NUMBER.match(length.strip()):
        check.error(f"{where}: <podcast:soundbite startTime=\"{start}\" duration=\"{length}\"> "
                    "are not seconds")
        return
    if float(length) <= 0:
        check.error(f"{where}: <podcast:soundbite> has duration {length}; it must be above 0")
    elif not SOUNDBITE_RECOMMENDED[0] <= float(length) <= SOUNDBITE_RECOMMENDED[1]:
        check.warn(f"{where}: <podcast:soundbite> lasts {length} s; the namespace recommends "
                   "15 to 120 s")
    if episode_seconds is not None and float(start) + float(length) > episode_seconds + 1:
        check.error(f"{where}: <podcast:soundbite> ends at {float(start) + float(length):g} s, "
                    f"after the episode's <itunes:duration> ({episode_seconds:g} s)")
    if float(start) == 0:
        check.warn(f"{where}: <podcast:soundbite startTime=\"{start}\"> — partytime drops a "
                   "soundbite that starts at 0")
