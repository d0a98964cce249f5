"""Loudness to a target: integrated loudness (pyloudnorm, ITU-R BS.1770), true peak and a
true-peak limiter.

Samples are float arrays shaped (frames, channels), full scale = 1.0. True peak is the peak of
the signal oversampled four times (BS.1770-4, annex 2), in dB relative to full scale (dBTP).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
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
_BLOCK_S, _BLOCK_STEP_S = 0.4, 0.1  # BS.1770 gating blocks: 400 ms, every 100 ms
_BLOCKS_PER_CHUNK = 600  # a minute
_PREROLL_BLOCKS = 10  # a second
ROUND_TOLERANCE_LU = 0.1  # how close the in-memory loudness must come before encoding


@dataclass(frozen=True)
class Normalised:
    """Samples brought to a loudness target, with what was measured on the way."""

    samples: np.ndarray
    loudness: float  # LUFS, integrated, measured after limiting
    gain_db: float  # the overall gain applied before the limiter
    limited_db: float  # the deepest gain reduction the limiter applied (0 = untouched)


def integrated_loudness(samples: np.ndarray, rate: int) -> float:
    """Integrated loudness in LUFS (BS.1770: K-weighted, gated); -inf for silence.

    pyloudnorm measures it. A long programme is measured a minute at a time (pyloudnorm keeps
    about four float64 copies of what it is given, 1.7 GB for 20 minutes at 44.1 kHz): its
    400 ms blocks come from each minute, filtered from a second before the minute so the
    K-weighting has settled, and the gating is then done once over all the blocks.
    """
    data = np.asarray(samples, dtype=np.float32)
    step = round(rate * _BLOCK_STEP_S)
    chunk = step * _BLOCKS_PER_CHUNK
    if abs(step - rate * _BLOCK_STEP_S) > 1e-6 or data.shape[0] <= 2 * chunk:
        return _pyloudnorm(data, rate)
    pre = step * _PREROLL_BLOCKS
    blocks = []
    for start in range(0, data.shape[0], chunk):
        lo = max(0, start - pre)
        end = start + chunk
        piece = data[lo:end + int(_BLOCK_S * rate) - step] if end < data.shape[0] else data[lo:]
        meter = pyloudnorm.Meter(rate)
        meter.integrated_loudness(np.asarray(piece, dtype=np.float64))
        blocks.append(np.asarray(meter.blockwise_loudness)[(start - lo) // step:][:chunk // step])
    return _gated(np.concatenate(blocks))


def _pyloudnorm(data: np.ndarray, rate: int) -> float:
    if data.shape[0] < int(_BLOCK_S * rate) + 1:  # pyloudnorm needs one 400 ms block
        data = np.concatenate([data, np.zeros((int(_BLOCK_S * rate) + 1 - data.shape[0],
                                               *data.shape[1:]), dtype=data.dtype)])
    return float(pyloudnorm.Meter(rate).integrated_loudness(np.asarray(data, dtype=np.float64)))


def _gated(block_loudness: np.ndarray) -> float:
    """BS.1770 gating over 400 ms blocks' loudness (as pyloudnorm does it for one piece)."""
    with np.errstate(divide="ignore"):
        power = 10 ** ((block_loudness + 0.691) / 10)  # the blocks' weighted mean squares
        absolute = block_loudness >= -70.0
        if not absolute.any():
            return float("-inf")
        relative = -0.691 + 10 * np.log10(power[absolute].mean()) - 10.0
        kept = (block_loudness > relative) & absolute
        return float(-0.691 + 10 * np.log10(power[kept].mean())) if kept.any() else \
            float("-inf")


class PeakEnvelope:
    """The 4x-oversampled peak of each frame of a signal, worked out chunk by chunk and only
    for chunks loud enough to matter, then kept: the limiter asks again at other gains."""

    def __init__(self, samples: np.ndarray, rate: int):
        self.samples, self.rate = samples, rate
        size = max(1, int(CHUNK_SECONDS * rate))
        frames = samples.shape[0]
        self.bounds = [(a, min(a + size, frames)) for a in range(0, frames, size)]
        self.sample_peaks = np.array([float(np.max(np.abs(samples[a:b]))) if b > a else 0.0
                                      for a, b in self.bounds])
        self._done: dict[int, np.ndarray] = {}

    def chunks(self, floor: float) -> dict[int, np.ndarray]:
        """For every chunk whose sample peak reaches `floor` (by index into `bounds`): the
        oversampled peak of each of its frames."""
        found = {}
        for found_at in np.flatnonzero(self.sample_peaks >= floor):
            index = int(found_at)
            if index not in self._done:
                self._done[index] = _oversampled_envelope(self.samples, *self.bounds[index])
            found[index] = self._done[index]
        return found

    @property
    def peak(self) -> float:
        """The true peak, linear."""
        top = float(self.sample_peaks.max(initial=0.0))
        if top == 0.0:
            return 0.0
        return max([top, *(float(env.max()) for env in
                           self.chunks(top * 10 ** (-_SKIP_BELOW_DB / 20)).values())])


def measure(samples: np.ndarray, rate: int) -> tuple[float, float]:
    """(integrated loudness in LUFS, true peak in dBTP), the two measured side by side."""
    with ThreadPoolExecutor(1) as other:
        peak = other.submit(true_peak, samples, rate)
        return integrated_loudness(samples, rate), peak.result()


