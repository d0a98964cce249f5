"""A long recording is heard a piece at a time (bounded memory), cut in pauses, and its words
come back on the recording's own clock."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from showrunner.audio import SAMPLE_RATE, decode
from showrunner.synth import Conversation
from showrunner.transcribe import pieces
from showrunner.transcribe.engines import TranscribeOptions, model_folder
from showrunner.transcribe.engines.faster_whisper import FasterWhisperEngine, _windows
from showrunner.transcribe.stage import recognize

from ..helpers import PACKAGED_MODEL
from ..speech_accuracy import measure


def test_pieces_cover_the_recording_and_end_in_its_pauses(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.setattr(pieces, "PIECE_SECONDS", 10.0)
    monkeypatch.setattr(pieces, "SEARCH_SECONDS", 3.0)
    rng = np.random.default_rng(7)
    talk = (0.3 * rng.standard_normal(65 * SAMPLE_RATE)).astype(np.float32)
    # a 0.4 s pause every 2.5 s: one lies in every 3-second search
    pauses = [(1.0 + 2.5 * k, 1.4 + 2.5 * k) for k in range(26)]
    for start, end in pauses:
        talk[int(start * SAMPLE_RATE):int(end * SAMPLE_RATE)] = 0.0
    found = pieces.pieces(talk)
    assert found[0][0] == 0 and found[-1][1] == len(talk)
    assert all(a[1] == b[0] for a, b in zip(found, found[1:], strict=False))
    cuts = [first / SAMPLE_RATE for first, _ in found[1:]]
    assert len(cuts) >= 4
    assert all(any(start <= cut <= end for start, end in pauses) for cut in cuts), cuts
    assert pieces.pieces(talk[:13 * SAMPLE_RATE]) == [(0, 13 * SAMPLE_RATE)]  # one piece


@pytest.mark.e2e
def test_speech_heard_in_pieces_is_as_accurate_as_heard_whole(
        monkeypatch: pytest.MonkeyPatch, conversation: Conversation) -> None:
    """The five-minute conversation heard in one-minute pieces, against heard whole, side by
    side: no more errors than a point of WER, no stretch of script lost, times in order."""
    engine = FasterWhisperEngine(PACKAGED_MODEL, compute_type="int8")
    samples, options = decode(conversation.wav), TranscribeOptions()
    script = [t.text for t in conversation.turns]
    whole = measure(script, " ".join(s.text for s in recognize(engine, samples, options).segments))
    monkeypatch.setattr(pieces, "PIECE_SECONDS", 60.0)
    assert len(pieces.pieces(samples)) >= 4
    heard = recognize(engine, samples, options)
    split = measure(script, " ".join(s.text for s in heard.segments))
    assert split.wer_percent <= whole.wer_percent + 1.0, (split, whole)
    assert split.longest_missing_run <= 20
    starts = [s.start for s in heard.segments]
    assert starts == sorted(starts) and heard.segments[-1].end <= heard.duration
    assert all(s.start <= w.start <= w.end <= s.end + 0.01
               for s in heard.segments for w in s.words)


def test_speech_is_packed_into_windows_as_the_batched_pipeline_packs_it() -> None:
    from faster_whisper.vad import collect_chunks

    rng = np.random.default_rng(11)
    speech, cursor = [], 0
    for _ in range(60):  # stretches of 0.2 to 29 s, pauses of 0.1 to 3 s
        cursor += int(rng.uniform(0.1, 3.0) * SAMPLE_RATE)
        length = int(rng.uniform(0.2, 29.0) * SAMPLE_RATE)
        speech.append((cursor, cursor + length))
        cursor += length
    windows = _windows(speech, 30 * SAMPLE_RATE)
    _, packed = collect_chunks(np.zeros(cursor, np.float32),
                               [{"start": a, "end": b} for a, b in speech], max_duration=30)
    assert [sum(b - a for a, b in w) / SAMPLE_RATE for w in windows] == \
        [chunk["duration"] for chunk in packed]
    assert [stretch for window in windows for stretch in window] == speech


def _furthest_apart(heard: list[tuple[str, float, float]],
                    expected: list[tuple[str, float, float]]) -> float:
    """The largest difference in start or end between words (word, start, end) paired in
    order; both lists must be as long."""
    return max(max(abs(a[1] - b[1]), abs(a[2] - b[2]))
               for a, b in zip(heard, expected, strict=True))


class _Reads:
    """A recording that notes the longest stretch read from it at once."""

    def __init__(self, samples: np.ndarray) -> None:
        self.samples, self.longest = samples, 0

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, stretch: slice, /) -> np.ndarray:
        read = self.samples[stretch]
        self.longest = max(self.longest, len(read))
        return read


@pytest.mark.e2e
def test_batched_decoding_hears_what_one_whole_call_hears_and_reads_in_pieces(
        monkeypatch: pytest.MonkeyPatch, conversation: Conversation) -> None:
    """The five-minute conversation decoded in batches of two windows, against the pipeline
    given the whole of it with its own VAD: the same windows, so the same words at the same
    times. Then read in one-minute pieces: no read is longer than a piece, and no more errors
    than a point of WER (VAD heard a minute at a time cuts a few stretches differently)."""
    from faster_whisper import BatchedInferencePipeline

    engine = FasterWhisperEngine(PACKAGED_MODEL, compute_type="int8")
    samples = decode(conversation.wav)
    assert len(pieces.pieces(samples)) == 1
    common = {"language": "en", "beam_size": 5, "word_timestamps": True}
    whole, _ = BatchedInferencePipeline(engine.whisper).transcribe(samples, batch_size=2,
                                                                   **common)
    expected = [(w.word, round(w.start, 2), round(w.end, 2)) for s in whole for w in s.words]
    assert engine.reads_in_pieces(TranscribeOptions(batched=True))
    assert not engine.reads_in_pieces(TranscribeOptions(batched=True, vad=False))
    batched, info = engine._in_groups(_Reads(samples), 2, common)
    heard = [(w.word, round(w.start, 2), round(w.end, 2)) for s in batched for w in s.words]
    assert len(heard) > 500 and info.duration == len(samples) / SAMPLE_RATE
    assert [w for w, _, _ in heard] == [w for w, _, _ in expected]
    # Within a few 20 ms frames: the pipeline's word-timing heuristics start afresh each call.
    assert _furthest_apart(heard, expected) <= 0.1

    monkeypatch.setattr(pieces, "PIECE_SECONDS", 60.0)
    recording = _Reads(samples)
    script = [t.text for t in conversation.turns]
    batched, _ = engine._in_groups(recording, 2, common)
    in_pieces = measure(script, " ".join(s.text for s in batched))
    assert recording.longest <= (60.0 + pieces.SEARCH_SECONDS) * SAMPLE_RATE
    at_once = measure(script, " ".join(w for w, _, _ in expected))
    assert in_pieces.wer_percent <= at_once.wer_percent + 1.0, (in_pieces, at_once)


class _Batches:
    """CTranslate2's Whisper model, noting how many windows each encode and align call takes."""

    def __init__(self, model: object) -> None:
        self.model, self.sizes = model, []

    def __getattr__(self, name: str) -> object:
        return getattr(self.model, name)

    def encode(self, features: Any, **options: Any) -> Any:
        self.sizes.append(("encode", features.shape[0]))
        return self.model.encode(features, **options)

    def align(self, encoder_output: Any, *args: Any, **options: Any) -> Any:
        self.sizes.append(("align", encoder_output.shape[0]))
        return self.model.align(encoder_output, *args, **options)


