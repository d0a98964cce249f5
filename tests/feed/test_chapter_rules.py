"""feed.chapter_rules: the chapter list in an episode description, read as Apple Podcasts and
Spotify read it (lines of text, timestamps at their start)."""

from __future__ import annotations

import pytest

from showrunner.feed.chapter_rules import (
    description_chapters,
    description_lines,
    description_problems,
)

GOOD = ("<p>Why listen.</p><ul><li>A bullet</li></ul><p>00:00 Welcome</p>"
        "<p>02:14 The starter</p><p>1:02:03 Pricing &amp; costs</p>")


def test_a_list_both_apps_read_has_no_problems() -> None:
    assert description_lines(GOOD)[:2] == ["Why listen.", "A bullet"]
    assert description_chapters(GOOD) == [(0, "Welcome"), (134, "The starter"),
                                          (3723, "Pricing & costs")]
    assert description_problems(GOOD) == []
    # Spotify's own examples: 0:00 and line breaks, a dash between time and title.
    assert description_problems("<p>0:00 - Intro<br>1:30 - Two<br>3:00 - Three</p>") == []


@pytest.mark.parametrize(("description", "problem"), [
    ("<p>00:05 Welcome</p><p>02:14 Two</p><p>03:00 Three</p>", "not 0:00"),
    ("<p>00:00 Welcome</p><p>02:14 Two</p>", "at least 3"),
    ("<p>00:00 Welcome</p><p>02:14 Two</p><p>01:00 Three</p>", "not after 134 s"),
    ("<p>00:00 Welcome</p><p>02:14 Two</p><p>02:14 Again</p>", "not after 134 s"),
    ("<p>00:00 Welcome</p><p>02:14 " + "T" * 40 + "</p><p>03:00 Three</p>", "40 characters"),
    ("<p>00:00 Welcome 02:14 Two 03:00 Three</p>", "more than one timestamp"),
    ("<p>00:00</p><p>02:14 Two</p><p>03:00 Three</p>", "no title"),
    ("<p>No chapters at all.</p>", "0 timestamp line(s)"),
])
def test_each_rule_is_checked(description: str, problem: str) -> None:
    problems = description_problems(description)
    assert any(problem in p for p in problems), problems
