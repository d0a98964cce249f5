"""The feed keeps the notes Markdown it rendered and the audio durations it read: an unchanged
rebuild renders no note and parses no MP3, and the feed is byte for byte what working every fact
out afresh gives."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from showrunner.config import load_show
from showrunner.feed import gather, publish_feed
from showrunner.feed.memo import RenderedNotes
from showrunner.layout import DURATIONS_CACHE, NOTES_HTML_CACHE
from showrunner.synth import Conversation, solo_script, speak
from showrunner.synth.speech import HOST_VOICE

from ..feed_fixtures import build_show
from ..helpers import loaded_modules

pytestmark = pytest.mark.clock

FEB = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def speech() -> Conversation:
    return speak(solo_script("Jason Reed"), {"Jason Reed": HOST_VOICE}, mp3=True)


@pytest.fixture
def show(tmp_path: Path, speech: Conversation) -> Path:
    return build_show(tmp_path / "show", speech)


def _spy(monkeypatch: pytest.MonkeyPatch, name: str) -> list[Any]:
    """Every argument `gather.<name>` is called with, the real function still answering."""
    seen: list[Any] = []
    real = getattr(gather, name)

    def counting(argument: Any) -> Any:
        seen.append(argument)
        return real(argument)

    monkeypatch.setattr(gather, name, counting)
    return seen


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every Markdown text actually rendered (not taken from the cache)."""
    return _spy(monkeypatch, "render_markdown")


@pytest.fixture
def measured(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every audio file whose duration was read from the file (not from the cache)."""
    return _spy(monkeypatch, "audio_duration")


def _feed(show: Path) -> bytes:
    return (show / "public" / "feed.xml").read_bytes()


def test_an_unchanged_rebuild_renders_no_markdown_and_writes_nothing(
        show: Path, renders: list[str]) -> None:
    publish_feed(load_show(show), now=FEB)
    assert renders, "the first build renders every episode's notes"
    cache = show / NOTES_HTML_CACHE
    before, stamp = _feed(show), cache.stat().st_mtime_ns
    renders.clear()
    again = publish_feed(load_show(show), now=FEB)
    assert renders == [] and not again.changed
    assert _feed(show) == before and cache.stat().st_mtime_ns == stamp


def test_the_feed_equals_a_build_without_the_cache(show: Path, tmp_path: Path,
                                                   speech: Conversation) -> None:
    publish_feed(load_show(show), now=FEB)
    publish_feed(load_show(show), now=FEB)  # from the cache
    uncached = build_show(tmp_path / "other", speech)
    publish_feed(load_show(uncached), now=FEB)
    assert (uncached / NOTES_HTML_CACHE).is_file()
    # The two shows differ only in their random guids.
    strip = [(show, _feed(show)), (uncached, _feed(uncached))]
    texts = [_without_guids(folder, feed) for folder, feed in strip]
    assert texts[0] == texts[1]


def test_an_edited_note_is_rendered_again(show: Path, renders: list[str]) -> None:
    publish_feed(load_show(show), now=FEB)
    notes = show / "episodes" / "E1" / "notes.md"
    notes.write_text(notes.read_text().replace("\n\n", "\n\nA line the host added.\n\n", 1))
    renders.clear()
    publish_feed(load_show(show), now=FEB)
    assert len(renders) == 1 and "A line the host added." in renders[0]
    assert "A line the host added." in _feed(show).decode()


@pytest.mark.parametrize("content", ["not json", '["a list"]', '{"k": 3}', ""])
def test_a_broken_cache_file_is_rebuilt(show: Path, content: str) -> None:
    publish_feed(load_show(show), now=FEB)
    good = _feed(show)
    (show / NOTES_HTML_CACHE).write_text(content)
    publish_feed(load_show(show), now=FEB)
    assert _feed(show) == good
    assert json.loads((show / NOTES_HTML_CACHE).read_text())


def test_only_entries_in_use_are_kept(tmp_path: Path) -> None:
    path = tmp_path / NOTES_HTML_CACHE
    first = RenderedNotes(path, gather.render_markdown)
    first.render("*one*")
    first.render("*two*")
    first.save()
    second = RenderedNotes(path, gather.render_markdown)
    assert second.render("*two*") == "<p><em>two</em></p>\n"
    second.save()
    assert list(json.loads(path.read_text()).values()) == ["<p><em>two</em></p>\n"]


def test_an_unchanged_rebuild_parses_no_audio(show: Path, measured: list[Path]) -> None:
    publish_feed(load_show(show), now=FEB)
    assert len(measured) == 4, "E1, E2 and the two parts are published"
    cache = show / DURATIONS_CACHE
    before, stamp = _feed(show), cache.stat().st_mtime_ns
    measured.clear()
    publish_feed(load_show(show), now=FEB)
    assert measured == []
    assert _feed(show) == before and cache.stat().st_mtime_ns == stamp


def test_a_copied_show_keeps_its_durations(show: Path, tmp_path: Path,
                                           measured: list[Path]) -> None:
    publish_feed(load_show(show), now=FEB)
    copy = tmp_path / "copied"
    shutil.copytree(show, copy)  # copy2 keeps each file's modification time
    measured.clear()
    publish_feed(load_show(copy), now=FEB)
    assert measured == [], "the memo names files from the show folder, not the disk's root"


def test_a_changed_mp3_is_measured_again(show: Path, measured: list[Path]) -> None:
    publish_feed(load_show(show), now=FEB)
    mp3 = show / "episodes" / "E2" / "episode.mp3"
    shorter = mp3.with_name("short.mp3")
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(mp3), "-t", "3", "-c", "copy",
                    str(shorter)], check=True)
    shorter.replace(mp3)
    measured.clear()
    publish_feed(load_show(show), now=FEB)
    assert measured == [mp3]
    durations = re.findall(r"<itunes:duration>(\d+)</itunes:duration>", _feed(show).decode())
    assert "3" in durations and len(durations) == 4


@pytest.mark.parametrize("spoil", [lambda kept: "not json", lambda kept: "[]",
                                   lambda kept: json.dumps({k: str(v) for k, v in kept.items()}),
                                   lambda kept: json.dumps({k: True for k in kept})])
def test_a_broken_durations_file_is_rebuilt(show: Path, measured: list[Path],
                                            spoil: Callable[[dict[str, int]], str]) -> None:
    publish_feed(load_show(show), now=FEB)
    good, cache = _feed(show), show / DURATIONS_CACHE
    kept = json.loads(cache.read_text())
    cache.write_text(spoil(kept))
    measured.clear()
    publish_feed(load_show(show), now=FEB)
    assert _feed(show) == good and len(measured) == 4
    assert json.loads(cache.read_text()) == kept


def _without_guids(show: Path, feed: bytes) -> str:
    text = feed.decode()
    for yaml in (show / "episodes").glob("*/episode.yaml"):
        if match := re.search(r"^guid: (\S+)$", yaml.read_text(), re.MULTILINE):
            text = text.replace(match.group(1), "GUID")
    return text


def test_publishing_the_feed_does_not_load_the_mastering_code() -> None:
    """The feed only retags MP3s: importing it must not pull in mastering's scipy (through
    pyloudnorm), which cost 0.9 s of the 1.3 s start of every feed build."""
    assert loaded_modules("from showrunner.config import load_show\n"
                          "from showrunner.feed import publish_feed\n"
                          "from showrunner.audio import retag_chapters",
                          ("scipy", "pyloudnorm", "showrunner.audio.mastering")) == []
