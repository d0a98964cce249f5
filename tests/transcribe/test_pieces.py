"""A long recording is heard a piece at a time (bounded memory), cut in pauses, and its words
come back on the recording's own clock."""

from __future__ import annotations

import numpy as np
import pytest

from showrunner.audio import SAMPLE_RATE, decode
from showrunner.synth import Conversation
from showrunner.transcribe import pieces
from showrunner.transcribe.engines import TranscribeOptions
from showrunner.transcribe.engines.faster_whisper import FasterWhisperEngine
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
