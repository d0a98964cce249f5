"""`showrunner episode` and the Makefile: the whole chain on real generated speech."""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mutagen.id3 import ID3

from showrunner import chapters as chapters_file
from showrunner.feed.chapter_rules import description_chapters, description_problems
from showrunner.layout import DURATIONS_CACHE
from showrunner.synth import TOPICS, Conversation, interview_script, speak
from showrunner.synth.speech import GUEST_VOICE, HOST_VOICE

from .conftest import GUEST, HOST
from .feed_fixtures import feedparser_parse, partytime, podcastparser_parse
from .helpers import REPO, add_episode, copy_demo_show, loaded_modules, make_show, run, tree_hashes

pytestmark = pytest.mark.e2e
VOICES = {HOST: HOST_VOICE, GUEST: GUEST_VOICE}


@pytest.fixture(scope="module")
def short_talks() -> tuple[Conversation, Conversation]:
    """Two short interviews (about a minute each) for the Makefile tests."""
    return (speak(interview_script(HOST, GUEST, TOPICS[:1]), VOICES),
            speak(interview_script(HOST, GUEST, TOPICS[5:6]), VOICES))


@pytest.fixture(scope="module")
def series_show(tmp_path_factory: pytest.TempPathFactory,
                conversation: Conversation) -> Iterator[Path]:
    """The demo show's settings with the five-minute conversation, run once through `episode`."""
    show = copy_demo_show(tmp_path_factory.mktemp("series"))
    from showrunner.demo import prepare

    shutil.copyfile(conversation.wav, show / "episodes" / "rise-and-shine" / "raw.wav")
    prepare(show)
    result = run(["episode", "rise-and-shine", "--quiet"], show)
    assert result.exit_code == 0, result.output + result.stderr
    yield show


def test_whole_chain_from_wav_to_feed(series_show: Path) -> None:
    parts = [series_show / "episodes" / f"rise-and-shine-{k}" for k in (1, 2, 3)]
    for k, part in enumerate(parts, 1):
        assert (part / f"rise-and-shine-{k}.mp3").stat().st_size > 10_000
        notes = (part / "notes.md").read_text()
        assert f"Part {k} of 3" in notes and "Mary's Info:" in notes
        page = series_show / "public" / "episodes" / part.name / "index.html"
        assert "Rising Early with Mary Chen" in page.read_text()
    feed = series_show / "public" / "feed.xml"
    assert run(["validate", str(feed)]).exit_code == 0

    gpodder = podcastparser_parse(feed)
    titles = [e["title"] for e in gpodder["episodes"]]
    assert titles == [f"Rising Early with Mary Chen – Part {k} of 3" for k in (3, 2, 1)]
    assert all(e["enclosures"][0]["file_size"] > 10_000 for e in gpodder["episodes"])

    index = partytime(feed)
    assert index is not None
    items = sorted(index["items"], key=lambda i: i["itunesEpisode"])
    assert [i["itunesEpisode"] for i in items] == [1, 2, 3]
    assert all(i["podcastTranscripts"] and i["podcastChapters"] for i in items)
    assert {p["name"] for p in items[0]["podcastPeople"]} == {HOST, GUEST}
    _one_chapter_list_everywhere(series_show, gpodder["episodes"], feedparser_parse(feed))


