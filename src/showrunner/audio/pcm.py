"""Audio read a block at a time, so that memory does not grow with the length of a recording.

`Pcm` is a decoded recording kept in an unnamed temporary file (ffmpeg writes it; the file
goes when the last view of it is dropped). `Programme` is pieces joined with crossfades, read
the same way: only the crossfades themselves are held in memory. Both offer what `Audio`
offers for reading: `rate`, `channels`, `frames`, `duration` and `read(start, stop)`, the
frames [start, stop) as float32 shaped (frames, channels).
"""

from __future__ import annotations

import bisect
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

import numpy as np

from . import reading

BLOCK_SECONDS = 5.0


class Signal(Protocol):
    """Anything audio that can be read a block at a time."""

    @property
    def rate(self) -> int: ...

    @property
    def frames(self) -> int: ...

    @property
    def channels(self) -> int: ...

    def read(self, start: int, stop: int) -> np.ndarray: ...


@dataclass(frozen=True, eq=False)
class Pcm:
    """Decoded float32 frames in a temporary file: all of it, or the view [offset, +frames)."""

    file: IO[bytes] = field(repr=False)
    rate: int
    channels: int
    offset: int
    frames: int

    @property
    def duration(self) -> float:
        return self.frames / self.rate

    def between(self, start: float, end: float) -> Pcm:
        """The stretch from `start` to `end` seconds (as `Audio.between` slices it)."""
        lo, hi = slice(round(start * self.rate), round(end * self.rate)).indices(self.frames)[:2]
        return Pcm(self.file, self.rate, self.channels, self.offset + lo, max(0, hi - lo))

    def read(self, start: int, stop: int) -> np.ndarray:
        start, stop = max(0, start), min(self.frames, stop)
        width = 4 * self.channels
        want, at = max(0, stop - start) * width, (self.offset + start) * width
        data = bytearray()
        while len(data) < want:  # os.pread may return less than asked
            got = os.pread(self.file.fileno(), want - len(data), at + len(data))
            if not got:
                break
            data += got
        return np.frombuffer(data, dtype=np.float32).reshape(-1, self.channels)


class Mono(Protocol):
    """Mono float32 samples at 16 kHz that can be measured and sliced: a numpy array, or
    `Samples` (the same read from disk a stretch at a time)."""

    def __len__(self) -> int: ...

    def __getitem__(self, stretch: slice, /) -> np.ndarray: ...


class Samples:
    """A mono `Pcm` used like a 1-D float32 array: `len()` and slices (each slice is read
    from disk), and `np.asarray` reads all of it. Recognition, coverage and diarization each
    read only the stretch they work on, so an hour on disk costs no memory (0.23 GiB in RAM)."""

    def __init__(self, pcm: Pcm) -> None:
        if pcm.channels != 1:
            raise ValueError(f"Samples are mono; this recording has {pcm.channels} channels")
        self.pcm = pcm

    def __len__(self) -> int:
        return self.pcm.frames

    def __getitem__(self, stretch: slice, /) -> np.ndarray:
        start, stop, step = stretch.indices(len(self))
        if step != 1:
            raise ValueError("Samples are read in steps of one frame")
        return self.pcm.read(start, stop).reshape(-1)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        whole = self[:]
        return whole if dtype is None else whole.astype(dtype, copy=False)


def decode_to_disk(path: Path, *, rate: int, channels: int, folder: Path | None = None) -> Pcm:
    """Decode any audio file ffmpeg reads into a `Pcm` (a temporary file in `folder`)."""
    file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 — kept open by the Pcm
    try:
        frames = reading.decode_to_file(path, file, rate, channels)
    except BaseException:
        file.close()
        raise
    return Pcm(file, rate, channels, 0, frames)


def decode_samples(path: Path, folder: Path | None = None) -> Samples:
    """Any audio file as mono 16 kHz `Samples`, decoded by ffmpeg into a temporary file."""
    return Samples(decode_to_disk(path, rate=reading.SAMPLE_RATE, channels=1, folder=folder))


