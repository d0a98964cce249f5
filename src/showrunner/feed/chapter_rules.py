"""The chapter list in an episode description, as Apple Podcasts and Spotify read it.

Apple (iOS 26.2+) makes chapters of the timestamps in a description when the first is at 00:00
and there are at least three. Spotify reads them one per line, the first at 0:00, at least
three, in ascending order, with titles under 40 characters. `description_problems` reads the
description as an app shows it (HTML to lines of text) and says what breaks those rules; it
knows nothing of how showrunner wrote the list.
"""

from __future__ import annotations

import re

from lxml import html as lxml_html

MIN_TIMESTAMPS = 3
TITLE_LIMIT = 40  # titles must be shorter than this
_BLOCKS = {"p", "div", "li", "ul", "ol", "br", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
           "pre", "tr"}
_STAMP = r"\(?(?:\d{1,2}:)?\d{1,2}:\d{2}\)?"
_LEADING = re.compile(rf"^\s*(?P<stamp>{_STAMP})(?:\s+[-–—]?\s*)?(?P<title>.*)$")
_ANY = re.compile(rf"(?<![\d:]){_STAMP}(?![\d:])")


def description_lines(description_html: str) -> list[str]:
    """The description's text as an app shows it: one line per block element or `<br>`."""
    if not description_html.strip():
        return []
    root = lxml_html.fragment_fromstring(description_html, create_parent="div")
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCKS:
            element.tail = "\n" + (element.tail or "")
            if element.tag.lower() != "br":
                element.text = "\n" + (element.text or "")
    return [" ".join(line.split()) for line in root.text_content().split("\n") if line.strip()]


def seconds(stamp: str) -> int:
    """`(1:02:03)` -> 3723."""
    total = 0
    for field in stamp.strip("()").split(":"):
        total = total * 60 + int(field)
    return total


def description_chapters(description_html: str) -> list[tuple[int, str]]:
    """The (seconds, title) of each description line that starts with a timestamp."""
    found = []
    for line in description_lines(description_html):
        match = _LEADING.match(line)
        if match:
            found.append((seconds(match["stamp"]), match["title"].strip()))
    return found


def description_problems(description_html: str) -> list[str]:
    """What keeps Apple or Spotify from reading the description's chapter list; [] if none."""
    lines = description_lines(description_html)
    problems = [f"more than one timestamp on the line {line[:50]!r}"
                for line in lines if len(_ANY.findall(line)) > 1]
    chapters = description_chapters(description_html)
    if len(chapters) < MIN_TIMESTAMPS:
        return [*problems, f"{len(chapters)} timestamp line(s); at least {MIN_TIMESTAMPS} needed"]
    if chapters[0][0] != 0:
        problems.append(f"the first timestamp is at {chapters[0][0]} s, not 0:00")
    problems += [f"the timestamp at {b} s is not after {a} s"
                 for (a, _), (b, _) in zip(chapters, chapters[1:], strict=False) if b <= a]
    problems += [f"the title {title!r} is {len(title)} characters (at most {TITLE_LIMIT - 1})"
                 for _, title in chapters if len(title) >= TITLE_LIMIT]
    problems += [f"the timestamp at {at} s has no title" for at, title in chapters if not title]
    return problems
