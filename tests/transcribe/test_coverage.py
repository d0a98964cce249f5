"""The coverage check's loudness, read a block at a time from memory or from disk."""

from __future__ import annotations

import tempfile

import numpy as np
import pytest

from showrunner.audio import SAMPLE_RATE, Pcm, Samples
from showrunner.transcribe import coverage


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
