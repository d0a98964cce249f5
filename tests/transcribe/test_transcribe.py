"""`showrunner transcribe` end to end: real recognition (both engines) on generated speech,
measured against the script and against a bare faster-whisper call."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile

from showrunner import atomic
from showrunner.audio import Mono
from showrunner.audio import reading as audio
from showrunner.config import load_episode, load_show
from showrunner.errors import AudioError
from showrunner.model import Segment, TranscriptionSettings, Word
from showrunner.synth import Conversation, Line, speak
from showrunner.transcribe import coverage
from showrunner.transcribe.engines import EngineInfo, TranscribeOptions
from showrunner.transcribe.engines.faster_whisper import FasterWhisperEngine
from showrunner.transcribe.stage import _at_idle_priority, settings_key, transcribe_episode

from ..format_checks import check_folder
from ..helpers import (
    PACKAGED_MODEL,
    SHOW_YAML,
    add_episode,
    assert_one_line_error,
    make_show,
    run,
    tree_hashes,
)
from ..speech_accuracy import measure, normalize

pytestmark = pytest.mark.e2e
EPISODE = "title: Talk\nnumber: 1\nguests: [mary-chen]\naudio: {audio}\n"
OUTPUTS = ("transcript.json", "transcript.srt", "transcript.vtt", "transcript.pc20.json",
           "transcript.txt", "transcript.html")


class CountingEngine(FasterWhisperEngine):
    """The real engine, counting its calls: proof that a run did or did not recognize."""

    calls = 0

    def transcribe(self, audio: Mono,
                   options: TranscribeOptions) -> tuple[Iterator[Segment], EngineInfo]:
        CountingEngine.calls += 1
        return super().transcribe(audio, options)


@pytest.fixture(scope="module")
def engine() -> CountingEngine:
    defaults = TranscriptionSettings()
    return CountingEngine(PACKAGED_MODEL, compute_type=defaults.compute_type)


# ---------------------------------------------------------------- ten minutes, through the CLI


@pytest.fixture(scope="module")
def long_show(tmp_path_factory: pytest.TempPathFactory, long_conversation: Conversation) -> Path:
    """A show whose episode E1 is the ten-minute conversation, transcribed by the CLI."""
    show = make_show(tmp_path_factory.mktemp("long") / "show")
    add_episode(show, "E1", EPISODE.format(audio="raw.wav"), long_conversation.wav)
    result = run(["transcribe", "E1"], show)
    assert result.exit_code == 0, result.output + result.stderr
    assert "E1: transcribed" in result.stdout
    return show


@pytest.fixture(scope="module")
def bare_text(long_conversation: Conversation) -> str:
    """A bare WhisperModel.transcribe call: same audio, model and default settings."""
    from faster_whisper import WhisperModel

    from showrunner.transcribe.engines import model_folder

    defaults, options = TranscriptionSettings(), TranscribeOptions()
    model = WhisperModel(str(model_folder(PACKAGED_MODEL)), device="cpu",
                         compute_type=defaults.compute_type)
    segments, _ = model.transcribe(str(long_conversation.wav), language="en",
                                   beam_size=defaults.beam_size, vad_filter=defaults.vad,
                                   word_timestamps=defaults.word_timestamps,
                                   condition_on_previous_text=options.condition_on_previous_text)
    return " ".join(segment.text for segment in segments)


def _script(conversation: Conversation, until: float | None = None) -> list[str]:
    return [t.text for t in conversation.turns if until is None or t.end <= until]


def _json(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "transcript.json").read_text(encoding="utf-8"))


def test_wer_is_within_two_points_of_a_bare_faster_whisper_call(
        long_show: Path, bare_text: str, long_conversation: Conversation) -> None:
    document = _json(long_show / "episodes/E1")
    ours = measure(_script(long_conversation), " ".join(s["text"] for s in document["segments"]))
    bare = measure(_script(long_conversation), bare_text)
    print(f"\nWER: showrunner transcribe {ours.wer_percent:.1f} %, bare {bare.wer_percent:.1f} %")
    assert ours.wer_percent <= bare.wer_percent + 2.0
    assert ours.wer_percent < 25.0  # tiny.en on espeak voices: about 12 % measured


def test_default_settings_drop_no_stretch_of_speech(long_show: Path,
                                                    long_conversation: Conversation) -> None:
    document = _json(long_show / "episodes/E1")
    accuracy = measure(_script(long_conversation),
                       " ".join(s["text"] for s in document["segments"]))
    assert accuracy.longest_missing_run <= 20, accuracy


def test_every_output_parses_and_is_timed_inside_the_audio(
        long_show: Path, long_conversation: Conversation) -> None:
    folder = long_show / "episodes/E1"
    parsed = check_folder(folder, long_conversation.duration)
    document = parsed.transcript
    assert document["audio_sha256"] == atomic.sha256(folder / "raw.wav")
    assert document["duration"] == pytest.approx(long_conversation.duration, abs=0.05)
    assert document["engine"] == "faster-whisper" and document["model"] == PACKAGED_MODEL
    settings = document["settings"]
    assert isinstance(settings, dict) and settings["compute_type"] == "int8"
    assert all(w["text"] for s in document["segments"] for w in s["words"])
    # Speaker names, as the speakers stage set them, reach every format.
    names = {"Jason Reed", "Mary Chen"}
    assert {voice for *_, voice in parsed.vtt} == names
    assert {s["speaker"] for s in parsed.pc20} == names
    for paragraph in parsed.text_paragraphs + parsed.html_paragraphs:
        assert paragraph.startswith(("Jason: ", "Mary: ")), paragraph[:40]
    assert len(parsed.text_paragraphs) == len(parsed.html_paragraphs)
    assert max(len(p.split()) for p in parsed.text_paragraphs) <= 251  # "Name:" + 250 words


def test_a_second_run_does_not_call_the_engine(long_show: Path, engine: CountingEngine) -> None:
    before = tree_hashes(long_show)
    result = run(["transcribe", "E1"], long_show)
    assert result.exit_code == 0 and "up to date" in result.stdout
    show = load_show(long_show)
    calls = CountingEngine.calls
    outcome = transcribe_episode(show, load_episode(show, "E1"), engine=engine, quiet=True)
    assert outcome.skipped and CountingEngine.calls == calls  # proved: not called
    assert tree_hashes(long_show) == before
    # A lost format file is rebuilt from transcript.json, still without recognizing.
    srt = long_show / "episodes/E1/transcript.srt"
    srt.unlink()
    outcome = transcribe_episode(show, load_episode(show, "E1"), engine=engine, quiet=True)
    assert outcome.skipped and CountingEngine.calls == calls
    assert tree_hashes(long_show) == before


def test_the_cache_key_follows_what_shapes_the_transcript(long_show: Path) -> None:
    show = load_show(long_show)
    episode = load_episode(show, "E1")
    key = settings_key(show, episode, show.transcription)
    assert settings_key(show, episode, replace(show.transcription, threads=7)) == key
    assert settings_key(show, episode, replace(show.transcription, beam_size=1)) != key
    assert settings_key(replace(show, glossary=("Rise and Shine",)), episode,
                        show.transcription) != key
    assert settings_key(replace(show, corrections=(("a", "b"),)), episode,
                        show.transcription) != key
    assert settings_key(show, replace(episode, guests=()), show.transcription) != key


# ---------------------------------------------------------------- a short clip


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory,
         conversation: Conversation) -> tuple[Path, list[str]]:
    """The conversation's first turns (about 25 s, cut in a pause) and their script."""
    cut = next(t.end for t in conversation.turns if t.end >= 25.0) + 0.3
    samples, rate = soundfile.read(str(conversation.wav), dtype="float32")
    path = tmp_path_factory.mktemp("clip") / "clip.wav"
    soundfile.write(str(path), samples[: int(cut * rate)], rate, subtype="PCM_16")
    return path, _script(conversation, until=cut)


