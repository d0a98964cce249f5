"""The one chapter list: notes.md's `## Chapters` section, read by the floor module `chapters`,
and a host's edit reaching chapters.json, the MP3's ID3 chapters, psc:chapters, the feed
description and the page through the real CLI; a broken edit is one line naming its line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import html as lxml_html
from mutagen.id3 import ID3

from showrunner import chapters as chapters_file
from showrunner.errors import ConfigError
from showrunner.feed.chapter_rules import description_chapters, description_problems
from showrunner.model import Chapter

from .feed_fixtures import FEED_SHOW_YAML, feedparser_parse, podcastparser_parse
from .helpers import assert_one_line_error, make_show, run, tree_hashes
from .notes.test_notes import CASES, episode_with_transcript
from .render.test_render import make_audio

# The feed is published as of a fixed moment; test_clock runs this with the clock moved.
pytestmark = pytest.mark.clock

NOW = "2026-12-01T00:00:00"
NOTES = """\
---
title: "E7: Rising Early"
## Chapters (a YAML comment, not the section)
---

# E7: Rising Early

Some notes.

## Chapters

- 00:00 Welcome
02:14 – The starter
1:02:03 Late one

* [Download the ebook](https://example.com/ebook)
"""


# ---------------------------------------------------------------- the floor module


def test_the_section_is_read_with_where_it_is() -> None:
    listed = chapters_file.parse_notes(NOTES, Path("notes.md"))
    assert listed is not None
    assert listed.chapters == (Chapter(0.0, "Welcome"), Chapter(134.0, "The starter"),
                               Chapter(3723.0, "Late one"))
    assert (listed.heading, listed.end) == (10, 14)
    blanked = listed.blanked(NOTES).split("\n")
    assert len(blanked) == len(NOTES.split("\n"))
    assert blanked[9:14] == [""] * 5 and blanked[15].startswith("* [Download")
    assert chapters_file.parse_notes(NOTES.replace("## Chapters\n\n", ""), Path("n")) is None
    crlf = chapters_file.parse_notes(NOTES.replace("\n", "\r\n"), Path("notes.md"))
    assert crlf is not None and crlf.chapters == listed.chapters


BROKEN = {
    "out of order": ("02:14 – The starter", "02:14 – The starter\n01:00 Back", 14,
                     "01:00 is not after", "time order"),
    "first not at zero": ("- 00:00 Welcome", "- 00:05 Welcome", 12, "starts at 00:05",
                          "at 00:00"),
    "fewer than three": ("1:02:03 Late one\n", "", 10, "has 2 chapter(s)", "at least 3"),
    "title of 40": ("Late one", "L" * 40, 14, "40 characters", "at most 39"),
    "unparseable time": ("02:14 –", "2:1x –", 13, "does not start with a time", "MM:SS Title"),
    "minutes past 59": ("1:02:03", "62:03", 14, "does not start with a time", "H:MM:SS"),
    "no title": ("1:02:03 Late one", "1:02:03", 14, "has no title", "MM:SS Title"),
    "no title, Windows line end": ("1:02:03 Late one\n", "1:02:03\r\n", 14, "has no title",
                                   "MM:SS Title"),
    "blank line inside": ("1:02:03 Late one", "\n1:02:03 Late one", 15, "blank line",
                          "above line 15"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_list_apps_would_refuse_is_an_error_naming_the_line(case: str) -> None:
    old, new, line, message, fix = BROKEN[case]
    with pytest.raises(ConfigError) as caught:
        chapters_file.parse_notes(NOTES.replace(old, new, 1), Path("ep/notes.md"))
    error = caught.value
    assert error.message.startswith(f"line {line}: ") and message in error.message
    assert error.hint and fix in error.hint and error.path == Path("ep/notes.md")


def test_a_draft_is_moved_into_the_mp3_and_made_listable() -> None:
    raw = [Chapter(0.4, "Intro"), Chapter(12.91, "A"), Chapter(13.2, "Same second"),
           Chapter(84.2, "Deciding what a loaf and bread should cost"), Chapter(90, "")]
    drafted = chapters_file.draft(raw, offset=5.3)
    assert [c.start for c in drafted] == [0.0, 18.0, 89.0, 95.0]
    assert drafted[2].title == "Deciding what a loaf and bread should…"
    assert drafted[3].title == "Chapter 4"
    assert chapters_file.follows_app_rules(drafted)
    assert not chapters_file.follows_app_rules(drafted[:2])
    assert [chapters_file.format_time(s) for s in (0, 134.9, 3723)] == \
        ["00:00", "02:14", "1:02:03"]
    assert [chapters_file.parse_time(t) for t in ("02:14", "2:14", "1:02:03", "2:1x", "61:00")] \
        == [134.0, 134.0, 3723.0, None, None]


# ---------------------------------------------------------------- a host's edit, end to end


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Episode E7 (the golden transcript, a real 2-minute MP3 standing in for the mastered
    one) after `notes`, `render` and `feed`."""
    show = make_show(tmp_path_factory.mktemp("chapters") / "show", show_yaml=FEED_SHOW_YAML)
    folder = episode_with_transcript(show, "E7", CASES["single"] + "status: released\n")
    make_audio(folder / "E7.mp3", seconds=120.0)
    for args in (["notes", "E7"], ["render", "E7"], ["feed", "--now", NOW]):
        result = run(args, show)
        assert result.exit_code == 0, result.output + result.stderr
    return show


def _copy(generated: Path, tmp_path: Path) -> tuple[Path, Path]:
    show = Path(shutil.copytree(generated, tmp_path / "show"))
    return show, show / "episodes" / "E7"


def _id3_chapters(mp3: Path) -> list[tuple[int, str]]:
    tags = ID3(mp3)
    toc = tags.getall("CTOC")
    assert len(toc) == 1 and len(toc[0].child_element_ids) == len(tags.getall("CHAP"))
    return [(f.start_time, str(f.sub_frames["TIT2"].text[0]))
            for f in sorted(tags.getall("CHAP"), key=lambda f: f.start_time)]


def test_an_edited_chapter_reaches_every_copy(generated: Path, tmp_path: Path) -> None:
    show, folder = _copy(generated, tmp_path)
    notes = folder / "notes.md"
    assert "00:46 Hiring your first employee\n" in notes.read_text()
    assert (46000, "Hiring your first employee") in _id3_chapters(folder / "E7.mp3")
    audio_before = (folder / "E7.mp3").stat().st_size
    notes.write_text(notes.read_text().replace("00:46 Hiring your first employee",
                                               "00:52 Hiring the first baker"))
    # `feed` alone (no render since the edit) brings chapters.json and the ID3 tags in line.
    result = run(["feed", "--now", NOW], show)
    assert result.exit_code == 0, result.output + result.stderr
    wanted = Chapter(52.0, "Hiring the first baker")
    assert wanted in chapters_file.load(folder / "chapters.json")
    assert chapters_file.load(show / "public/episodes/E7/chapters.json") == \
        chapters_file.load(folder / "chapters.json")
    tagged = _id3_chapters(folder / "E7.mp3")
    assert (52000, wanted.title) in tagged and len(tagged) == 4
    assert all(t != "Hiring your first employee" for _, t in tagged)
    assert abs((folder / "E7.mp3").stat().st_size - audio_before) < 200  # retagged, same audio
    assert _id3_chapters(show / "public/episodes/E7/E7.mp3") == tagged

    feed = show / "public" / "feed.xml"
    gpodder = podcastparser_parse(feed)["episodes"][0]
    assert (52, wanted.title) in [(c["start"], c["title"]) for c in gpodder["chapters"]]
    entry = feedparser_parse(feed).entries[0]
    assert ("00:00:52.000", wanted.title) in \
        [(c["start"], c["title"]) for c in entry["psc_chapters"]["chapters"]]
    for description in (gpodder["description_html"], entry["summary"]):
        assert description_problems(description) == []
        assert (52, wanted.title) in description_chapters(description)
        assert "00:46" not in description

    result = run(["render", "E7"], show)
    assert result.exit_code == 0, result.output + result.stderr
    page = lxml_html.parse(str(show / "public/episodes/E7/index.html")).getroot()
    items = [" ".join(li.text_content().split()) for li in page.xpath("//*[@id='chapters']//li")]
    assert "0:52 Hiring the first baker" in items and len(items) == 4
    assert "Hiring the first baker" not in page.xpath("//*[@id='notes']")[0].text_content()


# (the generated line, the host's broken version, the line named (found by its text in the
# edited notes.md), the message, the fix)
EDITS = {
    "out of order": ("00:46 Hiring your first employee",
                     "00:46 Hiring your first employee\n00:30 Back", "00:30 Back",
                     "00:30 is not after", "time order"),
    "first not at zero": ("00:00 Introduction", "00:05 Introduction", "00:05 Introduction",
                          "starts at 00:05", "at 00:00"),
    "fewer than three": ("00:46 Hiring your first employee\n01:24 Deciding what a loaf and "
                         "bread should…\n", "", "## Chapters", "has 2 chapter(s)", "at least 3"),
    "title of 40": ("00:46 Hiring your first employee", "00:46 " + "H" * 40, "00:46 HHH",
                    "40 characters", "at most 39"),
    "unparseable time": ("00:46 Hiring", "0:4x Hiring", "0:4x Hiring",
                         "does not start with a time", "MM:SS Title"),
}


@pytest.mark.parametrize("case", sorted(EDITS))
def test_a_broken_edit_stops_render_feed_and_notes_touching_nothing(
        generated: Path, tmp_path: Path, case: str) -> None:
    show, folder = _copy(generated, tmp_path)
    notes = folder / "notes.md"
    before, after, named, message, fix = EDITS[case]
    text = notes.read_text()
    assert before in text
    notes.write_text(text.replace(before, after))
    line = next(n for n, content in enumerate(notes.read_text().splitlines(), 1)
                if content.startswith(named))
    hashes = tree_hashes(show)
    for args in (["render", "E7"], ["feed", "--now", NOW], ["notes", "E7"]):
        result = run(args, show)
        assert_one_line_error(result, "notes.md", f"line {line}: ", message, fix)
        assert tree_hashes(show) == hashes, args


def test_notes_too_long_for_apple_keep_the_whole_chapter_list(generated: Path,
                                                              tmp_path: Path) -> None:
    show, folder = _copy(generated, tmp_path)
    notes = folder / "notes.md"
    filler = "".join(f"- A long bullet number {i} about sourdough, flour and ovens.\n"
                     for i in range(80))
    notes.write_text(notes.read_text().replace("## Chapters\n", filler + "\n## Chapters\n"))
    result = run(["feed", "--now", NOW], show)
    assert result.exit_code == 0, result.output + result.stderr
    entry = feedparser_parse(show / "public" / "feed.xml").entries[0]
    description = entry["summary"]
    assert len(description.encode("utf-8")) <= 4000 and "Read the full show notes" in description
    assert "bullet number 79" not in description
    assert description_problems(description) == []
    assert [t for _, t in description_chapters(description)][-1].startswith("Deciding what")
