"""`showrunner feed`: the published feed, read field by field by the parsers real apps use.

Oracles: gPodder's podcastparser, feedparser, and the Podcast Index parser podcast-partytime
(node subprocess). Durations are checked against ffprobe, sizes against the files on disk.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from showrunner import atomic
from showrunner.config import load_episode, load_show
from showrunner.feed import publish_feed, validate_feed_file
from showrunner.synth import Conversation, solo_script, speak
from showrunner.synth.speech import HOST_VOICE

from ..feed_fixtures import (
    FUTURE,
    build_show,
    feedparser_parse,
    partytime,
    podcastparser_parse,
)
from ..helpers import REPO, assert_one_line_error, run, write

# Dates matter here: test_clock runs these again with the clock five years ahead.
pytestmark = pytest.mark.clock

FEB = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
PUBLISHED = ["E1", "E2", "long-1", "long-2"]


@pytest.fixture(scope="module")
def speech() -> Conversation:
    """About 70 s of the host's generated speech, as an MP3."""
    return speak(solo_script("Jason Reed"), {"Jason Reed": HOST_VOICE}, mp3=True)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, speech: Conversation) -> Path:
    """The fixture show, published once as of 1 February 2026 (read-only for tests)."""
    show = build_show(tmp_path_factory.mktemp("feed") / "show", speech)
    publish_feed(load_show(show), now=FEB)
    return show


@pytest.fixture
def fresh(tmp_path: Path, speech: Conversation) -> Path:
    """A fixture show of the test's own, not yet published."""
    return build_show(tmp_path / "show", speech)


def _guid(show: Path, episode_id: str) -> str | None:
    return load_episode(load_show(show), episode_id).guid


def _ffprobe_seconds(path: Path) -> float:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration",
                          "-of", "default=nw=1:nk=1", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return float(out)


# ---------------------------------------------------------------- what apps read


def test_podcastparser_reads_every_item_field(published: Path, speech: Conversation) -> None:
    feed = podcastparser_parse(published / "public" / "feed.xml")
    assert speech.mp3 is not None
    size, seconds = speech.mp3.stat().st_size, _ffprobe_seconds(speech.mp3)
    assert feed["title"] == "Test Kitchen"
    assert feed["cover_url"] == "https://example.com/artwork.jpg"
    assert feed["itunes_categories"] == [["Business", "Entrepreneurship"]]
    assert feed["itunes_owner"] == {"name": "Jason Reed", "email": "jason@example.com"}
    assert feed["explicit"] is False
    episodes = {e["guid"]: e for e in feed["episodes"]}
    assert len(episodes) == len(PUBLISHED)
    for episode_id, number in zip(PUBLISHED, (1, 2, 3, 4), strict=True):
        episode = episodes[_guid(published, episode_id)]
        assert episode["number"] == number and episode["type"] == "full"
        (enclosure,) = episode["enclosures"]
        assert enclosure["file_size"] == size
        assert enclosure["mime_type"] == "audio/mpeg"
        assert enclosure["url"] == f"https://example.com/episodes/{episode_id}/episode.mp3"
        assert abs(episode["total_time"] - seconds) <= 1
        public_copy = published / "public" / "episodes" / episode_id / "episode.mp3"
        assert public_copy.read_bytes() == speech.mp3.read_bytes()
    assert episodes[_guid(published, "long-1")]["season"] == 2
    first = episodes[_guid(published, "E1")]
    assert "season" not in first
    assert first["title"] == "First Bake"  # the episode number is not in the title
    assert first["published"] == dt.datetime(2026, 1, 5, tzinfo=dt.UTC).timestamp()
    assert first["explicit"] is False and episodes[_guid(published, "E2")]["explicit"] is True
    assert "Why does sourdough need a week" in first["description_html"]
    assert "TRANSCRIPT-MARKER" not in first["description_html"]


