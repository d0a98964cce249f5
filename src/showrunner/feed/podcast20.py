"""feedgen extensions: the Podcasting 2.0 namespace, and itunes:explicit as we spell it.

Wired in with `fg.register_extension("podcast20", Podcast20Extension, Podcast20EntryExtension)`
after feedgen's own iTunes extension (which owns the name "podcast"); feedgen calls extensions
in registration order, channel tags before the items are appended.
"""

from __future__ import annotations

from dataclasses import dataclass

import feedgen.feed  # noqa: F401 — feedgen.util needs lxml.etree imported first (feedgen pitfall)
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.util import xml_elem
from lxml import etree

from .spec import CHAPTERS_TYPE, EXPLICIT_VALUE, ITUNES_NS, PODCAST_NS, TRANSCRIPT_REL

__all__ = ["PODCAST_NS", "ExplicitEntryExtension", "ExplicitExtension", "Person",
           "Podcast20EntryExtension", "Podcast20Extension", "TranscriptLink"]


@dataclass(frozen=True)
class Person:
    """A podcast:person: `role` from the Podcast Taxonomy (host, guest, …)."""

    name: str
    role: str = "host"
    href: str | None = None
    img: str | None = None


@dataclass(frozen=True)
class TranscriptLink:
    """A podcast:transcript: `captions` when the file has timecodes."""

    url: str
    type: str
    captions: bool = False
    language: str | None = None


_GUID, _LOCKED, _PERSON, _TRANSCRIPT, _CHAPTERS, _SEASON, _EPISODE = (
    f"{{{PODCAST_NS}}}{name}"
    for name in ("guid", "locked", "person", "transcript", "chapters", "season", "episode"))

# (tag, attributes, text): a Podcasting 2.0 tag as the setters record it; extend_rss writes
# them in the order transcripts, chapters, persons, season, episode.
_Node = tuple[str, dict[str, str], str | None]


def _person(person: Person) -> _Node:
    attributes = {"role": person.role}
    if person.href:
        attributes["href"] = person.href
    if person.img:
        attributes["img"] = person.img
    return (_PERSON, attributes, person.name)


def _write(parent: etree._Element, nodes: list[_Node]) -> None:
    for tag, attributes, text in nodes:
        etree.SubElement(parent, tag, attributes).text = text


class Podcast20Extension(BaseExtension):
    """Channel tags: podcast:guid, podcast:locked, podcast:person (the regular hosts)."""

    def __init__(self) -> None:
        self._guid: str | None = None
        self._locked: tuple[bool, str | None] | None = None
        self._persons: list[Person] = []
        self._extra: list[etree._Element] = []

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

    def extend_rss(self, feed: etree._Element) -> etree._Element:
        nodes: list[_Node] = []
        if self._guid:
            nodes.append((_GUID, {}, self._guid))
        if self._locked is not None:
            locked, owner = self._locked
            nodes.append((_LOCKED, {"owner": owner} if owner else {}, "yes" if locked else "no"))
        _write(feed[0], nodes + [_person(person) for person in self._persons])
        feed[0].extend(self._extra)
        return feed

    def guid(self, value: str) -> None:
        """The show's permanent podcast:guid."""
        self._guid = value

    def locked(self, locked: bool, owner: str | None = None) -> None:
        """podcast:locked: `yes` asks other hosting platforms to refuse importing the feed."""
        self._locked = (locked, owner)

    def person(self, person: Person) -> None:
        """Add one of the show's regular people (repeatable)."""
        self._persons.append(person)

    def extra(self, elements: list[etree._Element]) -> None:
        """Further tags, built by `pc20_extras.channel_elements`."""
        self._extra = list(elements)


class Podcast20EntryExtension(BaseEntryExtension):
    """Item tags: podcast:transcript, podcast:chapters, podcast:person, podcast:season/episode."""

    def __init__(self) -> None:
        self._transcripts: list[_Node] = []
        self._chapters: list[_Node] = []
        self._persons: list[_Node] = []
        self._season: list[_Node] = []
        self._episode: list[_Node] = []
        self._extra: list[etree._Element] = []

    def extend_rss(self, item: etree._Element) -> etree._Element:
        _write(item, self._transcripts + self._chapters + self._persons + self._season
               + self._episode)
        item.extend(self._extra)
        return item

    def extra(self, elements: list[etree._Element]) -> None:
        """Further tags, built by `pc20_extras.item_elements`."""
        self._extra = list(elements)

    def transcript(self, link: TranscriptLink) -> None:
        """Add a transcript file (repeatable: one per format)."""
        attributes = {"url": link.url, "type": link.type}
        if link.language:
            attributes["language"] = link.language
        if link.captions:
            attributes["rel"] = TRANSCRIPT_REL
        self._transcripts.append((_TRANSCRIPT, attributes, None))

    def chapters(self, url: str) -> None:
        """The episode's Podcasting 2.0 chapters file (single)."""
        self._chapters = [(_CHAPTERS, {"url": url, "type": CHAPTERS_TYPE}, None)]

    def person(self, person: Person) -> None:
        """Add a person; item persons replace the channel's, so restate the host."""
        self._persons.append(_person(person))

    def season(self, number: int, name: str | None = None) -> None:
        """podcast:season: a number for sorting, and a name apps may show instead."""
        self._season = [(_SEASON, {"name": name} if name else {}, str(number))]

    def episode(self, number: int, display: str | None = None) -> None:
        """podcast:episode: a number, and a short label apps may show instead (≤ 32 chars)."""
        self._episode = [(_EPISODE, {"display": display} if display else {}, str(number))]


def _write_explicit(parent: etree._Element, explicit: bool | None) -> None:
    # feedgen's iTunes extension accepts only 'yes'/'no'/'clean' strings; we never call its
    # setter and write the one spelling spec.EXPLICIT_VALUE names, replacing any earlier tag.
    if explicit is None:
        return
    tag = f"{{{ITUNES_NS}}}explicit"
    node = parent.find(tag)
    if node is None:
        node = xml_elem(tag, parent)
    node.text = EXPLICIT_VALUE[explicit]


class ExplicitExtension(BaseExtension):
    """itunes:explicit on the channel, from a bool (registered after feedgen's iTunes one)."""

    def __init__(self) -> None:
        self.value: bool | None = None

    def extend_rss(self, feed: etree._Element) -> etree._Element:
        _write_explicit(feed[0], self.value)
        return feed


class ExplicitEntryExtension(BaseEntryExtension):
    """itunes:explicit on an item, from a bool."""

    def __init__(self) -> None:
        self.value: bool | None = None

    def extend_rss(self, item: etree._Element) -> etree._Element:
        _write_explicit(item, self.value)
        return item
