"""Our true-peak limiter against the libraries that could do the step: pedalboard's Limiter
and ffmpeg's alimiter, at the same gain and ceiling on the same generated talk.

pedalboard is not a dependency: the row appears when it is importable (e.g. installed with
`pip install --target DIR pedalboard` and DIR on PYTHONPATH).
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile

from showrunner.audio import loudness, streamed
from showrunner.audio.mastering import Audio
from showrunner.synth import interview_script, speak
from showrunner.synth.speech import GUEST_VOICE, HOST_VOICE

from .common import table

RATE, TARGET, CEILING = 44100, -16.0, -1.5
HOST, GUEST = "Jason Reed", "Mary Chen"


def _talk() -> np.ndarray:
    talk = speak(interview_script(HOST, GUEST, rounds=1), {HOST: HOST_VOICE, GUEST: GUEST_VOICE})
    command = ["ffmpeg", "-v", "error", "-i", str(talk.wav), "-ar", str(RATE), "-ac", "1",
               "-f", "f32le", "pipe:1"]
    raw = subprocess.run(command, capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.float32).reshape(-1, 1)


def _ebur128(samples: np.ndarray, folder: Path) -> tuple[float, float]:
    wav = folder / "out.wav"
    soundfile.write(str(wav), samples, RATE, subtype="FLOAT")
    report = subprocess.run(["ffmpeg", "-nostats", "-i", str(wav), "-af", "ebur128=peak=true",
                             "-f", "null", "-"], capture_output=True, text=True).stderr
    return (float(re.findall(r"I:\s+(-?[\d.]+) LUFS", report)[-1]),
            float(re.findall(r"Peak:\s+(-?[\d.]+|-inf) dBFS", report)[-1]))


def _ours(speech: np.ndarray, gain_db: float) -> np.ndarray:
    signal = Audio(speech, RATE)
    peaks = streamed.measure(signal)[1]
    cache = streamed.PeakCache(signal)
    try:
        return np.concatenate(list(streamed.Limited(signal, cache, peaks, CEILING, gain_db)))
    finally:
        cache.close()


def _pedalboard(speech: np.ndarray, gain_db: float) -> np.ndarray:
    from pedalboard import Gain, Limiter, Pedalboard

    # JUCE's limiter brings its threshold up to full scale: the last gain puts the ceiling back.
    board = Pedalboard([Gain(gain_db), Limiter(threshold_db=CEILING, release_ms=100.0),
                        Gain(CEILING)])
    return np.asarray(board(speech.T, RATE), dtype=np.float32).T


def _alimiter(speech: np.ndarray, gain_db: float, folder: Path) -> np.ndarray:
    command = ["ffmpeg", "-v", "error", "-f", "f32le", "-ar", str(RATE), "-ac", "1", "-i",
               "pipe:0", "-af", f"volume={gain_db:.3f}dB,alimiter=limit={10 ** (CEILING / 20):.4f}"
               ":attack=5:release=50:level=disabled", "-f", "f32le", "pipe:1"]
    out = subprocess.run(command, input=speech.tobytes(), capture_output=True, check=True).stdout
    return np.frombuffer(out, dtype=np.float32).reshape(-1, 1)


def section() -> str:
    speech = _talk()
    plan = loudness.normalise(speech, RATE, target_lufs=TARGET, ceiling_dbtp=CEILING)
    runs = [("ours: true-peak limiter (4x oversampled look-ahead, `streamed.Limited`)", _ours)]
    try:
        import pedalboard  # noqa: F401

        runs.append(("pedalboard 0.9 `Limiter` (JUCE, sample peak)", _pedalboard))
    except ImportError:
        pass
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        runs.append(("ffmpeg `alimiter` (sample peak, 5 ms attack)",
                     lambda s, g: _alimiter(s, g, folder)))
        for label, run in runs:
            started = time.process_time(), time.perf_counter()
            out = run(speech, plan.gain_db)
            cpu = time.process_time() - started[0]
            wall = time.perf_counter() - started[1]
            level, peak = _ebur128(out, folder)
            rows.append([label, f"{wall:.2f}", f"{cpu:.2f}", f"{level:.2f}", f"{peak:.1f}",
                         f"{loudness.true_peak(out, RATE):.2f}"])
    minutes = speech.shape[0] / RATE / 60
    return "\n".join([
        "## limiter", "",
        f"The {minutes:.1f}-minute generated conversation at 44.1 kHz mono, given the gain "
        f"that brings it to {TARGET:g} LUFS through our limiter ({plan.gain_db:.2f} dB), then "
        f"limited to {CEILING:g} dB by each; levels by ffmpeg's ebur128 and our 4x true-peak "
        "meter. CPU counts this process only (ffmpeg's alimiter runs in a child: its wall time "
        f"is the figure). Load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.", "",
        table(["limiter", "wall s", "CPU s (this process)", "LUFS", "ebur128 true peak dBTP",
               "4x true peak dBTP"], rows), ""])


if __name__ == "__main__":
    print(section())