@pytest.fixture(scope="module")
def clip_show(tmp_path_factory: pytest.TempPathFactory, clip: tuple[Path, list[str]],
              engine: CountingEngine) -> Path:
    """A show with the clip as E1, transcribed through the stage with the counting engine,
    the progress bar drawn on a terminal."""
    show = make_show(tmp_path_factory.mktemp("clip-show") / "show")
    add_episode(show, "E1", EPISODE.format(audio="raw.wav"), clip[0])
    return show


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_and_force_transcribes_again(
        clip_show: Path, engine: CountingEngine, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    show = load_show(clip_show)
    episode = load_episode(show, "E1")
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    calls = CountingEngine.calls
    first = transcribe_episode(show, episode, engine=engine, quiet=False)
    assert not first.skipped and CountingEngine.calls == calls + 1
    assert "transcribing [" in terminal.getvalue() and "100%" in terminal.getvalue()
    monkeypatch.undo()
    again = transcribe_episode(show, episode, engine=engine, quiet=False)
    assert again.skipped and CountingEngine.calls == calls + 1
    forced = transcribe_episode(show, episode, engine=engine, quiet=False, force=True)
    assert not forced.skipped and CountingEngine.calls >= calls + 2
    assert capsys.readouterr().err == ""  # not a terminal: no progress bar


def test_openai_whisper_recognizes_the_clip_through_the_cli(
        clip_show: Path, clip: tuple[Path, list[str]], tmp_path: Path) -> None:
    show = tmp_path / "show"
    shutil.copytree(clip_show, show)
    faster = measure(clip[1], " ".join(s["text"] for s in _json(show / "episodes/E1")["segments"]))
    result = run(["transcribe", "E1", "--engine", "openai-whisper", "--beam-size", "1", "--quiet"],
                 show)
    assert result.exit_code == 0, result.output + result.stderr
    document = _json(show / "episodes/E1")
    assert document["engine"] == "openai-whisper"
    assert document["settings"]["engine_used"]["options"]["compute_type"] == "float32"
    text = " ".join(s["text"] for s in document["segments"])
    ours = measure(clip[1], text)
    print(f"\nclip WER: openai-whisper {ours.wer_percent:.1f} %, "
          f"faster-whisper {faster.wer_percent:.1f} %")
    assert ours.wer_percent < 25.0 and ours.longest_missing_run <= 10
    assert any(w["words"] for w in document["segments"])  # word timestamps from the engine
    check_folder(show / "episodes/E1", soundfile.info(str(clip[0])).duration)


def test_mp3_with_glossary_hints_and_corrections(tmp_path: Path, clip: tuple[Path, list[str]],
                                                 engine: CountingEngine) -> None:
    """Decoded sequentially, which the WER bound was written against. On 104 words it is at
    the bound's edge with batched decoding, the default, depending on the CPU's int8 kernels:
    25.0 % on an AVX2-only AMD EPYC (17.3 % sequentially), since the batched pipeline gives the
    glossary prompt to every window. Over whole conversations the two decode about as well
    (BENCHMARKS.md, "batched or sequential as the default"); test_batched.py covers batched."""
    yaml = SHOW_YAML + ("glossary:\n  - Rise and Shine\n  - sourdough\n"
                        "corrections:\n  long game: Long Game\n  mary chen: Mary Chen\n")
    folder = make_show(tmp_path / "show", show_yaml=yaml)
    mp3 = tmp_path / "raw.mp3"
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-i", str(clip[0]),
                    "-b:a", "96k", str(mp3)], check=True)
    add_episode(folder, "E1", EPISODE.format(audio="raw.mp3"), mp3, audio_name="raw.mp3")
    show = load_show(folder)
    result = transcribe_episode(show, load_episode(show, "E1"), engine=engine, quiet=True,
                                overrides={"batched": False})
    document = _json(folder / "episodes/E1")
    assert document["settings"]["glossary"] == ["Rise and Shine", "sourdough"]
    assert document["settings"]["engine_used"]["options"]["initial_prompt"] == \
        "Rise and Shine, sourdough."
    applied = {c["wrong"]: c["count"] for c in document["corrections"]}
    assert applied.get("long game", 0) >= 1, result.transcript.text
    assert "Long Game" in (folder / "episodes/E1/transcript.txt").read_text()
    assert "long game" not in result.transcript.text
    assert measure(clip[1], result.transcript.text).wer_percent < 25.0


