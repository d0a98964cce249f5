"""The Podcasting 2.0 tags hosts set in show.yaml and episode.yaml, and the analytics prefix.

show.yaml (every key optional):

    analytics_prefix: https://op3.dev/e/   # the feed's enclosure URLs only; off when absent
    podping: true                          # <podcast:podping usesPodping="true"/>
    license: cc-by-4.0                     # license_url: … required for a custom licence
    txt: [{purpose: applepodcastsverify, text: "05124"}]
    podroll: [{feed_guid: 917393e3-1b1e-5cef-ace4-edaa54e1f810, title: Podcasting 2.0}]
    images: [{href: https://example.com/wide.jpg, aspect_ratio: 16/9, width: 1920, purpose: social}]
    calls_to_action: [{text: Support the show, url: https://…, funding: true}]  # podcast:funding

episode.yaml takes license, license_url, txt and images for its own <item>. The soundbite is
not here: the notes stage drafts it into notes.md's front matter, where the host edits it.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .schema import Field, ListOf, Obj

SOUNDBITE_SECONDS = (15.0, 60.0)  # what the notes stage drafts (the namespace suggests 15–120)
FUNDING_TEXT_MAX = 128
TXT_MAX = 4000
LICENSE_MAX = 128
ANALYTICS_EXAMPLES = "https://op3.dev/e/ or https://dts.podtrac.com/redirect.mp3/"


@dataclass(frozen=True)
class Txt:
    text: str
    purpose: str | None = None


@dataclass(frozen=True)
class RemoteFeed:
    """A show the host recommends (podcast:podroll's podcast:remoteItem)."""

    feed_guid: str
    feed_url: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Image:
    """podcast:image: `href` required, the rest display hints."""

    href: str
    alt: str | None = None
    aspect_ratio: str | None = None
    width: int | None = None
    height: int | None = None
    type: str | None = None
    purpose: str | None = None


@dataclass(frozen=True)
class License:
    name: str
    url: str | None = None


@dataclass(frozen=True)
class Soundbite:
    """A stretch of the episode's published MP3 (seconds), and its title."""

    start: float
    duration: float
    title: str = ""


@dataclass(frozen=True)
class EpisodeTags:
    license: License | None = None
    txt: tuple[Txt, ...] = ()
    images: tuple[Image, ...] = ()


@dataclass(frozen=True)
class ShowTags(EpisodeTags):
    analytics_prefix: str | None = None
    podping: bool = False
    podroll: tuple[RemoteFeed, ...] = ()


_TXT = Obj({"text": Field(required=True, example="'05124'"),
            "purpose": Field(example="applepodcastsverify")})
_IMAGE = Obj({"href": Field("url", required=True, example="https://example.com/wide.jpg"),
              "alt": Field(), "aspect_ratio": Field(example="16/9"),
              "width": Field("int", minimum=1, maximum=100000),
              "height": Field("int", minimum=1, maximum=100000),
              "type": Field(example="image/jpeg"), "purpose": Field(example="social")})
EPISODE_TAGS_SCHEMA: dict[str, Any] = {
    "license": Field(example="cc-by-4.0"), "license_url": Field("url"),
    "txt": ListOf(_TXT, example="[{purpose: verify, text: S6lpp-7ZCn8}]"),
    "images": ListOf(_IMAGE, example="[{href: https://example.com/wide.jpg}]"),
}
SHOW_TAGS_SCHEMA: dict[str, Any] = {
    **EPISODE_TAGS_SCHEMA,
    "analytics_prefix": Field(example="https://op3.dev/e/"),
    "podping": Field("bool"),
    "podroll": ListOf(Obj({"feed_guid": Field(required=True,
                                              example="917393e3-1b1e-5cef-ace4-edaa54e1f810"),
                           "feed_url": Field("url"), "title": Field()}),
                      example="[{feed_guid: 917393e3-1b1e-5cef-ace4-edaa54e1f810}]"),
}

_ASPECT = re.compile(r"^\d+(?:\.\d+)?\s*/\s*\d+(?:\.\d+)?$")
_MIME = re.compile(r"^[a-z]+/[\w.+-]+$")


def show_tags(clean: dict[str, Any], path: Path) -> ShowTags:
    """show.yaml's checked tags (`clean` already passed SHOW_TAGS_SCHEMA)."""
    _check_funding(clean.get("calls_to_action") or [], path)
    base = episode_tags(clean, path)
    return ShowTags(license=base.license, txt=base.txt, images=base.images,
                    analytics_prefix=_prefix(clean.get("analytics_prefix"), path),
                    podping=clean.get("podping", False),
                    podroll=tuple(_remote(i, r, path)
                                  for i, r in enumerate(clean.get("podroll") or []) if r))


def episode_tags(clean: dict[str, Any], path: Path) -> EpisodeTags:
    """The checked license, txt and images of show.yaml or an episode.yaml."""
    return EpisodeTags(license=_license(clean.get("license"), clean.get("license_url"), path),
                       txt=tuple(_txt(i, t, path) for i, t in enumerate(clean.get("txt") or [])
                                 if t),
                       images=tuple(_image(i, m, path)
                                    for i, m in enumerate(clean.get("images") or []) if m))


def prefixed(prefix: str | None, url: str) -> str:
    """`url` behind an analytics prefix, as OP3 and Podtrac document it: the prefix, then the
    URL without `https://` (an http:// URL keeps its scheme, OP3's form for plain http)."""
    if not prefix:
        return url
    return prefix + (url[len("https://"):] if url.startswith("https://") else url)


def unprefixed(prefix: str | None, url: str) -> str:
    """The URL `prefixed` was given back: what deploy checks against public/."""
    if not prefix or not url.startswith(prefix):
        return url
    rest = url[len(prefix):]
    return rest if rest.startswith(("http://", "https://")) else "https://" + rest


def _prefix(value: str | None, path: Path) -> str | None:
    if value is None or not value.strip():
        return None
    prefix = value.strip()
    problem = None
    if not prefix.startswith(("https://", "http://")):
        problem = "does not start with https://"
    elif "?" in prefix or "#" in prefix or " " in prefix:
        problem = "has a query, fragment or space in it"
    elif "." not in prefix.split("://", 1)[1].split("/", 1)[0]:
        problem = "names no host"
    elif not prefix.endswith("/"):
        problem = "does not end in '/'"
    if problem:
        raise ConfigError(f"'analytics_prefix' {prefix!r} {problem}", path=path,
                          hint=f"write the prefix your analytics service gives, ending in '/', "
                               f"e.g. {ANALYTICS_EXAMPLES}; or delete the line to turn it off")
    return prefix


def _check_funding(calls: list[Any], path: Path) -> None:
    for i, call in enumerate(calls):
        if call and call.get("funding") and len(call["text"]) > FUNDING_TEXT_MAX:
            raise ConfigError(f"'calls_to_action[{i}].text' is over {FUNDING_TEXT_MAX} "
                              "characters, and it is marked funding: true", path=path,
                              hint="shorten it: apps show podcast:funding text next to a "
                                   "button and cut longer text")


def _license(name: str | None, url: str | None, path: Path) -> License | None:
    if name is None or not name.strip():
        if url:
            raise ConfigError("'license_url' is set but 'license' is not", path=path,
                              hint="add 'license: <identifier>', e.g. my-podcast-license-v1")
        return None
    name = name.strip()
    if len(name) > LICENSE_MAX or any(ch.isspace() for ch in name):
        raise ConfigError(f"'license' {name[:40]!r} is not a licence identifier", path=path,
                          hint="write an SPDX identifier such as cc-by-4.0, or your own short "
                               "name with 'license_url:' pointing at its full text")
    return License(name, url)


def _txt(index: int, item: dict[str, Any], path: Path) -> Txt:
    text = item["text"].strip()
    if not text or len(text) > TXT_MAX:
        raise ConfigError(f"'txt[{index}].text' is {'empty' if not text else 'too long'}",
                          path=path, hint=f"write the value you were given (1 to {TXT_MAX} "
                                          "characters), quoted if it is a number")
    return Txt(text, (item.get("purpose") or "").strip() or None)


def _remote(index: int, item: dict[str, Any], path: Path) -> RemoteFeed:
    guid = item["feed_guid"].strip()
    try:
        guid = str(uuid.UUID(guid)) if len(guid) == 36 else ""
    except ValueError:
        guid = ""
    if not guid:
        raise ConfigError(f"'podroll[{index}].feed_guid' {item['feed_guid']!r} is not a "
                          "podcast:guid", path=path,
                          hint="copy the show's 36-character podcast:guid from its feed or "
                               "from podcastindex.org")
    return RemoteFeed(guid, item.get("feed_url"), item.get("title"))


def _image(index: int, item: dict[str, Any], path: Path) -> Image:
    ratio, mime = item.get("aspect_ratio"), item.get("type")
    if not item["href"].startswith(("http://", "https://")):
        raise ConfigError(f"'images[{index}].href' is not a web address", path=path,
                          hint="write the image's full https:// address")
    if ratio is not None and not _ASPECT.match(ratio):
        raise ConfigError(f"'images[{index}].aspect_ratio' {ratio!r} is not a ratio",
                          path=path, hint="write it as width/height, e.g. 16/9 or 1/1")
    if mime is not None and not _MIME.match(mime):
        raise ConfigError(f"'images[{index}].type' {mime!r} is not a MIME type", path=path,
                          hint="write it as image/jpeg, image/png or video/mp4, or remove it")
    return Image(item["href"], item.get("alt"), ratio and ratio.replace(" ", ""),
                 item.get("width"), item.get("height"), mime, item.get("purpose"))
