"""Applying an edit list: each cut snapped to zero crossings inside it, joined with a short
crossfade made of the cut's own edges (kept audio is never altered), and times retimed.

`Edit` is what the later stages use: split and mastering take the tidied recording from it
(written a block at a time, like every other decoded recording), and split, mastering and
notes the transcript retimed to it, so chapters, soundbite, cues and durations all follow.
"""

from __future__ import annotations

import bisect
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..audio import Pcm, Signal, decode_to_disk
from ..layout import CUTS_FILE
from ..model import Episode, Segment, Show, Transcript, Word
from . import cutlist

FADE = 0.005  # seconds of crossfade at each join
SNAP = 0.005  # seconds a cut edge may move inward to reach a zero crossing
_BLOCK = 1 << 18  # frames copied at a time

Window = Callable[[int, int], np.ndarray]  # mono samples [lo, hi]


def snapped(samples: np.ndarray | Window, rate: int, start: float,
            end: float) -> tuple[int, int] | None:
    """The cut [start, end) in samples, each edge moved inward to a zero crossing (within
    SNAP) so the join starts and ends near zero; None when too short to crossfade."""
    window = _window(samples)
    a, b = int(round(start * rate)), int(round(end * rate))
    reach = int(SNAP * rate)
    a = _crossing(window, a, min(b, a + reach)) or a
    b = _crossing(window, max(a, b - reach), b, last=True) or b
    return (a, b) if b - a >= 2 * int(FADE * rate) else None


def _window(samples: np.ndarray | Window) -> Window:
    if callable(samples):
        return samples
    return lambda lo, hi: samples[max(0, lo):hi + 1]


def _crossing(window: Window, lo: int, hi: int, *, last: bool = False) -> int | None:
    values = window(lo, hi)
    if values.size < 2:
        return None
    signs = np.flatnonzero(np.signbit(values[:-1]) != np.signbit(values[1:])) + 1
    if signs.size == 0:
        return None
    return lo + int(signs[-1] if last else signs[0])


def spans(samples: np.ndarray | Window, rate: int, cuts: Sequence[tuple[float, float]]
          ) -> list[tuple[int, int]]:
    """The cuts as sample spans, snapped, sorted, overlaps merged, too-short ones dropped."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(cuts):
        span = snapped(samples, rate, start, end)
        if span is None:
            continue
        if out and span[0] <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], span[1]))
        else:
            out.append(span)
    return out


def _ramps(fade: int) -> tuple[np.ndarray, np.ndarray]:
    up = np.linspace(0.0, 1.0, fade, endpoint=False, dtype=np.float32)
    return up[::-1], up


def tidied(samples: np.ndarray, rate: int, cut_spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """`samples` without `cut_spans`; at each join the audio just inside the cut fades out
    while the audio just before the cut's end fades in, so kept samples stay exact."""
    fade = int(FADE * rate)
    down, up = _ramps(fade)
    shape = (-1,) + (1,) * (samples.ndim - 1)
    pieces, cursor = [], 0
    for a, b in cut_spans:
        pieces.append(samples[cursor:a])
        if fade:
            pieces.append(samples[a:a + fade] * down.reshape(shape)
                          + samples[b - fade:b] * up.reshape(shape))
        cursor = b
    pieces.append(samples[cursor:])
    return np.concatenate(pieces).astype(samples.dtype, copy=False)


def retimer(rate: int, cut_spans: Sequence[tuple[int, int]]) -> Callable[[float], float]:
    """Where a time (seconds in the original) falls in the tidied audio; a time inside a cut
    maps to the middle of its crossfade. Looked up by bisection, for long edit lists."""
    fade = int(FADE * rate)
    starts = [a for a, _ in cut_spans]
    removed = [0]
    for a, b in cut_spans:
        removed.append(removed[-1] + (b - a) - fade)  # the crossfade stays: `fade` samples

    def time(t: float) -> float:
        sample = t * rate
        k = bisect.bisect_right(starts, sample)  # cuts starting at or before `sample`
        if k and sample < cut_spans[k - 1][1]:
            return (cut_spans[k - 1][0] - removed[k - 1] + fade / 2) / rate
        return (sample - removed[k]) / rate

    return time


def retime(time: float, rate: int, cut_spans: Sequence[tuple[int, int]]) -> float:
    """`retimer` for one time."""
    return retimer(rate, cut_spans)(time)


@dataclass(frozen=True)
class Edit:
    """The cuts the host did not keep: as sample spans snapped on the decoded recording (what
    the audio loses), and as listed (start, end, the words it removes), which says which
    recognized words go: Whisper's word times run over pauses and late on fillers, so a word
    goes only when its cut names it."""

    rate: int
    spans: tuple[tuple[int, int], ...]
    cuts: tuple[tuple[float, float, str], ...] = ()

    @property
    def saved(self) -> float:
        """Seconds the edit takes out."""
        return sum(b - a - int(FADE * self.rate) for a, b in self.spans) / self.rate

    def audio(self, recording: Pcm, folder: Path | None = None) -> Pcm:
        """The recording without the cuts, in a temporary file written a block at a time."""
        file = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 — kept open by the Pcm
        try:
            frames = _write_tidied(recording, self.spans, file.write)
        except BaseException:
            file.close()
            raise
        return Pcm(file, recording.rate, recording.channels, 0, frames)

    def transcript(self, transcript: Transcript) -> Transcript:
        """`transcript` timed to the tidied audio, without the words the cuts remove."""
        time = retimer(self.rate, self.spans)
        gone = _removed(transcript, self.cuts)
        segments = tuple(s for s in (_segment(s, time, gone) for s in transcript.segments)
                         if s is not None)
        return replace(transcript, segments=segments, duration=round(time(transcript.duration), 3))