def test_a_dropped_stretch_is_heard_again(clip: tuple[Path, list[str]],
                                          engine: CountingEngine) -> None:
    samples = audio.decode(clip[0])
    options = TranscribeOptions()
    found, _ = engine.transcribe(samples, options)
    segments = list(found)
    # What a derailed decoder does: the segments between 6 s and 18 s vanish.
    kept = [s for s in segments if not 6.0 <= (s.start + s.end) / 2 <= 18.0]
    lost = " ".join(s.text for s in segments if s not in kept)
    assert lost and any(start < 18.0 and end > 6.0
                        for start, end in coverage.uncovered(samples, kept))
    repaired, stretches = coverage.repair(engine, samples, kept, options)
    assert stretches
    recovered = normalize(" ".join(s.text for s in repaired)).split()
    missing = [w for w in normalize(lost).split() if w not in recovered]
    assert len(missing) <= 0.2 * len(normalize(lost).split()), missing
    assert coverage.uncovered(samples, segments) == []  # the real transcript had no hole


def test_words_stretched_over_skipped_speech_are_heard_again(clip: tuple[Path, list[str]],
                                                             engine: CountingEngine) -> None:
    samples = audio.decode(clip[0])
    options = TranscribeOptions()
    segments = list(engine.transcribe(samples, options)[0])
    words = [w for s in segments for w in s.words]
    # What the batched pipeline did to a question: skipped it, and spread the next three
    # words over it and over themselves.
    first = next(i for i, w in enumerate(words) if w.start >= 6.0)
    skipped, following = words[first:first + 12], words[first + 12:first + 15]
    start, end = skipped[0].start, following[-1].end
    thirds = [start + (end - start) * k / 3 for k in range(4)]
    spread = tuple(replace(w, start=a, end=b)
                   for w, a, b in zip(following, thirds[:-1], thirds[1:], strict=True))
    derailed = [Segment(w.start, w.end, w.text, None, (w,)) for w in words[:first]]
    derailed += [Segment(start, end, " ".join(w.text for w in spread), None, spread)]
    derailed += [Segment(w.start, w.end, w.text, None, (w,)) for w in words[first + 15:]]
    assert coverage.uncovered(samples, derailed), "stretched words must not count as heard"
    repaired, stretches = coverage.repair(engine, samples, derailed, options)
    assert stretches
    heard = normalize(" ".join(s.text for s in repaired)).split()
    wanted = normalize(" ".join(w.text for w in skipped + following)).split()
    assert sum(w in heard for w in wanted) >= 0.8 * len(wanted), (wanted, heard)
    assert len(heard) <= len(normalize(" ".join(w.text for w in words)).split()) + 2
    assert not any(w in spread for s in repaired for w in s.words)


