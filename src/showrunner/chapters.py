"""The episode's one chapter list: in notes.md (the host's), in chapters.json, in descriptions.

`notes` drafts the list and writes it into notes.md's "## Chapters" section, one chapter a
line (`00:00 Welcome`), timed in the episode's published MP3; the host may edit it there. This
module is the one that reads that section (`notes_chapters`), writes and reads chapters.json
(Podcasting 2.0 JSON chapters, version 1.2) and knows the rules apps apply to a chapter list
in an episode description: Apple (iOS 26.2+) wants the first at 00:00 and at least three;
Spotify wants one per line, the first at 0:00, at least three, in ascending order, titles
under 40 characters. Render, the feed and the MP3's ID3 chapters all take the list from here.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import atomic
from .errors import ConfigError
from .model import Chapter

VERSION = "1.2.0"
MIN_CHAPTERS = 3  # Apple and Spotify show description chapters from three on
TITLE_MAX = 39  # Spotify: titles under 40 characters
SECTION = "Chapters"  # the heading of notes.md's chapter list


def save(path: Path, chapters: Sequence[Chapter]) -> Path:
    """Write `chapters` to `path` atomically."""
    document = {"version": VERSION,
                "chapters": [{"startTime": round(c.start, 2), "title": c.title} for c in chapters]}
    atomic.write_text(path, json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    return path


def load(path: Path) -> tuple[Chapter, ...]:
    """The chapters in `path`, in time order; none when the file is missing."""
    if not path.is_file():
        return ()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        marks = sorted((float(c["startTime"]), str(c.get("title") or "")) for c in raw["chapters"])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError("chapters.json is malformed", path=path,
                          hint="regenerate it with 'showrunner notes' or fix the JSON") from exc
    return tuple(Chapter(start, title) for start, title in marks)


def save_if_changed(path: Path, chapters: Sequence[Chapter]) -> bool:
    """Write `chapters` to `path` unless it already holds exactly them; True when written."""
    if path.is_file():
        try:
            if load(path) == tuple(Chapter(round(c.start, 2), c.title) for c in chapters):
                return False
        except ConfigError:
            pass
    save(path, chapters)
    return True


# ---------------------------------------------------------------- times as people write them


_TIME = re.compile(r"^(?:(?P<h>\d{1,2}):(?P<hm>[0-5]\d)|(?P<m>[0-5]?\d)):(?P<s>[0-5]\d)$")


def format_time(seconds: float) -> str:
    """`134.7` -> `02:14`; past an hour `1:02:03` (whole seconds, floored)."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def parse_time(text: str) -> float | None:
    """`02:14`, `2:14`, `1:02:03` -> seconds; None for anything else."""
    match = _TIME.match(text)
    if match is None:
        return None
    hours = int(match["h"] or 0)
    minutes = int(match["hm"] if match["h"] else match["m"])
    return float(hours * 3600 + minutes * 60 + int(match["s"]))


# ---------------------------------------------------------------- the list in notes.md


@dataclass(frozen=True)
class NotesChapters:
    """notes.md's chapter list and where it is: `heading` and `end` are 1-based line numbers
    of the `## Chapters` line and of the list's last line."""

    chapters: tuple[Chapter, ...]
    heading: int
    end: int

    def blanked(self, text: str) -> str:
        """`text` (all of notes.md) with the section's lines emptied, line numbers kept."""
        lines = text.split("\n")
        for i in range(self.heading - 1, self.end):
            lines[i] = ""
        return "\n".join(lines)


_HEADING = re.compile(rf"^#{{1,6}}[ \t]+{SECTION}[ \t#]*$", re.I)
_ENDS_LIST = re.compile(r"^(?:#{1,6}[ \t]|[ \t]*</?details)", re.I)
_LINE = re.compile(r"^[ \t]*(?:[-*+][ \t]+)?(?P<time>\S+)(?:[ \t]+(?:[-–—][ \t]+)?(?P<title>.*))?$")
_FORMAT = "write one chapter a line as 'MM:SS Title' (or 'H:MM:SS Title' past an hour)"


def notes_chapters(path: Path) -> NotesChapters | None:
    """The chapter list in notes.md at `path`; None when it has no `## Chapters` section.

    A list that apps would refuse is a one-line ConfigError naming the line and the fix."""
    if not path.is_file():
        return None
    return parse_notes(path.read_text(encoding="utf-8", errors="replace"), path)


def parse_notes(text: str, path: Path) -> NotesChapters | None:
    """The chapter list in `text` (notes.md at `path`); see `notes_chapters`."""
    lines = text.split("\n")
    body = _body_start(lines)
    heading = next((i for i in range(body, len(lines)) if _HEADING.match(lines[i].strip())), None)
    if heading is None:
        return None
    first = heading + 1
    while first < len(lines) and not lines[first].strip():
        first += 1
    end = first
    while end < len(lines) and lines[end].strip() and not _ENDS_LIST.match(lines[end]):
        end += 1
    _refuse_split_list(lines, end, path)
    marks = [_chapter(lines[i], i + 1, path) for i in range(first, end)]
    _check_order(marks, heading + 1, path)
    return NotesChapters(tuple(chapter for _, chapter in marks), heading + 1, max(end, heading + 1))


