"""The test-audio generator really speaks two voices, and its ground truth matches the audio."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile

from showrunner.synth import Conversation, Line, speak
from showrunner.synth.speech import GUEST_VOICE, HOST_VOICE


def _pitch(samples: np.ndarray, rate: int) -> float:
    """Median fundamental frequency (autocorrelation per 40 ms voiced frame), in Hz."""
    frame = int(0.04 * rate)
    lo, hi = int(rate / 400), int(rate / 60)
    pitches = []
    for start in range(0, len(samples) - frame, frame):
        chunk = samples[start:start + frame] - np.mean(samples[start:start + frame])
        if np.sqrt(np.mean(chunk ** 2)) < 0.02:
            continue
        corr = np.correlate(chunk, chunk, "full")[frame - 1:]
        lag = lo + int(np.argmax(corr[lo:hi]))
        if corr[lag] > 0.3 * corr[0]:
            pitches.append(rate / lag)
    return float(np.median(pitches))


def _speech(conversation: Conversation, speaker: str) -> tuple[np.ndarray, int]:
    samples, rate = soundfile.read(str(conversation.wav), dtype="float32")
    parts = [samples[int(t.start * rate):int(t.end * rate)]
             for t in conversation.turns if t.speaker == speaker]
    return np.concatenate(parts), rate


def test_two_voices_differ_in_pitch(conversation: Conversation) -> None:
    host, rate = _speech(conversation, "Jason Reed")
    guest, _ = _speech(conversation, "Mary Chen")
    host_pitch, guest_pitch = _pitch(host, rate), _pitch(guest, rate)
    assert guest_pitch > 1.25 * host_pitch, (host_pitch, guest_pitch)


def test_ground_truth_lines_up_with_the_audio(conversation: Conversation) -> None:
    samples, rate = soundfile.read(str(conversation.wav), dtype="float32")
    assert len(conversation.turns) >= 20 and conversation.duration > 180
    for before, after in zip(conversation.turns, conversation.turns[1:], strict=False):
        pause = samples[int((before.end + 0.05) * rate):int((after.start - 0.05) * rate)]
        assert pause.size > 0 and np.max(np.abs(pause)) < 1e-3  # silence where the script pauses
    for turn in conversation.turns:
        speech = samples[int(turn.start * rate):int(turn.end * rate)]
        assert np.sqrt(np.mean(speech ** 2)) > 0.02  # speech where the script speaks


def test_cached_by_script(tmp_path: Path) -> None:
    script = [Line("A", "Hello there."), Line("B", "Hi.")]
    voices = {"A": HOST_VOICE, "B": GUEST_VOICE}
    first = speak(script, voices, cache_dir=tmp_path, mp3=True)
    stamp = first.wav.stat().st_mtime_ns
    again = speak(script, voices, cache_dir=tmp_path, mp3=True)
    assert again.wav == first.wav and again.wav.stat().st_mtime_ns == stamp
    assert first.mp3 is not None and first.mp3.read_bytes()[:3] in (b"ID3", b"\xff\xfb")
    other = speak([Line("A", "Something else.")], voices, cache_dir=tmp_path)
    assert other.wav != first.wav