def true_peak(samples: np.ndarray, rate: int) -> float:
    """True peak in dBTP (4x oversampled); -inf for silence."""
    peak = PeakEnvelope(samples, rate).peak
    return 20 * float(np.log10(peak)) if peak > 0.0 else float("-inf")


def limit(samples: np.ndarray, rate: int, ceiling_dbtp: float, *, gain_db: float = 0.0,
          envelope: PeakEnvelope | None = None) -> tuple[np.ndarray, float]:
    """Apply `gain_db`, then keep the true peak under `ceiling_dbtp` with a look-ahead limiter;
    return the result and the deepest gain reduction in dB (0.0 when nothing reached the
    ceiling). `envelope` (of `samples`, before the gain) saves working it out again."""
    envelope = envelope or PeakEnvelope(samples, rate)
    scale = 10 ** (gain_db / 20)
    ceiling = 10 ** (ceiling_dbtp / 20) / scale  # the ceiling in terms of the ungained signal
    needed = {}
    for index, peaks in envelope.chunks(ceiling * 10 ** (-_SKIP_BELOW_DB / 20)).items():
        gain = np.minimum(np.float32(1.0), np.float32(ceiling) / np.maximum(peaks, 1e-12))
        if float(gain.min()) < 1.0:
            needed[index] = gain.astype(np.float32)
    out = (samples * np.float32(scale)).astype(np.float32)
    if not needed:
        return out, 0.0
    # A minimum over +-w then a mean over +-w: every frame's gain is at most what the loudest
    # peak within w of it needs, and the gain moves in ramps, never in steps (no clicks).
    # Worked out chunk by chunk with 2w of the neighbours' gains, which is exactly what the
    # filters see of them.
    half = max(1, int(LIMITER_WINDOW_S * rate))
    width, reach = 2 * half + 1, 2 * half
    touched = sorted({j for i in needed for j in (i - 1, i, i + 1) if 0 <= j < len(envelope.bounds)})
    for index in touched:
        start, stop = envelope.bounds[index]
        lo, hi = max(0, start - reach), min(samples.shape[0], stop + reach)
        window = np.ones(hi - lo, dtype=np.float32)
        for j in (index - 1, index, index + 1):
            if j in needed:
                a, b = envelope.bounds[j]
                a2, b2 = max(a, lo), min(b, hi)
                if b2 > a2:
                    window[a2 - lo:b2 - lo] = needed[j][a2 - a:b2 - a]
        smooth = uniform_filter1d(minimum_filter1d(window, width, mode="nearest"), width,
                                  mode="nearest")
        out[start:stop] *= smooth[start - lo:stop - lo, None]
    deepest = min(float(g.min()) for g in needed.values())
    return out, -20 * float(np.log10(deepest))


def normalise(samples: np.ndarray, rate: int, *, target_lufs: float,
              ceiling_dbtp: float) -> Normalised:
    """Gain to `target_lufs`, then limit true peaks to `ceiling_dbtp`; the loudness the limiter
    takes away is measured and given back (a few rounds) so the result lands on the target."""
    envelope = PeakEnvelope(samples, rate)
    with ThreadPoolExecutor(1) as other:  # the peaks the limiter will look at, meanwhile
        other.submit(envelope.chunks, float(envelope.sample_peaks.max(initial=0.0)) / 4)
        measured = integrated_loudness(samples, rate)
    if not np.isfinite(measured):
        raise ValueError("the audio is silent")
    gain_db = target_lufs - measured
    out, limited, loudness = samples, 0.0, measured
    tried: list[tuple[float, float]] = []  # (gain, loudness) of each round
    for _ in range(_MAX_ROUNDS):
        out, limited = limit(samples, rate, ceiling_dbtp, gain_db=gain_db, envelope=envelope)
        loudness = gain_db + measured if limited == 0.0 else integrated_loudness(out, rate)
        if abs(loudness - target_lufs) < ROUND_TOLERANCE_LU:
            break
        tried.append((gain_db, loudness))
        # The limiter eats part of any extra gain (about a quarter of it on speech limited by
        # a few dB): until two rounds give a secant, aim with that guess.
        slope = 0.75
        if len(tried) > 1 and tried[-1][1] != tried[-2][1]:
            slope = (tried[-1][1] - tried[-2][1]) / (tried[-1][0] - tried[-2][0])
        gain_db += (target_lufs - loudness) / min(1.0, max(slope, 0.1))
    return Normalised(out, loudness, gain_db, limited)


def _oversampled_envelope(samples: np.ndarray, start: int, stop: int) -> np.ndarray:
    """For each frame in [start, stop): the largest absolute value the 4x-oversampled signal
    reaches in that frame's interval, over all channels."""
    lo, hi = max(0, start - _EDGE), min(samples.shape[0], stop + _EDGE)
    up = resample_poly(np.asarray(samples[lo:hi], dtype=np.float32), OVERSAMPLING, 1, axis=0)
    up = up[(start - lo) * OVERSAMPLING:(stop - lo) * OVERSAMPLING]
    phases = up.reshape(stop - start, OVERSAMPLING, -1)
    # Phase by phase, not `.max(axis=1)` over rows of four: numpy reduces short rows one at a
    # time, which took half of this function's time.
    peak = np.abs(phases[:, 0])
    for phase in range(1, OVERSAMPLING):
        np.maximum(peak, np.abs(phases[:, phase]), out=peak)
    return peak.max(axis=1).astype(np.float32) if peak.shape[1] > 1 else peak[:, 0].copy()