def test_podcastparser_ignores_the_official_podcast_namespace(published: Path) -> None:
    # Known limit: podcastparser 0.6.11 maps only the old GitHub namespace URI, so under the
    # official URI it sees no transcript, chapters or persons. Asserted so a fix is noticed.
    feed = podcastparser_parse(published / "public" / "feed.xml")
    first = next(e for e in feed["episodes"] if e["guid"] == _guid(published, "E1"))
    assert not {"transcript_url", "chapters_json_url", "persons"} & first.keys()


def test_feedparser_reads_items_and_keeps_only_the_last_podcast_tag(published: Path,
                                                                      speech: Conversation) -> None:
    parsed = feedparser_parse(published / "public" / "feed.xml")
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert speech.mp3 is not None
    assert parsed.feed.podcast_guid == load_show(published).podcast_guid
    entries = {e.id: e for e in parsed.entries}
    first = entries[_guid(published, "E1")]
    assert first.enclosures[0]["length"] == str(speech.mp3.stat().st_size)
    assert first.itunes_duration == str(round(_ffprobe_seconds(speech.mp3)))
    assert first.itunes_episode == "1"
    assert first.guidislink is False
    # Known limit: feedparser 6.0.14 maps only "yes" -> True and "clean" -> False, so the
    # true/false that Apple and the W3C validator require both read as None: a feedparser
    # client sees the explicit E2 as not explicit (kurtmckee/feedparser#524, fixed after
    # 6.0.14 by #567). Asserted so the fix is noticed; podcastparser and partytime read both.
    assert entries[_guid(published, "E2")].itunes_explicit is None
    assert first.itunes_explicit is None
    assert parsed.feed.itunes_explicit is None
    # Known limit: repeated podcast:* tags collapse to the last one; person names are lost.
    assert first.podcast_transcript == {"url": "https://example.com/episodes/E1/transcript.html",
                                        "type": "text/html"}
    assert first.podcast_person == {"role": "guest", "href": "https://www.linkedin.com/in/mary"}
    part = entries[_guid(published, "long-2")]
    assert part.podcast_season == {"name": "Rising Early with Mary Chen"}  # number lost
    assert part.itunes_season == "2" and part.itunes_episode == "4"


def test_partytime_reads_the_podcasting20_tags(published: Path, speech: Conversation) -> None:
    feed = partytime(published / "public" / "feed.xml")
    assert speech.mp3 is not None
    assert feed["guid"] == load_show(published).podcast_guid
    assert feed["locked"] is True and feed["podcastOwner"] == "jason@example.com"
    assert feed["explicit"] is False
    assert feed["itunesCategory"] == ["Business > Entrepreneurship"]  # Apple's list, checked
    assert feed["podcastPeople"] == [{"name": "Jason Reed", "role": "Host", "group": "Cast",
                                      "href": "https://www.linkedin.com/in/jason"}]
    # in episode order, as written (feedgen would prepend, reversing them)
    assert [item["itunesEpisode"] for item in feed["items"]] == [1, 2, 3, 4]
    items = {item["guid"]: item for item in feed["items"]}
    assert len(items) == len(PUBLISHED)  # none dropped for a missing guid or enclosure
    first = items[_guid(published, "E1")]
    assert first["enclosure"]["length"] == speech.mp3.stat().st_size
    assert abs(first["duration"] - _ffprobe_seconds(speech.mp3)) <= 1
    assert first["itunesEpisode"] == 1 and first["explicit"] is False
    base = "https://example.com/episodes/E1/"
    assert first["podcastTranscripts"] == [
        {"url": base + "transcript.vtt", "type": "text/vtt", "language": "en", "rel": "captions"},
        {"url": base + "transcript.srt", "type": "application/srt", "language": "en",
         "rel": "captions"},
        {"url": base + "transcript.pc20.json", "type": "application/json", "language": "en"},
        {"url": base + "transcript.html", "type": "text/html", "language": "en"}]
    assert first["podcastChapters"] == {"url": base + "chapters.json",
                                        "type": "application/json+chapters"}
    assert [(p["name"], p["role"]) for p in first["podcastPeople"]] == [
        ("Jason Reed", "Host"), ("Mary Chen", "Guest")]
    solo = items[_guid(published, "E2")]
    assert solo["explicit"] is True
    assert [p["name"] for p in solo["podcastPeople"]] == ["Jason Reed"]  # host restated
    part = items[_guid(published, "long-2")]
    assert part["itunesSeason"] == 2
    assert part["podcastSeason"] == {"number": 2, "name": "Rising Early with Mary Chen"}
    assert part["podcastEpisode"] == {"number": 4, "display": "Part 2 of 2"}
    assert set(feed["pc20support"]["1"]) >= {"locked", "transcript", "chapters"}


