"""The old feed's <channel> -> the settings of show.yaml, checked before anything is written."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from ..config import SHOW_SCHEMA, dump_yaml
from ..errors import ConfigError
from ..schema import Problem, validate
from .description import markdown_from_html
from .reading import ATOM, IT, PODCAST, text

_FIX = "add it to the feed, or write show.yaml yourself first (import keeps an existing one)"


def show_settings(channel: ET.Element, feed: Path, artwork: str | None) -> dict[str, Any]:
    """show.yaml's settings from the channel; a missing required one is a one-line error."""
    owner = channel.find(f"{IT}owner")
    category = channel.find(f"{IT}category")
    sub = category.find(f"{IT}category") if category is not None else None
    author = text(channel, f"{IT}author")
    owner_name = (text(owner, f"{IT}name") if owner is not None else None) or author
    settings: dict[str, Any] = {
        "title": text(channel, "title"),
        "description": _plain(text(channel, "description") or text(channel, f"{IT}summary")),
        "website": text(channel, "link"),
        "feed_url": _self_link(channel),
        "language": (text(channel, "language") or "en").split("-")[0].lower(),
        "author": author,
        "owner": {"name": owner_name,
                  "email": text(owner, f"{IT}email") if owner is not None else None},
        "artwork": artwork,
        "category": category.get("text") if category is not None else None,
        "subcategory": sub.get("text") if sub is not None else None,
        "explicit": (text(channel, f"{IT}explicit") or "").lower() in ("yes", "true"),
        "copyright": text(channel, "copyright"),
        "type": (text(channel, f"{IT}type") or "episodic").lower(),
        "locked": _locked(channel),
        "podcast_guid": _podcast_text(channel, "guid"),
        "hosts": [{"name": name} for name in _hosts(channel) or [owner_name or ""] if name],
    }
    settings = _pruned(settings)
    _check(settings, feed)
    return settings


def show_yaml_text(settings: dict[str, Any]) -> str:
    return "# imported by 'showrunner import'; edit freely\n" + dump_yaml(settings)


def _self_link(channel: ET.Element) -> str | None:
    for link in channel.findall(f"{ATOM}link"):
        if link.get("rel") == "self" and link.get("href"):
            return link.get("href")
    return text(channel, f"{IT}new-feed-url")


def _locked(channel: ET.Element) -> bool:
    value = _podcast_text(channel, "locked")
    return value is None or value.lower() == "yes"


def _podcast_text(channel: ET.Element, name: str) -> str | None:
    return next((value for ns in PODCAST if (value := text(channel, f"{ns}{name}"))), None)


def _hosts(channel: ET.Element) -> list[str]:
    return [" ".join((person.text or "").split()) for ns in PODCAST
            for person in channel.findall(f"{ns}person")
            if (person.get("role") or "host").lower() == "host"]


def _plain(description: str | None) -> str | None:
    if description is None:
        return None
    markdown = markdown_from_html(description)
    return re.sub(r"\\(.)", r"\1", markdown).strip() or None


def _pruned(value: Any) -> Any:
    if isinstance(value, dict):
        kept = {k: _pruned(v) for k, v in value.items() if v is not None}
        return {k: v for k, v in kept.items() if v not in ({}, [], None)}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value


def _check(settings: dict[str, Any], feed: Path) -> None:
    problems: list[Problem] = []
    validate(settings, SHOW_SCHEMA, problems)
    if problems:
        first = problems[0]
        raise ConfigError(f"the channel cannot become show.yaml: '{first.where}' {first.what}",
                          path=feed, hint=_FIX)