def test_words_heard_twice_are_dropped_and_the_speech_under_them_heard(
        clip: tuple[Path, list[str]], engine: CountingEngine) -> None:
    samples = audio.decode(clip[0])
    options = TranscribeOptions()
    words = [w for s in engine.transcribe(samples, options)[0] for w in s.words]
    # What the batched pipeline did to a question: aligned its words late, over the answer's
    # next words, which then counted as heard, and left the question itself uncovered. Here
    # in the longest stretch of speech, so that both are holes a pause does not cut short.
    longest = max(coverage.speech_stretches(samples), key=lambda stretch: stretch[1] - stretch[0])
    first = next(i for i, w in enumerate(words) if w.start >= longest[0])
    question, answer = words[first:first + 14], words[first + 14:first + 28]
    start, end = answer[0].start, answer[-1].end
    step = (end - start) / len(question)
    moved = tuple(replace(w, start=start + k * step, end=start + (k + 1) * step)
                  for k, w in enumerate(question))
    derailed = [Segment(w.start, w.end, w.text, None, (w,)) for w in words[:first]]
    derailed += [Segment(start, end, " ".join(w.text for w in moved), None, moved)]
    derailed += [Segment(w.start, w.end, w.text, None, (w,)) for w in words[first + 28:]]
    repaired, stretches = coverage.repair(engine, samples, derailed, options)
    assert len(stretches) >= 2  # the question, then the answer under its misplaced copy
    # The answer heard where it was said: nothing of the script missing for long, where the
    # derailed transcript misses 13 words in a row. (Against the script, as decodings of the
    # answer differ: "waste some flour" came back as "wave sunflower", "weight, sunflower".)
    spoken = measure(clip[1], " ".join(s.text for s in repaired))
    assert spoken.longest_missing_run <= 6, spoken
    assert not any(w in moved for s in repaired for w in s.words)
    heard = normalize(" ".join(s.text for s in repaired)).split()
    # The question once: a copy left in place would add its 14 words, where hearing two
    # stretches again adds a few ("bacteria" came back as "back to area").
    assert len(heard) <= len(normalize(" ".join(w.text for w in words)).split()) + 7