def test_published_files_and_own_validation(published: Path) -> None:
    public = published / "public"
    for name in ("transcript.vtt", "transcript.srt", "transcript.pc20.json", "transcript.html",
                 "chapters.json"):
        assert (public / "episodes" / "E1" / name).read_bytes() == \
            (published / "episodes" / "E1" / name).read_bytes()
    assert (public / "artwork.jpg").read_bytes() == (published / "artwork.jpg").read_bytes()
    assert not (public / "episodes" / "long").exists()  # the split source is not published
    report = validate_feed_file(public / "feed.xml")
    assert report.errors == () and report.warnings == (), report.findings
    # itunes:explicit in the spelling Apple's guide and the W3C validator accept, nothing else
    text = (public / "feed.xml").read_text(encoding="utf-8")
    assert re.findall(r"<itunes:explicit>([^<]*)<", text) == ["false", "false", "true", "false",
                                                              "false"]


# ---------------------------------------------------------------- guid, dates, release


def test_guid_survives_renaming_title_folder_and_audio(fresh: Path) -> None:
    publish_feed(load_show(fresh), now=FEB)
    guid = _guid(fresh, "E2")
    podcast_guid = load_show(fresh).podcast_guid
    assert guid and podcast_guid
    folder = fresh / "episodes" / "E2"
    (folder / "episode.mp3").rename(folder / "proofing.mp3")
    text = (folder / "episode.yaml").read_text()
    (folder / "episode.yaml").write_text(text.replace("Proofing Overnight", "Proofing, Renamed")
                                         .replace("audio: episode.mp3", "audio: proofing.mp3"))
    folder.rename(fresh / "episodes" / "proofing")
    write(fresh, {"show.yaml": (fresh / "show.yaml").read_text().replace(
        "https://example.com/feed.xml", "https://example.com/new/feed.xml")})
    publish_feed(load_show(fresh), now=FEB)
    feed = partytime(fresh / "public" / "feed.xml")
    item = next(i for i in feed["items"] if i["title"] == "Proofing, Renamed")
    assert item["guid"] == guid
    assert item["enclosure"]["url"] == "https://example.com/new/episodes/proofing/proofing.mp3"
    assert feed["guid"] == podcast_guid  # kept although the feed URL changed
    assert len({i["guid"] for i in feed["items"]}) == len(PUBLISHED)


def test_future_episode_is_held_back_until_its_date(fresh: Path) -> None:
    show = load_show(fresh)
    before = publish_feed(show, now=dt.datetime(2099, 5, 31, 23, 59, tzinfo=dt.UTC))
    assert ("E5", dt.date(2099, 6, 1)) in before.held_back and "E5" not in before.included
    assert _guid(fresh, "E5") is None  # not published, so no guid assigned yet
    titles = [i["title"] for i in partytime(before.path)["items"]]
    assert "Later" not in titles and "Draft" not in titles
    after = publish_feed(load_show(fresh), now=dt.datetime(2099, 6, 1, 0, 0, tzinfo=dt.UTC))
    assert after.included[-1] == "E5" and after.drafts == ("E6",)
    assert "Later" in [i["title"] for i in partytime(after.path)["items"]]


def test_cli_feed_with_injected_clock_and_validate(fresh: Path) -> None:
    result = run(["feed", "--now", "2026-01-13"], fresh)
    assert result.exit_code == 0, result.stderr
    assert "2 episode(s)" in result.stdout and f"E5 ({FUTURE})" in result.stdout
    checked = run(["validate"], fresh)
    assert checked.exit_code == 0 and "valid, 2 episode(s), 0 error(s)" in checked.stdout
    again = run(["feed", "--now", "2026-01-13"], fresh)
    assert "(unchanged)" in again.stdout


