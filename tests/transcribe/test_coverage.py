"""The coverage check's loudness, read a block at a time from memory or from disk, and its
second repair pass."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

import numpy as np
import pytest

from showrunner.audio import SAMPLE_RATE, Mono, Pcm, Samples
from showrunner.model import Segment, Word
from showrunner.transcribe import coverage
from showrunner.transcribe.engines import EngineInfo, TranscribeOptions, TranscriptionEngine


def _talk(seconds: float) -> np.ndarray:
    """Noise bursts (speech-loud) between quiet stretches, with a near-silent lead-in."""
    rng = np.random.default_rng(3)
    talk = (0.001 * rng.standard_normal(int(seconds * SAMPLE_RATE))).astype(np.float32)
    for start in np.arange(2.0, seconds - 3.0, 4.5):
        first = int(start * SAMPLE_RATE)
        talk[first:first + int(2.5 * SAMPLE_RATE)] += 0.2 * rng.standard_normal(
            int(2.5 * SAMPLE_RATE)).astype(np.float32)
    return talk


@pytest.mark.parametrize("block", [1, 7, 1200, 10**6])
def test_speech_stretches_do_not_depend_on_the_block_read(monkeypatch: pytest.MonkeyPatch,
                                                         block: int) -> None:
    talk = _talk(95.0)
    whole = coverage.speech_stretches(talk)
    assert len(whole) == 20 and whole[0][0] == pytest.approx(2.0, abs=0.06)
    monkeypatch.setattr(coverage, "_BLOCK", block)
    assert coverage.speech_stretches(talk) == whole


def test_speech_stretches_read_from_disk_equal_those_of_the_array() -> None:
    talk = _talk(40.0)
    file = tempfile.TemporaryFile()  # noqa: SIM115 — kept open by the Pcm
    file.write(talk.tobytes())
    file.flush()  # the Pcm reads the file itself, past Python's buffer
    on_disk = Samples(Pcm(file, SAMPLE_RATE, 1, 0, len(talk)))
    assert coverage.speech_stretches(on_disk) == coverage.speech_stretches(talk)


class _HearsItAll(TranscriptionEngine):
    """Hears "word" every half second of the part of a clip it keeps (`kept`): all of it."""

    name = "test"

    def __init__(self) -> None:
        super().__init__("none")
        self.clips: list[float] = []

    def kept(self, seconds: float) -> float:
        return seconds

    def transcribe(self, audio: Mono,
                   options: TranscribeOptions) -> tuple[Iterator[Segment], EngineInfo]:
        seconds = len(audio) / SAMPLE_RATE
        self.clips.append(round(seconds, 2))
        kept = self.kept(seconds)
        words = tuple(Word(t, t + 0.4, "word", 0.9) for t in np.arange(0.0, kept - 0.4, 0.5))
        found = [Segment(0.0, kept, " ".join(w.text for w in words), None, words)]
        return iter(found if words else []), EngineInfo("test", "none", "en", seconds, seconds)


class _LosesItsLastSentence(_HearsItAll):
    """Stands in for the recognizer's habit the second repair pass is for: a clip over 8 s,
    decoded alone, comes back without its last 6 s (measured: 21 script words lost at the end
    of an 18-second clip). It hears nothing at all when `deaf`."""

    def __init__(self, *, deaf: bool = False) -> None:
        super().__init__()
        self.deaf = deaf

    def kept(self, seconds: float) -> float:
        return 0.0 if self.deaf else seconds - 6.0 if seconds > 8.0 else seconds


def _loud(seconds: int) -> np.ndarray:
    rng = np.random.default_rng(4)
    return (0.2 * rng.standard_normal(seconds * SAMPLE_RATE)).astype(np.float32)


def test_what_a_repair_leaves_uncovered_is_heard_again() -> None:
    talk = _loud(20)
    words = tuple(Word(t, t + 0.4, "said", 0.9) for t in np.arange(0.0, 4.6, 0.5))
    heard = [Segment(0.0, 4.9, " ".join(w.text for w in words), None, words)]
    engine = _LosesItsLastSentence()
    repaired, stretches = coverage.repair(engine, talk, heard, TranscribeOptions())
    # The hole after the last word (a 15.6 s clip with its context; its last 6 s lost), then
    # what that left uncovered, in a clip short enough to come back whole.
    assert engine.clips[0] == 15.6 and len(engine.clips) == 2 and engine.clips[1] < 8.0
    assert len(stretches) == 2 and coverage.uncovered(talk, repaired) == []


def test_a_hole_that_gives_nothing_back_is_heard_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(coverage, "REPAIR_PASSES", 5)
    engine = _LosesItsLastSentence(deaf=True)
    assert coverage.repair(engine, _loud(6), [], TranscribeOptions()) == ([], [])
    assert engine.clips == [6.0]


def _sentence(text: str, start: float) -> Segment:
    words = tuple(Word(start + 0.5 * k, start + 0.5 * k + 0.4, word, 0.9)
                  for k, word in enumerate(text.split()))
    return Segment(words[0].start, words[-1].end, text, None, words)


def test_a_sentence_that_repeats_what_a_hole_gave_back_is_an_echo() -> None:
    heard = [_sentence("because I get a lot of founder updates, and I read a third", 100.0)]
    late = _sentence("Because I get a lot of founder updates and", 125.0)
    once = _sentence("so I get a lot less sleep", 110.0)  # four words in a row only
    far = _sentence("because I get a lot of founder updates", 140.0)  # past a window's reach
    assert coverage.echoes(heard, [late, once, far], 100.0, 105.5) == {id(late)}


def test_a_hole_covered_by_hearing_an_echo_s_place_is_not_heard_again() -> None:
    """The hole at 34-44 s lies next to a sentence (30-34 s) that repeats what the first hole
    gives back: that echo is dropped and its place heard again together with the hole beside
    it, so the hole is not heard a second time on its own."""
    talk = _loud(60)
    said = [_sentence(" ".join(["said"] * 20), 0.0), _sentence(" ".join(["said"] * 20), 20.0),
            _sentence(" ".join(["said"] * 32), 44.0)]
    echo = _sentence(" ".join(["word"] * 8), 30.0)
    engine = _HearsItAll()
    repaired, stretches = coverage.repair(engine, talk, [*said, echo], TranscribeOptions())
    # The first hole (10-20 s, with context), then the echo's place with the hole after it.
    assert len(engine.clips) == 2 and engine.clips[1] > 12.0, engine.clips
    assert coverage.uncovered(talk, repaired) == [] and len(stretches) == 2