def test_a_phrase_really_said_twice_is_kept_when_the_first_saying_was_lost(
        engine: CountingEngine) -> None:
    # The first saying skipped (a hole, heard again), the second one a few seconds later: an
    # echo of the hole's words by its look, dropped, so its own place is heard again too.
    # Before, it was heard again only where dropping it left a 2-second hole: a phrase this
    # short, between other words, was lost.
    said = speak([Line("Jason", "Everything is on the episode page, so have a look."),
                  Line("Mary", "Yes, everything is on the episode page. The book is there "
                               "too, and so is the map.")])
    samples = audio.decode(said.wav)
    options = TranscribeOptions()
    segments = list(engine.transcribe(samples, options)[0])
    phrase = "everything is on the episode page"
    assert normalize(" ".join(s.text for s in segments)).count(phrase) == 2
    second = said.turns[1].start
    # One segment per word, as the batched pipeline's sentences are cut at any word.
    kept = [Segment(w.start, w.end, w.text, None, (w,)) for s in segments for w in s.words
            if w.start >= second - 0.3]
    repaired, stretches = coverage.repair(engine, samples, kept, options)
    heard = normalize(" ".join(s.text for s in repaired))
    assert heard.count(phrase) == 2, heard
    assert len(stretches) >= 2  # the first saying, then where the second one lay


def test_a_drawn_out_word_is_not_a_hole() -> None:
    rng = np.random.default_rng(2)
    talk = (0.2 * rng.standard_normal(16000 * 4)).astype(np.float32)
    said = (Word(0.0, 0.3, "So", 0.9), Word(0.3, 1.5, "sooo", 0.9), Word(1.5, 1.9, "then", 0.9),
            Word(1.9, 2.6, "we", 0.9), Word(2.6, 4.0, "went", 0.9))
    assert coverage.uncovered(talk, [Segment(0.0, 4.0, "x", None, said)]) == []
    dragging = (Word(0.0, 0.3, "So", 0.9), Word(0.3, 1.5, "I", 0.9),
                Word(1.5, 2.8, "wrote", 0.9), Word(2.8, 4.0, "every", 0.9))
    assert coverage.uncovered(talk, [Segment(0.0, 4.0, "x", None, dragging)]) == [(1.05, 4.0)]


