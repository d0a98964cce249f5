"""Applying an edit list to samples: each cut snapped to zero crossings inside it, joined with
a short crossfade made of the cut's own edges (kept audio is never altered), and times retimed.

Not yet wired into mastering or split (issue #19's second half); in memory, not streamed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

FADE = 0.005  # seconds of crossfade at each join
SNAP = 0.005  # seconds a cut edge may move inward to reach a zero crossing


def snapped(samples: np.ndarray, rate: int, start: float, end: float) -> tuple[int, int] | None:
    """The cut [start, end) in samples, each edge moved inward to a zero crossing (within
    SNAP) so the join starts and ends near zero; None when too short to crossfade."""
    a, b = int(round(start * rate)), int(round(end * rate))
    reach = int(SNAP * rate)
    a = _crossing(samples, a, min(b, a + reach)) or a
    b = _crossing(samples, max(a, b - reach), b, last=True) or b
    return (a, b) if b - a >= 2 * int(FADE * rate) else None


def _crossing(samples: np.ndarray, lo: int, hi: int, *, last: bool = False) -> int | None:
    window = samples[lo:hi + 1]
    if window.size < 2:
        return None
    signs = np.flatnonzero(np.signbit(window[:-1]) != np.signbit(window[1:])) + 1
    if signs.size == 0:
        return None
    return lo + int(signs[-1] if last else signs[0])


def spans(samples: np.ndarray, rate: int, cuts: Sequence[tuple[float, float]]
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


def tidied(samples: np.ndarray, rate: int, cut_spans: Sequence[tuple[int, int]]) -> np.ndarray:
    """`samples` without `cut_spans`; at each join the audio just inside the cut fades out
    while the audio just before the cut's end fades in, so kept samples stay exact."""
    fade = int(FADE * rate)
    ramp = np.linspace(0.0, 1.0, fade, endpoint=False, dtype=np.float32) if fade else None
    pieces, cursor = [], 0
    for a, b in cut_spans:
        pieces.append(samples[cursor:a])
        if ramp is not None:
            pieces.append(samples[a:a + fade] * ramp[::-1] + samples[b - fade:b] * ramp)
        cursor = b
    pieces.append(samples[cursor:])
    return np.concatenate(pieces).astype(samples.dtype, copy=False)


def retime(time: float, rate: int, cut_spans: Sequence[tuple[int, int]]) -> float:
    """Where `time` (seconds in the original) falls in the tidied audio; a time inside a cut
    maps to the middle of its crossfade."""
    fade = int(FADE * rate)
    sample, removed = time * rate, 0
    for a, b in cut_spans:
        if sample < a:
            break
        if sample < b:
            return (a - removed + fade / 2) / rate
        removed += (b - a) - fade  # the crossfade stays: `fade` samples of each cut
    return (sample - removed) / rate
