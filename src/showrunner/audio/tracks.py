"""Multitrack recordings: one track per person, aligned, levelled and mixed into one.

Double-enders start a little apart. Each microphone also hears the other people faintly
(bleed), so a track and another one share a coherent signal: the lag where their
phase-transform cross-correlation (GCC-PHAT) peaks is the offset between them. Once aligned,
each track is levelled on its own (a quiet guest meets the host's loudness) and the sum is
the mixed recording that split, master and notes work on unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile

from .. import atomic
from ..errors import AudioError
from .loudness import integrated_loudness
from .reading import SAMPLE_RATE, check, decode, probe

__all__ = ["AlignedTracks", "align_tracks", "find_offset", "level_tracks", "mix_tracks",
           "on_one_clock",
           "read_tracks", "write_mix"]

MAX_OFFSET_S = 2.0
# The correlation peak must stand this many times above the correlation's spread at other
# lags, or the offset is not trusted (tracks that share no bleed, or a wrong file).
_MIN_PEAK_RATIO = 8.0
_ANALYSIS_S = 240.0  # the offset is found on the first four minutes
_LEVEL_LUFS = -23.0
_GATE_FRAME_S = 0.02
MIX_RATE = 44100  # the mix is written at a rate fit for mastering; recognition uses 16 kHz


@dataclass(frozen=True)
class AlignedTracks:
    """Tracks on one clock: name -> samples (same length), offsets found (s), notes."""

    samples: dict[str, np.ndarray]
    rate: int
    offsets: dict[str, float]
    notes: tuple[str, ...] = field(default=())


def read_tracks(paths: Mapping[str, Path], rate: int = SAMPLE_RATE) -> tuple[
        dict[str, np.ndarray], tuple[str, ...]]:
    """Decode every track to mono float32 at `rate`. A track must be one person's mono
    recording; a different sample rate is resampled (with a note)."""
    if len(paths) < 2:
        raise AudioError("a multitrack episode needs at least two tracks",
                         hint="name one track per person under 'tracks:'")
    notes, samples = [], {}
    for name, path in paths.items():
        if not Path(path).is_file():
            raise AudioError(f"track '{name}' not found", path=path,
                             hint="copy the track into the episode folder, or fix its file "
                                  "name under 'tracks:' in episode.yaml")
        check(path)
    infos = {name: probe(path) for name, path in paths.items()}
    mixed_rates = len({info.sample_rate for info in infos.values()}) > 1
    for name, path in paths.items():
        info = infos[name]
        if info.channels > 1:
            raise AudioError(f"track '{name}' has {info.channels} channels; a track is one "
                             "person's mono microphone", path=path,
                             hint="export each person's microphone as its own mono file "
                                  "(a stereo mix of both belongs under 'audio:')")
        if mixed_rates:
            notes.append(f"track '{name}' ({path.name}) is {info.sample_rate} Hz: resampled "
                         f"to {rate} Hz")
        samples[name] = decode(path, sample_rate=rate)
    return samples, tuple(notes)


def find_offset(reference: np.ndarray, other: np.ndarray, rate: int, *,
                max_offset: float = MAX_OFFSET_S, name: str = "track",
                path: Path | None = None) -> float:
    """How many seconds later `other` starts than `reference` (negative: earlier).

    Found by GCC-PHAT within +-`max_offset`; an offset that cannot be found is an AudioError.
    """
    span = int(_ANALYSIS_S * rate)
    a, b = reference[:span].astype(np.float64), other[:span].astype(np.float64)
    size = 1 << int(np.ceil(np.log2(len(a) + len(b))))
    cross = np.fft.rfft(b, size) * np.conj(np.fft.rfft(a, size))
    cross /= np.maximum(np.abs(cross), 1e-12)
    correlation = np.fft.irfft(cross, size)
    limit = int(max_offset * rate)
    lags = np.concatenate([correlation[-limit:], correlation[:limit + 1]])
    peak = int(np.argmax(lags))
    spread = float(np.median(np.abs(lags))) * 1.4826 + 1e-12
    if lags[peak] / spread < _MIN_PEAK_RATIO:
        raise AudioError(f"cannot find the offset of track '{name}' against the first track "
                         f"(no shared sound within {max_offset:g} s)", path=path,
                         hint="check that the tracks are of the same conversation and start "
                              f"within {max_offset:g} s of each other")
    return (peak - limit) / rate


def align_tracks(tracks: Mapping[str, np.ndarray], rate: int, *,
                 paths: Mapping[str, Path] | None = None,
                 notes: tuple[str, ...] = ()) -> AlignedTracks:
    """Shift every track onto the first one's clock and pad them to one length (with a note
    when the lengths differed by more than the offsets explain)."""
    names = list(tracks)
    first = tracks[names[0]]
    offsets = {names[0]: 0.0}
    for name in names[1:]:
        where = paths.get(name) if paths else None
        offsets[name] = find_offset(first, tracks[name], rate, name=name, path=where)
    return on_one_clock(tracks, rate, offsets, notes)


def on_one_clock(tracks: Mapping[str, np.ndarray], rate: int, offsets: Mapping[str, float],
                 notes: tuple[str, ...] = ()) -> AlignedTracks:
    """`tracks` shifted by known `offsets` (s) and padded to one length, with a note for a
    track more than a second shorter than the longest."""
    shifted = {name: _shift(s, int(round(offsets[name] * rate))) for name, s in tracks.items()}
    length = max(len(s) for s in shifted.values())
    extra = list(notes)
    for name, samples in shifted.items():
        if length - len(samples) > rate:
            extra.append(f"track '{name}' is {(length - len(samples)) / rate:.1f} s shorter: "
                         "padded with silence")
    padded = {name: np.pad(s, (0, length - len(s))) for name, s in shifted.items()}
    return AlignedTracks(padded, rate, dict(offsets), tuple(extra))


def write_mix(paths: Mapping[str, Path], offsets: Mapping[str, float], out: Path, *,
              rate: int = MIX_RATE, gate_db: float | None = None) -> None:
    """The tracks at `rate`, moved by `offsets` (found by `align_tracks`), each levelled on
    its own (optionally gated), summed and written atomically to `out` as a float WAV."""
    decoded = {name: decode(path, sample_rate=rate) for name, path in paths.items()}
    mixed = mix_tracks(level_tracks(on_one_clock(decoded, rate, offsets), gate_db=gate_db))
    with atomic.replacing(out) as handle:
        soundfile.write(handle, mixed, rate, format="WAV", subtype="FLOAT")


def _shift(samples: np.ndarray, lag: int) -> np.ndarray:
    """Drop `lag` leading samples (the track started late), or pad -`lag` in front."""
    if lag >= 0:
        return samples[lag:]
    return np.concatenate([np.zeros(-lag, dtype=samples.dtype), samples])


def level_tracks(aligned: AlignedTracks, *, target_lufs: float = _LEVEL_LUFS,
                 gate_db: float | None = None) -> AlignedTracks:
    """Each track brought to `target_lufs` on its own; with `gate_db`, stretches quieter than
    that (dBFS, 20 ms frames, after levelling) are silenced: a simple noise gate."""
    levelled = {}
    for name, samples in aligned.samples.items():
        loudness = integrated_loudness(samples, aligned.rate)
        if not np.isfinite(loudness):
            raise AudioError(f"track '{name}' is silent", hint="check the track's file")
        out = (samples * 10 ** ((target_lufs - loudness) / 20)).astype(np.float32)
        levelled[name] = _gate(out, aligned.rate, gate_db) if gate_db is not None else out
    return AlignedTracks(levelled, aligned.rate, aligned.offsets, aligned.notes)


def _gate(samples: np.ndarray, rate: int, gate_db: float) -> np.ndarray:
    frame = max(1, int(_GATE_FRAME_S * rate))
    count = len(samples) // frame
    frames = samples[:count * frame].reshape(count, frame)
    rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-20)
    keep = 20 * np.log10(rms) >= gate_db
    # Open a frame either side of speech so word edges are not clipped.
    keep = keep | np.roll(keep, 1) | np.roll(keep, -1)
    mask = np.repeat(keep, frame)
    out = samples.copy()
    out[:count * frame] *= mask
    return out


def mix_tracks(aligned: AlignedTracks) -> np.ndarray:
    """The tracks summed into one mono recording (mastering brings it to the show's target)."""
    mixed = np.sum(np.stack(list(aligned.samples.values())), axis=0)
    peak = float(np.max(np.abs(mixed), initial=0.0))
    return (mixed / peak * 0.9 if peak > 0.9 else mixed).astype(np.float32)
