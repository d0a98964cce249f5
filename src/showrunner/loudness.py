"""Loudness to a target: integrated loudness (pyloudnorm, ITU-R BS.1770), true peak and a
true-peak limiter.

Samples are float arrays shaped (frames, channels), full scale = 1.0. True peak is the peak of
the signal oversampled four times (BS.1770-4, annex 2), in dB relative to full scale (dBTP).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyloudnorm
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import resample_poly

OVERSAMPLING = 4
CHUNK_SECONDS = 5.0
# Chunks quieter than this below the limit cannot reach it between samples
# (a 4x-oversampled inter-sample peak of speech or music is well under 6 dB above its samples).
_SKIP_BELOW_DB = 6.0
_EDGE = 64  # samples of context either side of a chunk for the interpolation filter
LIMITER_WINDOW_S = 0.005  # gain ramps down over 5 ms before a peak and back up after it
_MAX_ROUNDS = 4


@dataclass(frozen=True)
class Normalised:
    """Samples brought to a loudness target, with what was measured on the way."""

    samples: np.ndarray
    loudness: float  # LUFS, integrated, measured after limiting
    gain_db: float  # the overall gain applied before the limiter
    limited_db: float  # the deepest gain reduction the limiter applied (0 = untouched)


def integrated_loudness(samples: np.ndarray, rate: int) -> float:
    """Integrated loudness in LUFS (gated, K-weighted); -inf for silence."""
    meter = pyloudnorm.Meter(rate)
    data = np.asarray(samples, dtype=np.float64)
    if data.shape[0] < int(0.4 * rate) + 1:  # pyloudnorm needs one 400 ms gating block
        data = np.concatenate([data, np.zeros((int(0.4 * rate) + 1 - data.shape[0],
                                               *data.shape[1:]))])
    return float(meter.integrated_loudness(data))


def true_peak(samples: np.ndarray, rate: int) -> float:
    """True peak in dBTP (4x oversampled); -inf for silence."""
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    if peak == 0.0:
        return float("-inf")
    floor = peak * 10 ** (-_SKIP_BELOW_DB / 20)
    best = peak
    for start, stop in _loud_chunks(samples, rate, floor):
        best = max(best, float(np.max(_oversampled_envelope(samples, start, stop))))
    return 20 * float(np.log10(best))


def limit(samples: np.ndarray, rate: int, ceiling_dbtp: float) -> tuple[np.ndarray, float]:
    """Keep the true peak under `ceiling_dbtp` with a look-ahead limiter; return the limited
    samples and the deepest gain reduction in dB (0.0 when nothing reached the ceiling)."""
    ceiling = 10 ** (ceiling_dbtp / 20)
    gain = np.ones(samples.shape[0], dtype=np.float32)
    for start, stop in _loud_chunks(samples, rate, ceiling * 10 ** (-_SKIP_BELOW_DB / 20)):
        envelope = _oversampled_envelope(samples, start, stop)
        np.minimum(gain[start:stop], ceiling / np.maximum(envelope, 1e-12), out=gain[start:stop])
    deepest = float(gain.min())
    if deepest >= 1.0:
        return samples, 0.0
    # A minimum over +-w then a mean over +-w: every sample's gain is at most what the loudest
    # peak within w of it needs, and the gain moves in ramps, never in steps (no clicks).
    width = 2 * max(1, int(LIMITER_WINDOW_S * rate)) + 1
    smooth = uniform_filter1d(minimum_filter1d(gain, width, mode="nearest"), width, mode="nearest")
    return (samples * smooth[:, None]).astype(np.float32), -20 * float(np.log10(deepest))


def normalise(samples: np.ndarray, rate: int, *, target_lufs: float,
              ceiling_dbtp: float) -> Normalised:
    """Gain to `target_lufs`, then limit true peaks to `ceiling_dbtp`; the loudness the limiter
    takes away is measured and given back (a few rounds) so the result lands on the target."""
    measured = integrated_loudness(samples, rate)
    if not np.isfinite(measured):
        raise ValueError("the audio is silent")
    gain_db = target_lufs - measured
    out, limited, loudness = samples, 0.0, measured
    tried: list[tuple[float, float]] = []  # (gain, loudness) of each round
    for _ in range(_MAX_ROUNDS):
        out, limited = limit(samples * np.float32(10 ** (gain_db / 20)), rate, ceiling_dbtp)
        loudness = gain_db + measured if limited == 0.0 else integrated_loudness(out, rate)
        if abs(loudness - target_lufs) < 0.05:
            break
        tried.append((gain_db, loudness))
        # The limiter eats part of any extra gain: after two rounds, aim along the secant.
        slope = 1.0
        if len(tried) > 1 and tried[-1][1] != tried[-2][1]:
            slope = (tried[-1][1] - tried[-2][1]) / (tried[-1][0] - tried[-2][0])
        gain_db += (target_lufs - loudness) / min(1.0, max(slope, 0.1))
    return Normalised(out, loudness, gain_db, limited)


def _loud_chunks(samples: np.ndarray, rate: int, floor: float) -> list[tuple[int, int]]:
    """(start, stop) of the chunks whose sample peak reaches `floor`."""
    size = max(1, int(CHUNK_SECONDS * rate))
    frames = samples.shape[0]
    whole = frames // size * size
    peaks = np.abs(samples[:whole]).reshape(-1, size * samples.shape[1]).max(axis=1) \
        if whole else np.zeros(0)
    chunks = [(int(i) * size, (int(i) + 1) * size) for i in np.flatnonzero(peaks >= floor)]
    if whole < frames and float(np.max(np.abs(samples[whole:]))) >= floor:
        chunks.append((whole, frames))
    return chunks


def _oversampled_envelope(samples: np.ndarray, start: int, stop: int) -> np.ndarray:
    """For each frame in [start, stop): the largest absolute value the 4x-oversampled signal
    reaches in that frame's interval, over all channels."""
    lo, hi = max(0, start - _EDGE), min(samples.shape[0], stop + _EDGE)
    up = resample_poly(np.asarray(samples[lo:hi], dtype=np.float64), OVERSAMPLING, 1, axis=0)
    up = np.abs(up[(start - lo) * OVERSAMPLING:(stop - lo) * OVERSAMPLING])
    envelope = up.reshape(stop - start, OVERSAMPLING, -1).max(axis=(1, 2))
    return envelope.astype(np.float32)
