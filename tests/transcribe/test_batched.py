"""Batched decoding through the stage, on real generated speech: the coverage check hears again
the stretch the batched pipeline skips, and diarization, run beside recognition, still names
every voice."""

from __future__ import annotations

from pathlib import Path

import pytest
import soundfile

from showrunner.audio import reading as audio
from showrunner.config import load_episode, load_show
from showrunner.model import Transcript
from showrunner.synth import Conversation
from showrunner.transcribe.engines import TranscribeOptions
from showrunner.transcribe.engines.faster_whisper import FasterWhisperEngine
from showrunner.transcribe.stage import transcribe_episode

from ..helpers import PACKAGED_MODEL, add_episode, make_show
from ..speech_accuracy import measure

pytestmark = pytest.mark.e2e
# The batched pipeline skips about 46 script words from 56 s to 71 s of the ten-minute
# conversation (BENCHMARKS.md, "Transcribe"). The excerpt keeps the first batch of eight VAD
# chunks whole: an 80-second excerpt (a batch of three chunks) was decoded without the skip.
EXCERPT_SECONDS = 250.0


@pytest.fixture(scope="module")
def engine() -> FasterWhisperEngine:
    return FasterWhisperEngine(PACKAGED_MODEL, compute_type="int8")


@pytest.fixture(scope="module")
def excerpt(tmp_path_factory: pytest.TempPathFactory,
            long_conversation: Conversation) -> tuple[Path, list[str]]:
    """The long conversation's first turns, cut in the pause after EXCERPT_SECONDS."""
    cut = next(t.end for t in long_conversation.turns if t.end >= EXCERPT_SECONDS) + 0.3
    samples, rate = soundfile.read(str(long_conversation.wav), dtype="float32")
    path = tmp_path_factory.mktemp("excerpt") / "raw.wav"
    soundfile.write(str(path), samples[: int(cut * rate)], rate, subtype="PCM_16")
    return path, [t.text for t in long_conversation.turns if t.end <= cut]


def test_the_bare_batched_pipeline_skips_a_stretch_of_the_excerpt(
        excerpt: tuple[Path, list[str]], engine: FasterWhisperEngine) -> None:
    # The premise of the next test: without the coverage check, a whole answer is lost.
    segments, _ = engine.transcribe(audio.decode(excerpt[0]), TranscribeOptions(batched=True))
    skipped = measure(excerpt[1], " ".join(s.text for s in segments))
    assert skipped.longest_missing_run > 20, skipped


def test_batched_stage_repairs_the_stretch_and_names_both_voices(
        tmp_path: Path, excerpt: tuple[Path, list[str]], engine: FasterWhisperEngine,
        long_conversation: Conversation) -> None:
    folder = make_show(tmp_path / "show")
    add_episode(folder, "E1", "title: Talk\nnumber: 1\nguests: [mary-chen]\naudio: raw.wav\n",
                excerpt[0])
    show = load_show(folder)
    result = transcribe_episode(show, load_episode(show, "E1"), overrides={"batched": True},
                                engine=engine, quiet=True)
    transcript = result.transcript
    assert transcript.settings["engine_used"]["options"]["batched"] is True
    assert transcript.settings["repaired"], "the coverage check heard nothing again"
    accuracy = measure(excerpt[1], transcript.text)
    assert accuracy.longest_missing_run <= 20, accuracy
    assert accuracy.wer_percent < 25.0, accuracy
    assert _attributed(transcript, long_conversation) >= 0.97
    assert {d.name for d in transcript.speakers} == {"Jason Reed", "Mary Chen"}


def _attributed(transcript: Transcript, conversation: Conversation) -> float:
    words = transcript.words
    right = sum(w.speaker == conversation.nearest_speaker((w.start + w.end) / 2) for w in words)
    return right / len(words)
