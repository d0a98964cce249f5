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


def _tag(name: str) -> str:
    return f"{{{PODCAST_NS}}}{name}"


def _add_persons(parent: etree._Element, persons: list[Person]) -> None:
    for person in persons:
        node = xml_elem(_tag("person"), parent, role=person.role)
        for attribute in ("href", "img"):
            value = getattr(person, attribute)
            if value:
                node.attrib[attribute] = value
        node.text = person.name


class Podcast20Extension(BaseExtension):
    """Channel tags: podcast:guid, podcast:locked, podcast:person (the regular hosts)."""

    def __init__(self) -> None:
        self._guid: str | None = None
        self._locked: tuple[bool, str | None] | None = None
        self._persons: list[Person] = []

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS}

    def extend_rss(self, feed: etree._Element) -> etree._Element:
        channel = feed[0]
        if self._guid:
            xml_elem(_tag("guid"), channel).text = self._guid
        if self._locked is not None:
            locked, owner = self._locked
            node = xml_elem(_tag("locked"), channel)
            if owner:
                node.attrib["owner"] = owner
            node.text = "yes" if locked else "no"
        _add_persons(channel, self._persons)
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


class Podcast20EntryExtension(BaseEntryExtension):
    """Item tags: podcast:transcript, podcast:chapters, podcast:person, podcast:season/episode."""

    def __init__(self) -> None:
        self._transcripts: list[TranscriptLink] = []
        self._chapters: str | None = None
        self._persons: list[Person] = []
        self._season: tuple[int, str | None] | None = None
        self._episode: tuple[int, str | None] | None = None

    def extend_rss(self, item: etree._Element) -> etree._Element:
        for link in self._transcripts:
            node = xml_elem(_tag("transcript"), item, url=link.url, type=link.type)
            if link.language:
                node.attrib["language"] = link.language
            if link.captions:
                node.attrib["rel"] = TRANSCRIPT_REL
        if self._chapters:
            xml_elem(_tag("chapters"), item, url=self._chapters, type=CHAPTERS_TYPE)
        _add_persons(item, self._persons)
        for name, value, attribute in (("season", self._season, "name"),
                                       ("episode", self._episode, "display")):
            if value is not None:
                node = xml_elem(_tag(name), item)
                if value[1]:
                    node.attrib[attribute] = value[1]
                node.text = str(value[0])
        return item

    def transcript(self, link: TranscriptLink) -> None:
        """Add a transcript file (repeatable: one per format)."""
        self._transcripts.append(link)

    def chapters(self, url: str) -> None:
        """The episode's Podcasting 2.0 chapters file (single)."""
        self._chapters = url

    def person(self, person: Person) -> None:
        """Add a person; item persons replace the channel's, so restate the host."""
        self._persons.append(person)

    def season(self, number: int, name: str | None = None) -> None:
        """podcast:season: a number for sorting, and a name apps may show instead."""
        self._season = (number, name)

    def episode(self, number: int, display: str | None = None) -> None:
        """podcast:episode: a number, and a short label apps may show instead (≤ 32 chars)."""
        self._episode = (number, display)


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
