"""Before anything is sent: the feed in public/ names only files public/ holds, at the length it
states, so a deploy can never put up a feed that points at missing audio."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import DeployError
from ..layout import FEED_FILE
from ..podcast_tags import unprefixed
from .files import LocalFile

_PODCAST = "{https://podcastindex.org/namespace/1.0}"
_ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
_AGAIN = "run 'showrunner feed' again, which copies every episode's files into public/"


def check_feed(public: Path, base_url: str, files: Mapping[str, LocalFile],
               analytics_prefix: str | None = None) -> None:
    """Raise DeployError unless every file the feed links under `base_url` is in `files`
    (an enclosure behind the show's analytics prefix is checked as the file it leads to)."""
    path = public / FEED_FILE
    if FEED_FILE not in files:
        raise DeployError("there is no feed to deploy", path=path,
                          hint="run 'showrunner feed' first")
    try:
        root = ET.fromstring(path.read_bytes())
    except ET.ParseError as exc:
        raise DeployError(f"is not well-formed XML ({exc})", path=path, hint=_AGAIN) from exc
    for url, length in _links(root):
        name = _local_name(unprefixed(analytics_prefix, url), base_url)
        if name is None:
            continue  # hosted elsewhere
        if name not in files:
            raise DeployError(f"names {name}, which public/ does not hold", path=path,
                              hint=_AGAIN)
        if length is not None and length != str(files[name].size):
            raise DeployError(f"states {length} bytes for {name}, which has "
                              f"{files[name].size}", path=path, hint=_AGAIN)


def _links(root: ET.Element) -> Iterator[tuple[str, str | None]]:
    """(url, stated length or None) of every file the feed links: enclosures, transcripts,
    chapters and images."""
    for element in root.iter("enclosure"):
        yield element.get("url", ""), element.get("length")
    for tag in (f"{_PODCAST}transcript", f"{_PODCAST}chapters"):
        for element in root.iter(tag):
            yield element.get("url", ""), None
    for element in root.iter(f"{_ITUNES}image"):
        yield element.get("href", ""), None
    for element in root.iter("image"):
        yield (element.findtext("url") or "").strip(), None


def _local_name(url: str, base_url: str) -> str | None:
    if not url.startswith(base_url):
        return None
    name = unquote(urlsplit(url[len(base_url):]).path)
    return name or None