REACH = 0.5  # seconds around a cut where the word it names is looked for


def _token(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch == "'")


def _removed(transcript: Transcript, cuts: Sequence[tuple[float, float, str]]) -> set[int]:
    """ids of the words the cuts remove: for each word a cut names, the nearest recognized
    word saying it within REACH of the cut."""
    words = sorted(transcript.words, key=lambda w: w.start)  # the same Word objects
    starts = [w.start for w in words]
    gone: set[int] = set()
    for start, end, removes in cuts:
        # No recognized word is longer than a window (30 s): look only that far back.
        window = range(bisect.bisect_left(starts, start - REACH - 30.0),
                       bisect.bisect_right(starts, end + REACH))
        for token in filter(None, map(_token, removes.split())):
            near = [(max(start - words[k].end, words[k].start - end, 0.0), k) for k in window
                    if id(words[k]) not in gone and _token(words[k].text) == token
                    and words[k].end > start - REACH]
            if near:
                gone.add(id(words[min(near)[1]]))
    return gone


def _segment(segment: Segment, time: Callable[[float], float], gone: set[int]) -> Segment | None:
    words = tuple(replace(w, start=round(time(w.start), 3), end=round(time(w.end), 3),
                          text=_unbracketed(w.text, segment.words, k, gone))
                  for k, w in enumerate(segment.words) if id(w) not in gone)
    if segment.words and not words:
        return None  # all of it was cut (a lone "um")
    if len(words) == len(segment.words):
        return replace(segment, start=round(time(segment.start), 3),
                       end=round(time(segment.end), 3), words=words)
    first, last = id(segment.words[0]) in gone, id(segment.words[-1]) in gone
    return replace(segment, start=words[0].start if first else round(time(segment.start), 3),
                   end=words[-1].end if last else round(time(segment.end), 3),
                   text=" ".join(w.text for w in words), words=words)


def _unbracketed(text: str, words: Sequence[Word], k: int, gone: set[int]) -> str:
    """A kept word's text, without the comma that set off the filler cut after it:
    "it, [um,] take" reads "it take", not "it, take"."""
    following = k + 1 < len(words) and id(words[k + 1]) in gone
    return text[:-1] if following and text.endswith(",") and words[k + 1].text.endswith(",") \
        else text


def _write_tidied(signal: Signal, cut_spans: Sequence[tuple[int, int]],
                  write: Callable[[bytes], object]) -> int:
    """Write `tidied(signal)` as float32 frames through `write`; the number of frames."""
    fade = int(FADE * signal.rate)
    down, up = (r[:, None] for r in _ramps(fade))
    written, cursor = 0, 0

    def copy(lo: int, hi: int) -> int:
        for start in range(lo, hi, _BLOCK):
            write(np.ascontiguousarray(signal.read(start, min(hi, start + _BLOCK)),
                                       dtype=np.float32).tobytes())
        return max(0, hi - lo)

    for a, b in cut_spans:
        written += copy(cursor, a)
        if fade:
            join = signal.read(a, a + fade) * down + signal.read(b - fade, b) * up
            write(join.astype(np.float32).tobytes())
            written += fade
        cursor = b
    return written + copy(cursor, signal.frames)


def cuts_to_apply(episode: Episode) -> list[tuple[float, float, str]]:
    """The cuts in the episode's cuts.yaml that the host did not keep (none without one):
    start, end and the words each removes."""
    return [(c.start, c.end, c.removes) for c in cutlist.read(episode.folder / CUTS_FILE)
            if not c.keep]


def edit_inputs(episode: Episode) -> list[Path]:
    """cuts.yaml when the episode has one, for the up-to-date checks of the stages that
    apply it (absent, it adds nothing, so shows that never tidy keep their digests)."""
    path = episode.folder / CUTS_FILE
    return [path] if path.is_file() else []


def episode_edit(show: Show, episode: Episode, recording: Pcm | None = None) -> Edit | None:
    """The edit the episode's cuts.yaml asks for, snapped on `recording` (the episode's audio
    as the later stages decode it; decoded here when not given); None when nothing is cut."""
    cuts = cuts_to_apply(episode)
    if not cuts:
        return None
    if recording is None:
        if episode.audio_path is None:
            return None
        recording = decode_to_disk(episode.audio_path, rate=show.audio.sample_rate,
                                   channels=show.audio.channels, folder=episode.folder)
    pcm = recording

    def mono(lo: int, hi: int) -> np.ndarray:
        return pcm.read(max(0, lo), hi + 1).mean(axis=1)

    return Edit(pcm.rate, tuple(spans(mono, pcm.rate, [(a, b) for a, b, _ in cuts])),
                tuple(cuts))
