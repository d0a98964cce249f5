"""The Podcasting 2.0 tags hosts set in show.yaml, episode.yaml and notes.md, as XML elements.

Channel: podcast:txt, podcast:podroll, podcast:image, podcast:podping, podcast:funding and
podcast:license. Item: podcast:soundbite, podcast:txt, podcast:image and podcast:license.
`Podcast20Extension` and `Podcast20EntryExtension` append what these functions return.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from ..podcast_tags import EpisodeTags, Image, ShowTags, Soundbite
from .spec import PODCAST_NS, xml_safe


def _tag(name: str) -> str:
    return f"{{{PODCAST_NS}}}{name}"


def _element(name: str, attributes: dict[str, str | None], text: str | None = None,
             ) -> etree._Element:
    node = etree.Element(_tag(name), {k: xml_safe(v) for k, v in attributes.items() if v})
    if text is not None:
        node.text = xml_safe(text)
    return node


def _seconds(value: float) -> str:
    return str(round(float(value), 2))  # "73.0", "42.25", as the namespace's examples


def _common(tags: EpisodeTags) -> list[etree._Element]:
    nodes = [_element("txt", {"purpose": t.purpose}, t.text) for t in tags.txt]
    nodes += [_image(image) for image in tags.images]
    if tags.license is not None:
        nodes.append(_element("license", {"url": tags.license.url}, tags.license.name))
    return nodes


def _image(image: Image) -> etree._Element:
    return _element("image", {
        "href": image.href, "alt": image.alt, "aspect-ratio": image.aspect_ratio,
        "width": str(image.width) if image.width else None,
        "height": str(image.height) if image.height else None,
        "type": image.type, "purpose": image.purpose})


def channel_elements(tags: ShowTags, funding: Sequence[tuple[str, str]]) -> list[etree._Element]:
    """The show's own tags, in the order: txt, image, license, funding, podroll, podping."""
    nodes = _common(tags)
    nodes += [_element("funding", {"url": url}, text) for text, url in funding]
    if tags.podroll:
        podroll = _element("podroll", {})
        for feed in tags.podroll:
            podroll.append(_element("remoteItem", {"feedGuid": feed.feed_guid,
                                                   "feedUrl": feed.feed_url,
                                                   "title": feed.title}))
        nodes.append(podroll)
    if tags.podping:
        nodes.append(_element("podping", {"usesPodping": "true"}))
    return nodes


def item_elements(tags: EpisodeTags, soundbite: Soundbite | None) -> list[etree._Element]:
    """An episode's own tags: soundbite, then txt, image and license."""
    nodes = []
    if soundbite is not None:
        nodes.append(_element("soundbite", {"startTime": _seconds(soundbite.start),
                                            "duration": _seconds(soundbite.duration)},
                              soundbite.title or None))
    return nodes + _common(tags)