def test_outside_keeps_the_words_on_either_side() -> None:
    words = tuple(Word(float(i), i + 0.5, f"w{i}", 1.0) for i in range(6))
    segment = Segment(0.0, 5.5, " ".join(w.text for w in words), "Mary", words)
    before, after = coverage.outside(segment, 1.9, 3.9)
    assert before.text == "w0 w1" and after.text == "w4 w5" and after.speaker == "Mary"
    assert coverage.outside(segment, 10.0, 11.0) == [segment]
    assert coverage.outside(segment, 0.0, 6.0) == []


def test_repair_finds_nothing_in_silence_or_in_full_coverage() -> None:
    silence = np.zeros(16000 * 10, dtype=np.float32)
    assert coverage.speech_stretches(silence) == []
    rng = np.random.default_rng(1)
    noise = (0.2 * rng.standard_normal(16000 * 10)).astype(np.float32)
    spoken = [Segment(0.0, 10.0, "all of it", None, ())]
    assert coverage.uncovered(noise, spoken) == []
    assert coverage.uncovered(noise, []) == [(0.0, 10.0)]


# ---------------------------------------------------------------- bad audio


def _wav(path: Path, seconds: float) -> None:
    soundfile.write(str(path), np.zeros(int(16000 * seconds), dtype=np.float32), 16000,
                    subtype="PCM_16")


BAD_AUDIO = {
    "empty file": ("raw.wav", lambda p: p.write_bytes(b""), "empty"),
    "corrupt file": ("raw.wav", lambda p: p.write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunk"
                                                         + bytes(range(256)) * 12), "raw.wav"),
    "text renamed .mp3": ("notes.mp3", lambda p: p.write_text("just some text\n"), "text file"),
    "unsupported container": ("raw.m4a", lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n"
                                                                 + bytes(200)), "raw.m4a"),
    "zero-length audio": ("raw.wav", lambda p: _wav(p, 0), "zero length"),
    "silent recording": ("raw.wav", lambda p: _wav(p, 8), "silent"),
    "missing file": ("missing.wav", lambda p: None, "not found"),
}


@pytest.mark.parametrize("case", BAD_AUDIO, ids=list(BAD_AUDIO))
def test_bad_audio_is_one_line_and_touches_no_transcript_file(case: str, clip_show: Path,
                                                              tmp_path: Path) -> None:
    name, make, needle = BAD_AUDIO[case]
    show = tmp_path / "show"
    shutil.copytree(clip_show, show)
    folder = show / "episodes/E1"
    assert all((folder / output).is_file() for output in OUTPUTS)
    if name != "raw.wav":
        (folder / "raw.wav").unlink()
        episode_yaml = folder / "episode.yaml"
        episode_yaml.write_text(episode_yaml.read_text().replace("raw.wav", name))
    else:
        (folder / "raw.wav").unlink()
    make(folder / name)
    before = tree_hashes(show)
    result = run(["transcribe", "E1"], show)
    assert_one_line_error(result, name, needle)
    assert tree_hashes(show) == before


def test_silence_is_refused_before_a_model_is_loaded(tmp_path: Path) -> None:
    show_folder = make_show(tmp_path / "show")
    add_episode(show_folder, "E1", EPISODE.format(audio="raw.wav"))
    _wav(show_folder / "episodes/E1/raw.wav", 3)
    show = load_show(show_folder)
    with pytest.raises(AudioError, match="silent"):
        transcribe_episode(show, load_episode(show, "E1"), quiet=True)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")
def test_diarization_thread_yields_the_cores_and_the_caller_keeps_its_priority() -> None:
    def own_niceness() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    before = own_niceness()
    with ThreadPoolExecutor(max_workers=1) as pool:
        worker = pool.submit(_at_idle_priority, own_niceness).result()
    assert worker == 19
    assert own_niceness() == before