def test_episode_without_date_gets_one_stored_at_first_publication(fresh: Path) -> None:
    path = fresh / "episodes" / "E2" / "episode.yaml"
    path.write_text(path.read_text().replace("date: 2026-01-12\n", "# keep me\n"))
    publish_feed(load_show(fresh), now=FEB)
    assert load_episode(load_show(fresh), "E2").date == dt.date(2026, 2, 1)
    assert "# keep me" in path.read_text()


def test_copied_episode_folder_with_same_guid_is_refused(fresh: Path) -> None:
    publish_feed(load_show(fresh), now=FEB)
    shutil.copytree(fresh / "episodes" / "E2", fresh / "episodes" / "E2b")
    before = (fresh / "public" / "feed.xml").read_bytes()
    result = run(["feed", "--now", "2026-02-01"], fresh)
    assert_one_line_error(result, "E2b", "guid")
    assert (fresh / "public" / "feed.xml").read_bytes() == before


# ---------------------------------------------------------------- failing and killed builds


def _published_bytes(show: Path) -> bytes:
    publish_feed(load_show(show), now=FEB)
    return (show / "public" / "feed.xml").read_bytes()


def _set_in_show_yaml(show: Path, old: str, new: str) -> None:
    text = (show / "show.yaml").read_text()
    assert old in text
    (show / "show.yaml").write_text(text.replace(old, new))


@pytest.mark.parametrize(("change", "needles"), [
    (("language: en", "language: English (US)"), ("feed.xml", "validation", "language")),
    (("category: Business", "category: Cooking"), ("show.yaml", "Apple's list")),
    (("artwork: artwork.jpg", "artwork: artwork.jpeg"), ("show.yaml", ".jpeg")),
    (("artwork: artwork.jpg", "artwork: small.png"), ("small.png", "square")),
    (("artwork: artwork.jpg", "artwork: alpha.png"), ("alpha.png", "RGB")),
])
def test_failing_build_leaves_previous_feed(fresh: Path, change: tuple[str, str],
                                            needles: tuple[str, ...]) -> None:
    old = _published_bytes(fresh)
    (fresh / "artwork.jpeg").write_bytes((fresh / "artwork.jpg").read_bytes())
    for name, size, mode in (("small.png", (1400, 1000), "RGB"), ("alpha.png", (1400, 1400),
                                                                   "RGBA")):
        out = io.BytesIO()
        Image.new(mode, size).save(out, format="PNG")
        (fresh / name).write_bytes(out.getvalue())
    _set_in_show_yaml(fresh, *change)
    result = run(["feed", "--now", "2026-02-01"], fresh)
    assert_one_line_error(result, *needles)
    assert (fresh / "public" / "feed.xml").read_bytes() == old


def test_wav_enclosure_is_refused_with_a_fix(fresh: Path, speech: Conversation) -> None:
    folder = fresh / "episodes" / "E2"
    shutil.copyfile(speech.wav, folder / "raw.wav")
    yaml = folder / "episode.yaml"
    yaml.write_text(yaml.read_text().replace("audio: episode.mp3", "audio: raw.wav"))
    (folder / "episode.mp3").unlink()
    result = run(["feed", "--now", "2026-02-01"], fresh)
    assert_one_line_error(result, "episode.yaml", "raw.wav", "MP3")
    assert not (fresh / "public" / "feed.xml").exists()


