"""Loudness and the true-peak limiter a block at a time (see `loudness` for the same on arrays).

`Meter` is BS.1770 integrated loudness fed block by block: pyloudnorm's own K-weighting
filters (its coefficients, run with carried state as second-order sections) and its 400 ms
blocks every 100 ms, gated once at the end; only a power figure per 100 ms is kept.
`Limited` is `loudness.limit` done chunk by chunk with one chunk of look-ahead; the 4x
oversampled peaks it works out are kept in a temporary file, not in memory, for the next
round. `normalise` is `loudness.normalise`'s rounds over such passes.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyloudnorm
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import sosfilt, tf2sos

from . import loudness
from .loudness import CHUNK_SECONDS, LIMITER_WINDOW_S, ROUND_TOLERANCE_LU
from .pcm import Signal

_GAINS = (1.0, 1.0, 1.0, 1.41, 1.41)  # BS.1770 channel weights (L, R, C, Ls, Rs)
_BLOCK_S, _STEP_S = 0.4, 0.1


class Meter:
    """Integrated loudness (LUFS) of everything `add`ed, equal to pyloudnorm's on the whole."""

    def __init__(self, rate: int, channels: int):
        reference = pyloudnorm.Meter(rate)
        stages = list(reference._filters.values())
        self.sos = np.vstack([tf2sos(stage.b, stage.a) for stage in stages])
        self.gain = float(np.prod([stage.passband_gain for stage in stages]))
        self.state = np.zeros((self.sos.shape[0], 2, channels))
        self.rate, self.channels = rate, channels
        self.step = max(1, round(rate * _STEP_S))
        self.frames = 0
        self._carry = np.zeros((0, channels))  # squared frames of an unfinished 100 ms step
        self._steps: list[np.ndarray] = []  # (steps, channels) sums of squares

    def add(self, block: np.ndarray) -> None:
        block = np.asarray(block, dtype=np.float64).reshape(-1, self.channels)
        filtered, self.state = sosfilt(self.sos, block, axis=0, zi=self.state)
        squares = np.concatenate([self._carry, np.square(filtered * self.gain)])
        whole = squares.shape[0] // self.step * self.step
        if whole:
            self._steps.append(squares[:whole].reshape(-1, self.step, self.channels).sum(axis=1))
        self._carry = squares[whole:]
        self.frames += block.shape[0]

    def loudness(self) -> float:
        """The integrated loudness so far; -inf for silence."""
        shortest = int(_BLOCK_S * self.rate) + 1  # pyloudnorm needs one 400 ms block
        if self.frames < shortest:
            self.add(np.zeros((shortest - self.frames, self.channels)))
        steps = np.concatenate([*self._steps, self._carry.sum(axis=0, keepdims=True)])
        per_block = round(_BLOCK_S / _STEP_S)
        count = int(np.round((self.frames / self.rate - _BLOCK_S) / _STEP_S)) + 1
        padded = np.concatenate([steps, np.zeros((per_block, self.channels))])
        power = sum(padded[k:k + count] for k in range(per_block)) / (_BLOCK_S * self.rate)
        weights = np.array(_GAINS[:self.channels])
        with np.errstate(divide="ignore"):
            block_loudness = -0.691 + 10 * np.log10(power @ weights)
        return loudness._gated(block_loudness)


def measure(signal: Signal) -> tuple[float, list[float]]:
    """One pass: the integrated loudness, and the sample peak of each limiter chunk."""
    meter = Meter(signal.rate, signal.channels)
    peaks = []
    for block in _chunks(signal):
        meter.add(block)
        peaks.append(float(np.max(np.abs(block))) if block.size else 0.0)
    return meter.loudness(), peaks


class PeakCache:
    """The 4x-oversampled peak of each frame of the chunks asked for, worked out once and kept
    in an unnamed temporary file (in `folder`) for the limiter's later rounds."""

    def __init__(self, signal: Signal, folder: Path | None = None):
        self.signal = signal
        self.size = max(1, int(CHUNK_SECONDS * signal.rate))
        self.file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 — closed with the cache
        self.done: set[int] = set()

    def envelope(self, index: int) -> np.ndarray:
        start = index * self.size
        stop = min(start + self.size, self.signal.frames)
        if index in self.done:
            data = os.pread(self.file.fileno(), 4 * (stop - start), 4 * start)
            return np.frombuffer(data, dtype=np.float32)
        edge = loudness._EDGE
        lo = max(0, start - edge)
        around = self.signal.read(lo, stop + edge)
        found = loudness._oversampled_envelope(around, start - lo, stop - lo)
        os.pwrite(self.file.fileno(), found.tobytes(), 4 * start)
        self.done.add(index)
        return found

    def close(self) -> None:
        self.file.close()


@dataclass
class _Gains:
    """Which chunks the limiter must turn down, at one gain and ceiling."""

    cache: PeakCache
    sample_peaks: list[float]
    ceiling: float  # linear, in terms of the signal before the gain

    def __post_init__(self) -> None:
        self.floor = self.ceiling * 10 ** (-loudness._SKIP_BELOW_DB / 20)
        self._known: dict[int, np.ndarray | None] = {}
        self.deepest = 1.0

    def needed(self, index: int) -> np.ndarray | None:
        if not 0 <= index < len(self.sample_peaks):
            return None
        if index not in self._known:
            for old in [k for k in self._known if k < index - 1]:
                del self._known[old]
            gain = None
            if self.sample_peaks[index] >= self.floor:
                peaks = self.cache.envelope(index)
                found = np.minimum(np.float32(1.0),
                                   np.float32(self.ceiling) / np.maximum(peaks, 1e-12))
                if float(found.min()) < 1.0:
                    gain = found.astype(np.float32)
                    self.deepest = min(self.deepest, float(gain.min()))
            self._known[index] = gain
        return self._known[index]


