"""The episode's soundbite, as the host left it in notes.md's front matter.

    soundbite: {"start": 73.2, "duration": 41.5, "title": "Why a starter needs a week"}

The notes stage drafts it there (notes.md is the host's: edits survive every later run);
`soundbite: null`, or no line at all, publishes none. Times are seconds in the episode's
published MP3.
"""

from __future__ import annotations

import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from ..errors import FeedError
from ..layout import NOTES_FILE
from ..model import Episode
from ..podcast_tags import Soundbite

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?\n)---\s*\n", re.S)
_FIX = ('write it as soundbite: {"start": seconds, "duration": seconds, "title": "…"} (times '
        "in the published MP3), or 'soundbite: null' to publish none")


def read_soundbite(episode: Episode, duration: float) -> Soundbite | None:
    """The soundbite in notes.md's front matter, checked against the MP3's `duration`."""
    notes = episode.folder / NOTES_FILE
    if not notes.is_file():
        return None
    match = _FRONT_MATTER.match(notes.read_text(encoding="utf-8", errors="replace"))
    if match is None or "soundbite" not in match.group(1):
        return None
    try:
        front = YAML(typ="safe", pure=True).load(match.group(1))
    except YAMLError as exc:
        raise FeedError(f"the front matter is not valid YAML ({str(exc).splitlines()[0]})",
                        path=notes, hint="fix the line between the '---' markers") from exc
    raw = front.get("soundbite") if isinstance(front, dict) else None
    return None if raw is None else _checked(raw, duration, notes)


def _checked(raw: Any, duration: float, notes: Any) -> Soundbite:
    def bad(problem: str) -> FeedError:
        return FeedError(f"'soundbite' {problem}", path=notes, hint=_FIX)

    if not isinstance(raw, dict) or not {"start", "duration"} <= raw.keys():
        raise bad("needs a start and a duration")
    unknown = set(raw) - {"start", "duration", "title"}
    if unknown:
        raise bad(f"has an unknown key '{sorted(unknown)[0]}'")
    start, length = raw["start"], raw["duration"]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (start, length)):
        raise bad("start and duration must be numbers of seconds")
    if start < 0 or length <= 0:
        raise bad(f"start {start} and duration {length} must be 0 or more and above 0")
    if start + length > duration + 0.5:
        raise bad(f"ends at {start + length:.1f} s, after the episode's end ({duration:.0f} s)")
    title = raw.get("title")
    return Soundbite(float(start), float(length), " ".join(str(title or "").split()))