def blocks(signal: Signal, seconds: float = BLOCK_SECONDS) -> Iterator[np.ndarray]:
    """The signal in consecutive blocks of `seconds`."""
    size = max(1, int(seconds * signal.rate))
    for start in range(0, signal.frames, size):
        yield signal.read(start, start + size)


def positions(lengths: Sequence[int], crossfade: int) -> tuple[list[int], int]:
    """Where each piece starts (in frames) when each overlaps the one before by `crossfade`
    (at most half of either), and the total length."""
    starts, total = [0], lengths[0]
    for length in lengths[1:]:
        overlap = min(crossfade, total // 2, length // 2)
        starts.append(total - overlap)
        total += length - overlap
    return starts, total


@dataclass(frozen=True, eq=False)
class Audio:
    """Decoded audio: float32 samples shaped (frames, channels), full scale 1.0, at `rate` Hz."""

    samples: np.ndarray
    rate: int

    @property
    def duration(self) -> float:
        return self.samples.shape[0] / self.rate

    @property
    def frames(self) -> int:
        return int(self.samples.shape[0])

    @property
    def channels(self) -> int:
        return int(self.samples.shape[1])

    def read(self, start: int, stop: int) -> np.ndarray:
        """Frames [start, stop), as a `Signal` offers them."""
        return self.samples[max(0, start):max(0, stop)]

    def between(self, start: float, end: float) -> Audio:
        """The stretch from `start` to `end` seconds."""
        return Audio(self.samples[int(round(start * self.rate)):int(round(end * self.rate))],
                     self.rate)


Fade = Callable[[np.ndarray, np.ndarray, int], np.ndarray]


class Programme:
    """`pieces` one after another, each overlapping the one before by `crossfade` frames
    (see `positions`), the overlaps mixed by `fade(tail, head, rate)`."""

    def __init__(self, pieces: Sequence[Signal], crossfade: int, fade: Fade):
        self.rate, self.channels = pieces[0].rate, pieces[0].channels
        self.starts, self.frames = positions([p.frames for p in pieces], crossfade)
        # (first frame in the programme, source, first frame in the source, frames)
        self._parts: list[tuple[int, Signal, int, int]] = []
        self._firsts: list[int] = []
        self._add(0, pieces[0], 0, pieces[0].frames)
        for piece, start in zip(pieces[1:], self.starts[1:], strict=True):
            end = self._firsts[-1] + self._parts[-1][3]
            overlap = end - start
            tail = self.read(start, end)
            self._cut(start)
            if overlap:
                self._add(start, Audio(fade(tail, piece.read(0, overlap), self.rate), self.rate),
                          0, overlap)
            self._add(end, piece, overlap, piece.frames - overlap)

    @property
    def duration(self) -> float:
        return self.frames / self.rate

    def _add(self, first: int, source: Signal, offset: int, count: int) -> None:
        """Frames [offset, offset + count) of `source` play from frame `first` on."""
        self._parts.append((first, source, offset, count))
        self._firsts.append(first)

    def _cut(self, at: int) -> None:
        """Drop everything from frame `at` on."""
        kept = [(first, source, offset, min(count, at - first))
                for first, source, offset, count in self._parts if first < at]
        self._parts, self._firsts = kept, [part[0] for part in kept]

    def read(self, start: int, stop: int) -> np.ndarray:
        start, stop = max(0, start), min(self.frames, stop)
        index = max(0, bisect.bisect_right(self._firsts, start) - 1)
        pieces = []
        for first, source, offset, count in self._parts[index:]:
            if first >= stop:
                break
            lo, hi = max(start, first), min(stop, first + count)
            if hi > lo:
                pieces.append(source.read(offset + lo - first, offset + hi - first))
        if len(pieces) == 1:
            return pieces[0]
        return np.concatenate(pieces) if pieces else np.zeros((0, self.channels), np.float32)