class Limited:
    """`loudness.limit(samples, rate, ceiling_dbtp, gain_db=gain_db)` chunk by chunk (the same
    samples), iterated; each chunk is also fed to `meter`. After the last, `deepest_db`."""

    def __init__(self, signal: Signal, cache: PeakCache, sample_peaks: list[float],
                 ceiling_dbtp: float, gain_db: float, meter: Meter | None = None):
        self.signal, self.meter, self.scale = signal, meter, 10 ** (gain_db / 20)
        self.gains = _Gains(cache, sample_peaks, 10 ** (ceiling_dbtp / 20) / self.scale)
        self.size = cache.size

    @property
    def deepest_db(self) -> float:
        deepest = self.gains.deepest
        return 0.0 if deepest >= 1.0 else -20 * float(np.log10(deepest))

    def __iter__(self) -> Iterator[np.ndarray]:
        frames = self.signal.frames
        for index, start in enumerate(range(0, frames, self.size)):
            stop = min(start + self.size, frames)
            out = (self.signal.read(start, stop) * np.float32(self.scale)).astype(np.float32)
            near = {j: self.gains.needed(j) for j in (index - 1, index, index + 1)}
            if any(g is not None for g in near.values()):
                out *= self._smooth(near, start, stop)[:, None]
            if self.meter is not None:
                self.meter.add(out)
            yield out

    def _smooth(self, near: dict[int, np.ndarray | None], start: int, stop: int) -> np.ndarray:
        """The gain of frames [start, stop): a minimum over +-w then a mean over +-w of what
        each frame needs (as `loudness.limit`), from the chunk's and its neighbours' needs."""
        half = max(1, int(LIMITER_WINDOW_S * self.signal.rate))
        width, reach = 2 * half + 1, 2 * half
        lo, hi = max(0, start - reach), min(self.signal.frames, stop + reach)
        window = np.ones(hi - lo, dtype=np.float32)
        for j, gain in near.items():
            if gain is not None:
                a = j * self.size
                a2, b2 = max(a, lo), min(a + gain.shape[0], hi)
                if b2 > a2:
                    window[a2 - lo:b2 - lo] = gain[a2 - a:b2 - a]
        smooth = uniform_filter1d(minimum_filter1d(window, width, mode="nearest"), width,
                                  mode="nearest")
        return smooth[start - lo:stop - lo]


@dataclass(frozen=True)
class Plan:
    """The gain that brings a signal to its target through the limiter, and what it gives."""

    gain_db: float
    loudness: float  # LUFS after limiting
    limited_db: float  # the deepest gain reduction (0 = untouched)
    encoded: bool = False  # the last round's samples, at `gain_db`, went to `sink` as well


def normalise(signal: Signal, cache: PeakCache, measured: tuple[float, list[float]], *,
              target_lufs: float, ceiling_dbtp: float,
              sink: Callable[[Iterable[np.ndarray]], None] | None = None) -> Plan:
    """`loudness.normalise`'s rounds, each a pass of `Limited` through a `Meter`; `measured`
    is `measure(signal)`. The samples themselves come from `Limited` at the plan's gain.

    With `sink` (an encoder taking the blocks), every round after the first also sends its
    samples there as they are metered: the first round's gain only shows what the limiter
    takes away (0.4 LU off target on a heavily limited hour of speech), but a later round
    usually lands, and then no separate pass is needed for the finished samples."""
    level, sample_peaks = measured
    if not np.isfinite(level):
        raise ValueError("the audio is silent")
    gain_db, result = target_lufs - level, level
    reduction = 0.0
    tried: list[tuple[float, float]] = []
    for attempt in range(loudness._MAX_ROUNDS):
        sent = sink if attempt > 0 else None
        reduction, result = _round(signal, cache, sample_peaks, ceiling_dbtp, gain_db, sent)
        if reduction == 0.0:
            result, sent = gain_db + level, None  # the limiter touches nothing: no pass made
        if abs(result - target_lufs) < ROUND_TOLERANCE_LU:
            return Plan(gain_db, result, reduction, encoded=sent is not None)
        tried.append((gain_db, result))
        slope = 0.75  # as loudness.normalise aims
        if len(tried) > 1 and tried[-1][1] != tried[-2][1]:
            slope = (tried[-1][1] - tried[-2][1]) / (tried[-1][0] - tried[-2][0])
        gain_db += (target_lufs - result) / min(1.0, max(slope, 0.1))
    return Plan(gain_db, result, reduction)


def _round(signal: Signal, cache: PeakCache, sample_peaks: list[float], ceiling_dbtp: float,
           gain_db: float, sink: Callable[[Iterable[np.ndarray]], None] | None = None
           ) -> tuple[float, float]:
    """(deepest reduction in dB, loudness after limiting) at `gain_db`; the loudness is only
    measured (a pass, its blocks also given to `sink`) when the limiter touches anything."""
    gains = _Gains(cache, sample_peaks, 10 ** (ceiling_dbtp / 20) / 10 ** (gain_db / 20))
    if not any(gains.needed(i) is not None for i in range(len(sample_peaks))):
        return 0.0, float("nan")
    meter = Meter(signal.rate, signal.channels)
    stream = Limited(signal, cache, sample_peaks, ceiling_dbtp, gain_db, meter)
    if sink is not None:
        sink(stream)
    else:
        for _ in stream:
            pass
    return stream.deepest_db, meter.loudness()


def _chunks(signal: Signal) -> Iterator[np.ndarray]:
    size = max(1, int(CHUNK_SECONDS * signal.rate))
    for start in range(0, signal.frames, size):
        yield signal.read(start, start + size)
