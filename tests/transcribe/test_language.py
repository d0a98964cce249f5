"""transcription.language: `auto` lets the model tell, and a language the model cannot hear is
refused before any audio is decoded (an English-only model would write it as English words)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import soundfile

from showrunner.errors import EngineError
from showrunner.synth import Conversation
from showrunner.transcribe.engines import AUTO_LANGUAGE, checked_language
from showrunner.transcribe.engines.faster_whisper import FasterWhisperEngine
from showrunner.transcribe.engines.openai_whisper import OpenAIWhisperEngine

from ..helpers import (
    PACKAGED_MODEL,
    add_episode,
    assert_one_line_error,
    make_show,
    run,
    tree_hashes,
)

WHISPER_CODES = ["en", "de", "fr", "es"]  # a multilingual model's, in part


def test_auto_or_no_language_lets_a_multilingual_model_detect_it() -> None:
    for asked in (AUTO_LANGUAGE, None):
        assert checked_language(asked, WHISPER_CODES, "small", None) is None
    assert checked_language("de", WHISPER_CODES, "small", None) == "de"


def test_a_code_the_model_does_not_know_names_the_file_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(EngineError) as raised:
        checked_language("xx", WHISPER_CODES, "small", tmp_path / "show.yaml")
    line = raised.value.one_line()
    assert "show.yaml" in line and "'xx'" in line and "--language" in line


def test_an_english_only_model_hears_english_for_auto_and_refuses_another_language() -> None:
    assert checked_language(AUTO_LANGUAGE, ["en"], "tiny.en", None) == "en"
    assert checked_language(None, ["en"], "tiny.en", None) == "en"
    with pytest.raises(EngineError, match="hears only 'en'"):
        checked_language("de", ["en"], "tiny.en", None)


@pytest.mark.e2e
@pytest.mark.parametrize("engine_class", [FasterWhisperEngine, OpenAIWhisperEngine])
def test_both_engines_know_that_tiny_en_is_english_only(engine_class: type) -> None:
    engine = engine_class(PACKAGED_MODEL)
    assert engine.language_for(AUTO_LANGUAGE) == "en"
    with pytest.raises(EngineError, match="hears only 'en'"):
        engine.language_for("fr")


@pytest.fixture(scope="module")
def short_show(tmp_path_factory: pytest.TempPathFactory, conversation: Conversation) -> Path:
    """The conversation's first turns, about 12 s, as E1."""
    cut = next(t.end for t in conversation.turns if t.end >= 12.0) + 0.3
    samples, rate = soundfile.read(str(conversation.wav), dtype="float32")
    wav = tmp_path_factory.mktemp("short") / "raw.wav"
    soundfile.write(str(wav), samples[: int(cut * rate)], rate, subtype="PCM_16")
    show = make_show(tmp_path_factory.mktemp("short-show") / "show")
    add_episode(show, "E1", "title: Talk\nnumber: 1\nguests: [mary-chen]\naudio: raw.wav\n", wav)
    return show


@pytest.mark.e2e
def test_auto_through_the_cli_records_the_language_heard(short_show: Path) -> None:
    result = run(["transcribe", "E1", "--language", "auto", "--quiet"], short_show)
    assert result.exit_code == 0, result.output + result.stderr
    assert "English-only" not in result.stderr  # faster-whisper's warning, not needed here
    folder = short_show / "episodes/E1"
    document = json.loads((folder / "transcript.json").read_text())
    assert document["language"] == "en" and document["settings"]["language"] == AUTO_LANGUAGE
    assert '<html lang="en">' in (folder / "transcript.html").read_text()


@pytest.mark.e2e
def test_a_language_the_model_cannot_hear_is_one_line_and_writes_nothing(
        short_show: Path) -> None:
    before = tree_hashes(short_show)
    result = run(["transcribe", "E1", "--language", "de", "--force"], short_show)
    assert_one_line_error(result, "show.yaml", "'de'", "hears only 'en'")
    assert tree_hashes(short_show) == before