def _one_chapter_list_everywhere(show: Path, gpodder: list[dict[str, Any]], parsed: Any) -> None:
    """Each part's notes.md list is in its chapters.json, its MP3's ID3 chapters, psc:chapters
    and its feed description, which Apple and Spotify both read."""
    for entry, item in zip(sorted(gpodder, key=lambda e: e["number"]),
                           sorted(parsed.entries, key=lambda e: int(e["itunes_episode"])),
                           strict=True):
        part = show / "episodes" / f"rise-and-shine-{entry['number']}"
        listed = chapters_file.notes_chapters(part / "notes.md")
        assert listed is not None and len(listed.chapters) >= 3
        marks = [(int(c.start), c.title) for c in listed.chapters]
        assert [(int(c.start), c.title) for c in chapters_file.load(part / "chapters.json")] \
            == marks
        tags = ID3(part / f"{part.name}.mp3").getall("CHAP")
        assert sorted((f.start_time // 1000, str(f.sub_frames["TIT2"].text[0])) for f in tags) \
            == marks
        assert [(int(c["start"]), c["title"]) for c in entry["chapters"]] == marks
        for description in (entry["description_html"], item["summary"]):
            assert description_problems(description) == []
            assert description_chapters(description) == marks


def _stage_lines(show: Path, episode: str) -> list[str]:
    result = run(["episode", episode, "--quiet"], show)
    assert result.exit_code == 0, result.output + result.stderr
    return result.output.splitlines()


def test_touching_nothing_redoes_nothing(series_show: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    before = tree_hashes(series_show / "episodes")
    lines = _stage_lines(series_show, "rise-and-shine")
    assert all("up to date" in line for line in lines if not line.startswith("feed")), lines
    monkeypatch.chdir(series_show)  # the same show named another way, as make names it
    lines = _stage_lines(Path("."), "rise-and-shine")
    assert all("up to date" in line for line in lines if not line.startswith("feed")), lines
    assert tree_hashes(series_show / "episodes") == before


def test_template_change_rerenders_without_transcribing(series_show: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from showrunner.transcribe.engines import faster_whisper

    calls = []
    real = faster_whisper.FasterWhisperEngine.transcribe

    def spy(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args)  # a spy: it records the call and runs the real engine
        return real(self, *args, **kwargs)

    monkeypatch.setattr(faster_whisper.FasterWhisperEngine, "transcribe", spy)
    templates = series_show / "templates"
    templates.mkdir(exist_ok=True)
    (templates / "episode.html.j2").write_text(
        '{% extends "!default/episode.html.j2" %}{% block closing %}CHANGED-FOOTER{% endblock %}')
    transcript = (series_show / "episodes/rise-and-shine/transcript.json").read_bytes()
    lines = _stage_lines(series_show, "rise-and-shine")
    assert calls == []
    assert (series_show / "episodes/rise-and-shine/transcript.json").read_bytes() == transcript
    assert any(line.startswith("render rise-and-shine-2:") and "up to date" not in line
               for line in lines), lines
    page = series_show / "public/episodes/rise-and-shine-2/index.html"
    assert "CHANGED-FOOTER" in page.read_text()
    (templates / "episode.html.j2").unlink()


def test_a_chapter_edit_is_retagged_once_then_up_to_date(series_show: Path) -> None:
    part = series_show / "episodes" / "rise-and-shine-1"
    notes = part / "notes.md"
    listed = chapters_file.notes_chapters(notes)
    assert listed is not None
    line = notes.read_text().split("\n")[listed.heading + 2]  # the second chapter
    assert line[:5] != "00:00"
    notes.write_text(notes.read_text().replace(line, line[:6] + "Edited by the host", 1))
    lines = _stage_lines(series_show, "rise-and-shine")
    assert any(line.startswith("render rise-and-shine-1:") and "up to date" not in line
               for line in lines), lines
    titles = [str(f.sub_frames["TIT2"].text[0]) for f in ID3(part / "rise-and-shine-1.mp3")
              .getall("CHAP")]
    assert "Edited by the host" in titles
    # render changed the MP3's tags and chapters.json, inputs of its own: recorded as it left
    # them, so the next run has nothing to do.
    lines = _stage_lines(series_show, "rise-and-shine")
    assert all("up to date" in line for line in lines if not line.startswith("feed")), lines


def test_changed_audio_redoes_everything(tmp_path: Path, short_talks: tuple[Conversation, ...],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    show = make_show(tmp_path / "show")
    folder = add_episode(show, "E1", "title: First\nnumber: 1\ndate: 2026-01-05\n"
                                     "guests: [mary-chen]\naudio: raw.wav\nstatus: released\n",
                         short_talks[0].wav)
    first = _stage_lines(show, "E1")
    assert not any("up to date" in line for line in first), first
    words_before = json.loads((folder / "transcript.json").read_text())["segments"]
    notes_before = (folder / "notes.md").read_text()
    shutil.copyfile(short_talks[1].wav, folder / "raw.wav")
    second = _stage_lines(show, "E1")
    assert not any("up to date" in line for line in second), second
    segments = json.loads((folder / "transcript.json").read_text())["segments"]
    assert segments != words_before
    notes = (folder / "notes.md").read_text()  # the host never edited it: regenerated in place
    assert notes != notes_before and segments[-1]["text"].strip() in notes
    page = (show / "public/episodes/E1/index.html").read_text()
    assert segments[-1]["text"].strip() in html.unescape(page)


def _make(show: Path, *targets: str, jobs: int) -> None:
    subprocess.run(["make", "-f", str(REPO / "Makefile"), "-C", str(show), f"-j{jobs}",
                    "--no-print-directory", *targets], check=True, capture_output=True,
                   env=dict(os.environ, MAKEFLAGS=""), timeout=900)


def _two_episode_show(root: Path, talks: tuple[Conversation, ...]) -> Path:
    show = make_show(root)
    for k, talk in enumerate(talks, 1):
        add_episode(show, f"E{k}", f"title: Talk {k}\nnumber: {k}\ndate: 2026-01-0{k}\n"
                                   "guests: [mary-chen]\naudio: raw.wav\nstatus: released\n"
                                   f"guid: 00000000-0000-4000-8000-00000000000{k}\n", talk.wav)
    return show


def _comparable(show: Path) -> dict[str, str]:
    hashes = tree_hashes(show)
    feed = (show / "public" / "feed.xml").read_text()
    stable = "\n".join(line for line in feed.splitlines() if "lastBuildDate" not in line)
    hashes["public/feed.xml"] = stable
    # Bookkeeping, not output: make's stamps, the lock, and the feed's memo of audio durations,
    # which is keyed by each MP3's modification time (different in any two builds).
    return {k: v for k, v in hashes.items()
            if ".built" not in k and ".lock" not in k and k != DURATIONS_CACHE}


def test_make_j2_equals_make_j1(tmp_path: Path, short_talks: tuple[Conversation, ...]) -> None:
    serial = _two_episode_show(tmp_path / "serial", short_talks)
    parallel = _two_episode_show(tmp_path / "parallel", short_talks)
    _make(serial, "site", jobs=1)
    _make(parallel, "site", jobs=2)
    assert (parallel / "public" / "feed.xml").is_file()
    assert _comparable(serial) == _comparable(parallel)
    before = tree_hashes(parallel)
    _make(parallel, "site", jobs=2)  # nothing changed: make redoes nothing
    assert tree_hashes(parallel) == before


def test_the_pipeline_loads_no_scientific_library_before_a_stage_needs_it() -> None:
    """`showrunner episode` on an up-to-date episode only checks each stage: importing the
    pipeline must not pull in scipy (through pyloudnorm) or scikit-learn, which made that
    check take 2.1 s instead of 0.9 s (the pipeline section of BENCHMARKS.md)."""
    assert loaded_modules("import showrunner.cli\nimport showrunner.pipeline",
                          ("scipy", "sklearn", "pyloudnorm", "torch",
                           "showrunner.audio.mastering")) == []
