"""Feed facts -> RSS 2.0 bytes, through feedgen, its iTunes extension and ours.

This module knows feedgen and nothing of the show folder: `gather` turns a show into the
facts below, `publish` decides what goes in and writes the file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import feedgen.feed  # noqa: F401 — must precede feedgen.util (feedgen pitfall)
from feedgen.entry import FeedEntry
from feedgen.ext.podcast import PodcastExtension
from feedgen.ext.podcast_entry import PodcastEntryExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from ..model import Chapter
from ..podcast_tags import EpisodeTags, ShowTags, Soundbite
from .pc20_extras import channel_elements, item_elements
from .podcast20 import (
    ExplicitEntryExtension,
    ExplicitExtension,
    Person,
    Podcast20EntryExtension,
    Podcast20Extension,
    TranscriptLink,
)
from .podlove import PodloveEntryExtension, PodloveExtension
from .spec import xml_safe

GENERATOR = "showrunner"

def cdata(html: str) -> etree.CDATA:
    """HTML wrapped as CDATA; a literal `]]>` inside is escaped so the section cannot end early."""
    return etree.CDATA(xml_safe(html).replace("]]>", "]]&gt;"))


@dataclass(frozen=True)
class Channel:
    """Everything the <channel> says about the show."""

    title: str
    description_html: str
    website: str
    feed_url: str
    language: str
    author: str
    owner_name: str
    owner_email: str
    artwork_url: str
    category: str
    subcategory: str | None
    explicit: bool
    show_type: str
    locked: bool
    podcast_guid: str
    hosts: tuple[Person, ...]
    copyright: str | None = None
    version: str = ""
    tags: ShowTags = ShowTags()
    funding: tuple[tuple[str, str], ...] = ()  # (text, url) of calls to action marked funding


@dataclass(frozen=True)
class Item:
    """Everything one <item> says about a published episode."""

    guid: str
    title: str
    published: dt.datetime
    enclosure_url: str
    enclosure_length: int
    enclosure_type: str
    duration: int
    description_html: str
    link: str | None = None
    number: int | None = None
    season: int | None = None
    episode_type: str = "full"
    explicit: bool | None = None
    transcripts: tuple[TranscriptLink, ...] = ()
    chapters_url: str | None = None
    persons: tuple[Person, ...] = ()
    season_tag: tuple[int, str | None] | None = None
    episode_display: str | None = None
    tags: EpisodeTags = EpisodeTags()
    soundbite: Soundbite | None = None
    chapters: tuple[Chapter, ...] = ()  # Podlove Simple Chapters


def new_generator() -> FeedGenerator:
    """A FeedGenerator with the iTunes, Podcasting 2.0, explicit and Podlove Simple Chapters
    extensions, in that order."""
    fg = FeedGenerator()
    fg.register_extension("podcast", PodcastExtension, PodcastEntryExtension)
    fg.register_extension("podcast20", Podcast20Extension, Podcast20EntryExtension)
    # After "podcast": it writes itunes:explicit from a bool, in the spelling spec.py chooses.
    fg.register_extension("explicit", ExplicitExtension, ExplicitEntryExtension)
    fg.register_extension("psc", PodloveExtension, PodloveEntryExtension)
    return fg


def build_xml(channel: Channel, items: list[Item]) -> bytes:
    """The feed as UTF-8 bytes with an XML declaration, items in the order given."""
    fg = new_generator()
    _set_channel(fg, channel)
    if items:
        latest = max(item.published for item in items)
        fg.lastBuildDate(latest)
        fg.pubDate(latest)
    for item in items:
        # feedgen prepends by default, which would reverse the order (feedgen pitfall)
        _set_item(fg.add_entry(order="append"), item)
    return bytes(fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True))


def _set_channel(fg: FeedGenerator, channel: Channel) -> None:
    fg.title(xml_safe(channel.title))
    fg.description(cdata(channel.description_html))
    # RSS <link> is taken from the LAST link() call whatever its rel: self first (pitfall).
    fg.link(href=channel.feed_url, rel="self", type="application/rss+xml")
    fg.link(href=channel.website, rel="alternate")
    fg.language(channel.language)
    fg.generator(GENERATOR, version=channel.version or None, uri=None)
    fg.image(url=channel.artwork_url, title=xml_safe(channel.title), link=channel.website)
    if channel.copyright:
        fg.copyright(xml_safe(channel.copyright))
    itunes = fg.podcast
    itunes.itunes_author(xml_safe(channel.author))
    itunes.itunes_owner(name=xml_safe(channel.owner_name), email=channel.owner_email)
    # itunes_image() silently drops URLs not ending .jpg/.png (pitfall): gather checks first.
    itunes.itunes_image(channel.artwork_url)
    itunes.itunes_category(channel.category, channel.subcategory)
    itunes.itunes_type(channel.show_type)
    fg.explicit.value = channel.explicit
    pc20 = fg.podcast20
    pc20.guid(channel.podcast_guid)
    pc20.locked(channel.locked, channel.owner_email)
    for person in channel.hosts:
        pc20.person(_safe_person(person))
    pc20.extra(channel_elements(channel.tags, channel.funding))


def _set_item(fe: FeedEntry, item: Item) -> None:
    fe.title(xml_safe(item.title))
    fe.guid(item.guid, permalink=False)
    if item.link:
        fe.link(href=item.link)
    fe.pubDate(item.published)
    # length is always a real byte count: feedgen would write length="None" (pitfall)
    fe.enclosure(item.enclosure_url, str(item.enclosure_length), item.enclosure_type)
    fe.description(cdata(item.description_html))
    fe.content(xml_safe(item.description_html).replace("]]>", "]]&gt;"), type="CDATA")
    itunes = fe.podcast
    itunes.itunes_duration(str(item.duration))
    itunes.itunes_episode_type(item.episode_type)
    if item.number:
        itunes.itunes_episode(item.number)
    if item.season:
        itunes.itunes_season(item.season)
    fe.explicit.value = item.explicit
    pc20 = fe.podcast20
    for link in item.transcripts:
        pc20.transcript(link)
    if item.chapters_url:
        pc20.chapters(item.chapters_url)
    for person in item.persons:
        pc20.person(_safe_person(person))
    if item.season_tag is not None:
        pc20.season(item.season_tag[0], xml_safe(item.season_tag[1] or "") or None)
    if item.number:
        pc20.episode(item.number, item.episode_display)
    pc20.extra(item_elements(item.tags, item.soundbite))
    fe.psc.chapters([(c.start, xml_safe(c.title)) for c in item.chapters])


def _safe_person(person: Person) -> Person:
    return Person(xml_safe(person.name), person.role, person.href, person.img)