@pytest.mark.e2e
def test_a_batch_is_encoded_and_aligned_a_window_at_a_time_with_the_same_words(
        conversation: Conversation) -> None:
    """The engine's model hands CTranslate2 one window at a time to encode and to align (a
    batch's attention is the largest thing alive while transcribing), and the batched pipeline
    hears the same words at the same times as with faster-whisper's own model."""
    from faster_whisper import BatchedInferencePipeline, WhisperModel

    engine = FasterWhisperEngine(PACKAGED_MODEL, compute_type="int8")
    minutes = decode(conversation.wav)[:120 * SAMPLE_RATE]
    common = {"language": "en", "beam_size": 5, "word_timestamps": True, "batch_size": 4}
    spy = engine.whisper.model = _Batches(engine.whisper.model)
    ours, _ = BatchedInferencePipeline(engine.whisper).transcribe(minutes, **common)
    heard = [(w.word, w.start, w.end) for s in ours for w in s.words]
    plain = WhisperModel(str(model_folder(PACKAGED_MODEL)), compute_type="int8")
    theirs, _ = BatchedInferencePipeline(plain).transcribe(minutes, **common)
    expected = [(w.word, w.start, w.end) for s in theirs for w in s.words]
    assert len(heard) > 150 and [w for w, _, _ in heard] == [w for w, _, _ in expected]
    # Equal here; a frame (20 ms) apart at most where a CPU sums the batch in another order.
    assert _furthest_apart(heard, expected) <= 0.02
    assert {call for call, _ in spy.sizes} == {"encode", "align"}
    assert len(spy.sizes) >= 8 and {size for _, size in spy.sizes} == {1}


@pytest.mark.e2e
def test_batched_decoding_with_no_language_named_hears_english_on_an_english_only_model(
        conversation: Conversation) -> None:
    """Batched decoding gives every batch one language, found on the first window; an
    English-only model (tiny.en) cannot detect one, and is English."""
    engine = FasterWhisperEngine(PACKAGED_MODEL, compute_type="int8")
    assert not engine.whisper.model.is_multilingual
    minute = decode(conversation.wav)[:60 * SAMPLE_RATE]
    found, info = engine.transcribe(minute, TranscribeOptions(language=None, batched=True))
    words = [w.text for s in found for w in s.words]
    assert info.language == "en" and len(words) > 80