def _body_start(lines: list[str]) -> int:
    """The first line after the front matter (0 when there is none)."""
    if not lines or lines[0].rstrip() != "---":
        return 0
    return next((i + 1 for i in range(1, len(lines)) if lines[i].rstrip() == "---"), 0)


def _chapter(line: str, number: int, path: Path) -> tuple[int, Chapter]:
    match = _LINE.match(line.strip())  # strip(): a Windows editor's \r too
    start = parse_time(match["time"].strip("()[]")) if match else None
    shown = " ".join(line.split())[:60]
    if start is None:
        raise ConfigError(f"line {number}: chapter '{shown}' does not start with a time like "
                          "02:14", path=path, hint=_FORMAT)
    title = " ".join((match["title"] or "").split()) if match else ""
    if not title:
        raise ConfigError(f"line {number}: the chapter at {format_time(start)} has no title",
                          path=path, hint=_FORMAT)
    if len(title) > TITLE_MAX:
        raise ConfigError(f"line {number}: the chapter title is {len(title)} characters; "
                          f"Spotify shows titles under {TITLE_MAX + 1}", path=path,
                          hint=f"shorten it to at most {TITLE_MAX} characters")
    return number, Chapter(start, title)


def _check_order(marks: list[tuple[int, Chapter]], heading: int, path: Path) -> None:
    if len(marks) < MIN_CHAPTERS:
        raise ConfigError(f"line {heading}: the chapter list has {len(marks)} chapter(s); Apple "
                          f"and Spotify need at least {MIN_CHAPTERS}", path=path,
                          hint=f"list at least {MIN_CHAPTERS} chapters under the heading, "
                               f"the first at 00:00; {_FORMAT}")
    number, first = marks[0]
    if first.start != 0:
        raise ConfigError(f"line {number}: the first chapter starts at {format_time(first.start)}"
                          ", not 00:00", path=path,
                          hint="start the first chapter at 00:00 (Apple and Spotify need it)")
    for (_, before), (number, chapter) in zip(marks, marks[1:], strict=False):
        if chapter.start <= before.start:
            raise ConfigError(f"line {number}: {format_time(chapter.start)} is not after the "
                              f"chapter before it ({format_time(before.start)})", path=path,
                              hint="list the chapters in time order, each later than the last")


def _refuse_split_list(lines: list[str], end: int, path: Path) -> None:
    """A blank line inside the list would silently cut off the chapters after it."""
    after = end
    while after < len(lines) and not lines[after].strip():
        after += 1
    if after == end or after >= len(lines) or _ENDS_LIST.match(lines[after]):
        return
    match = _LINE.match(lines[after].strip())
    if match and parse_time(match["time"].strip("()[]")) is not None:
        raise ConfigError(f"line {after + 1}: a blank line splits the chapter list", path=path,
                          hint=f"remove the blank line(s) above line {after + 1}: the list is "
                               "one chapter a line with no gaps")


def draft(chapters: Sequence[Chapter], offset: float = 0.0) -> tuple[Chapter, ...]:
    """Drafted chapters as notes.md lists them: moved by `offset` (into the published MP3),
    whole seconds, the first at 0, each later than the last, titles short enough."""
    kept: list[Chapter] = []
    for chapter in sorted(chapters, key=lambda c: c.start):
        start = 0.0 if not kept else float(int(chapter.start + offset))
        if not kept or start > kept[-1].start:
            kept.append(Chapter(start, _short(chapter.title) or f"Chapter {len(kept) + 1}"))
    return tuple(kept)


def _short(title: str) -> str:
    title = " ".join(title.split())
    if len(title) <= TITLE_MAX:
        return title
    cut = title[:TITLE_MAX - 1].rsplit(" ", 1)[0].rstrip(" ,;:–-")
    return cut + "…"


# ---------------------------------------------------------------- in an episode description


def description_html(chapters: Sequence[Chapter]) -> str:
    """The chapter list for an episode description: one `<p>` per chapter, so one per line."""
    return "".join(f"<p>{format_time(c.start)} {html.escape(c.title)}</p>" for c in chapters)


def follows_app_rules(chapters: Sequence[Chapter]) -> bool:
    """Whether `chapters` make a description list Apple and Spotify both read."""
    return (len(chapters) >= MIN_CHAPTERS and chapters[0].start == 0
            and all(b.start > a.start for a, b in zip(chapters, chapters[1:], strict=False))
            and all(0 < len(c.title) <= TITLE_MAX for c in chapters))