def _feed_subprocess(show: Path, *, file_limit: int, default_sigxfsz: bool) -> subprocess.CompletedProcess[str]:
    """The real CLI in a child whose files may not grow past `file_limit` bytes."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    # CPython ignores SIGXFSZ (writes then fail with EFBIG); restoring the default makes the
    # kernel kill the process in the middle of writing, like a power cut or `kill -9` would.
    prelude = "import signal; signal.signal(signal.SIGXFSZ, signal.SIG_DFL); " \
        if default_sigxfsz else ""
    code = prelude + "import sys, runpy; sys.argv = ['showrunner', 'feed', '--now', sys.argv[2], " \
                     "'--show', sys.argv[1]]" \
                     "; runpy.run_module('showrunner.cli', run_name='__main__')"
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, "-c", code, str(show), FEB.strftime("%Y-%m-%d")], capture_output=True,
                          text=True, env=env, preexec_fn=limit, cwd=REPO, timeout=120)


def _grow_next_feed(show: Path) -> None:
    long_text = "A show about bread, told slowly. " * 100
    _set_in_show_yaml(show, "description: A show made by the test suite.",
                      f"description: {long_text.strip()}")


def test_build_killed_mid_write_leaves_old_feed_byte_identical(fresh: Path) -> None:
    old = _published_bytes(fresh)
    _grow_next_feed(fresh)
    done = _feed_subprocess(fresh, file_limit=len(old) // 2, default_sigxfsz=True)
    assert done.returncode == -signal.SIGXFSZ, done.stderr  # killed by the kernel mid-write
    public = fresh / "public"
    assert (public / "feed.xml").read_bytes() == old
    leftovers = list(public.glob(f".feed.xml.*{atomic.TMP_SUFFIX}"))
    assert len(leftovers) == 1 and leftovers[0].stat().st_size == len(old) // 2
    assert validate_feed_file(public / "feed.xml").errors == ()
    assert len(partytime(public / "feed.xml")["items"]) == len(PUBLISHED)
    # The next build succeeds and sweeps the dead writer's half-written temp file away.
    assert run(["feed", "--now", FEB.strftime("%Y-%m-%d")], fresh).exit_code == 0
    assert b"told slowly" in (public / "feed.xml").read_bytes()
    assert not leftovers[0].exists()


def test_build_failing_mid_write_exits_with_reason(fresh: Path) -> None:
    old = _published_bytes(fresh)
    _grow_next_feed(fresh)
    done = _feed_subprocess(fresh, file_limit=len(old) // 2, default_sigxfsz=False)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "feed.xml" in lines[0] and "File too large" in lines[0]
    assert (fresh / "public" / "feed.xml").read_bytes() == old
    assert not list((fresh / "public").glob(f".feed.xml.*{atomic.TMP_SUFFIX}"))


# ---------------------------------------------------------------- text from users


def test_user_text_is_escaped_and_long_notes_fit(fresh: Path) -> None:
    yaml = fresh / "episodes" / "E2" / "episode.yaml"
    yaml.write_text(yaml.read_text().replace('"Proofing Overnight"',
                                             '"Bread & <b>Butter</b> ]]> café 🍞"'))
    notes = "\n\n".join(f"Paragraph {i}: " + "crumb & crust " * 30 for i in range(30))
    write(fresh, {"episodes/E2/notes.md": f"# E2: Bread\n\n<script>alert(1)</script>\n\n{notes}"})
    result = publish_feed(load_show(fresh), now=FEB)
    feed: Any = podcastparser_parse(result.path)  # strict expat: fails on any XML slip
    item = next(e for e in feed["episodes"] if e["number"] == 2)
    assert item["title"] == "Bread & <b>Butter</b> ]]> café 🍞"
    html = item["description_html"]
    assert len(html.encode()) <= 4000 and html.endswith("Read the full show notes</a></p>")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Paragraph 0:" in html and "Paragraph 29:" not in html


def test_split_source_is_known_by_its_parts_source_field(fresh: Path) -> None:
    source = fresh / "episodes" / "long" / "episode.yaml"
    source.write_text(source.read_text().replace("parts: 2\n", ""))
    included = publish_feed(load_show(fresh), now=FEB).included
    assert "long" in included  # no parts named: the recording is an episode of its own
    for part in (1, 2):
        yaml = fresh / "episodes" / f"long-{part}" / "episode.yaml"
        yaml.write_text(yaml.read_text() + "source: long\n")
    assert publish_feed(load_show(fresh), now=FEB).included == tuple(PUBLISHED)
