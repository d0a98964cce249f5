"""episode.yaml's `tracks:` section: a multitrack recording, one file per person.

    tracks:
      jason-reed: jason.wav      # a host's or a guest's slug -> that person's microphone
      mary-chen: mary.wav

A multitrack episode names no `audio:`; its audio is the mix that `transcribe` writes once
(`layout.MIXED_AUDIO`, set as the episode's `audio`), which split, master and notes then use as any other recording.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .schema import Field, MapOf

TRACKS_SCHEMA = MapOf(Field("path", example="mary.wav"), example="{mary-chen: mary.wav}")


@dataclass(frozen=True)
class Track:
    """One person's recording: their slug and name, and the file in the episode folder."""

    slug: str
    name: str
    file: str


def episode_tracks(clean: Mapping[str, Any], path: Path,
                   people: Mapping[str, str]) -> tuple[Track, ...]:
    """The checked `tracks:` of episode.yaml at `path` (none: ()); `people` (slug -> name)
    are the show's hosts and the episode's guests, whom the slugs must name."""
    tracks = clean.get("tracks") or {}
    if not tracks:
        return ()
    if clean.get("audio"):
        raise ConfigError("episode.yaml names both 'audio:' and 'tracks:'", path=path,
                          hint="keep 'tracks:' (one file per person) or 'audio:' (one mixed "
                               "recording), not both")
    if len(tracks) < 2:
        raise ConfigError("'tracks:' names one track; a multitrack episode has one per person",
                          path=path, hint="add the other people's tracks, or use 'audio:'")
    checked = []
    for slug, file in tracks.items():
        if slug not in people:
            raise ConfigError(f"track '{file}' is for '{slug}', who is not a host or a guest "
                              "of this episode", path=path,
                              hint=f"use one of: {', '.join(sorted(people))} (or add "
                                   f"'{slug}' under 'guests:')")
        if Path(file).is_absolute() or ".." in Path(file).parts:
            raise ConfigError(f"track '{file}' is outside the episode folder", path=path,
                              hint="put the track in the episode folder and name just the file")
        checked.append(Track(slug, people[slug], str(file)))
    return tuple(checked)
