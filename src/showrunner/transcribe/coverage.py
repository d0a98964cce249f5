"""A safety net against speech the recognizer silently skipped.

Whisper decodes 30-second windows and jumps ahead by the last timestamp it predicts; when a
prediction runs ahead, whole stretches of speech vanish from the transcript without any
warning (measured here with some settings and glossary prompts: 40 to 95 script words in a
row). This module finds loud stretches of the recording that no recognized word covers,
and has the engine hear each one again on its own. A word stretched over speech it skipped
covers nothing: the batched pipeline dropped a 3.7-second question and spread the answer's
first three words ("I wrote every") over it, the last lasting 2.3 s.

Loudness (not a second VAD pass) finds the candidates: it costs a few milliseconds per
minute, and a false alarm (music, a cough) only costs one short extra recognition, which
the engine's own VAD then mostly skips.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import numpy as np

from ..audio import SAMPLE_RATE, Mono
from ..model import Segment, Word
from .engines import (
    TranscribeOptions,
    TranscriptionEngine,
    inside,
    midpoint_in,
    said,
    with_words,
)
from .pieces import shifted

FRAME_SECONDS = 0.05
# Shorter holes are pauses and word-timing slack, not lost speech. 2 s, not 3: the batched
# pipeline skipped a whole 3.7-second question whose uncovered part measured 2.8 s.
MIN_GAP_SECONDS = 2.0
_BLOCK = 1200  # frames of FRAME_SECONDS read at once: a minute
WORD_SLACK_SECONDS = 0.75  # recognizers' word times are this far off at worst, usually
# Audio heard on each side of a hole, so that its first and last words are heard whole and in
# context; only the words that fall inside the hole are kept.
CONTEXT_SECONDS = WORD_SLACK_SECONDS + 0.5
# A word this long is drawn out, or stretched over speech the recognizer skipped; a run of
# such words lasting MIN_GAP_SECONDS or more is no evidence that the speech under it was heard.
DRAG_SECONDS = 0.6
REPAIR_PASSES = 2  # see `repair`
# A run of this many words heard in a hole and again near it is one stretch of speech heard
# twice: a batched window's words aligned late. A question (19 words) was placed 22 s after
# where it was said, over the answer's next 16 words, which then counted as heard and were
# lost (measured on a held-out conversation). A sentence really said twice within a window
# (a sponsor's web address, read twice) is taken for an echo too: where an echo lay is heard
# again, so its second saying comes back there.
ECHO_WORDS = 5
ECHO_SECONDS = 30.0  # a recognition window: the farthest a word can be misplaced


def speech_stretches(samples: Mono, rate: int = SAMPLE_RATE) -> list[tuple[float, float]]:
    """Stretches where the recording is loud like speech, with dips under 0.6 s bridged."""
    level = frame_levels(samples, int(FRAME_SECONDS * rate), _BLOCK)
    if level.size == 0:
        return []
    # Speech is within 30 dB of the recording's loud parts and above digital near-silence.
    loud = level > max(float(np.percentile(level, 95)) - 30.0, -60.0)
    loud = bridged(loud, int(0.6 / FRAME_SECONDS))
    edges = np.flatnonzero(np.diff(np.concatenate(([0], loud.astype(np.int8), [0]))))
    return [(float(start) * FRAME_SECONDS, float(end) * FRAME_SECONDS)
            for start, end in zip(edges[::2], edges[1::2], strict=True)]


def frame_levels(samples: Mono, hop: int, block: int = _BLOCK) -> np.ndarray:
    """Each whole frame's (`hop` samples) mean square in dB, read `block` frames at a time:
    squaring a whole recording at once would hold another copy of it (0.23 GiB an hour)."""
    count = len(samples) // hop
    levels = np.empty(count, dtype=np.float32)
    for first in range(0, count, block):
        last = min(count, first + block)
        frames = np.asarray(samples[first * hop:last * hop], dtype=np.float32)
        frames = frames.reshape(last - first, hop)
        levels[first:last] = 10 * np.log10(np.mean(frames * frames, axis=1) + 1e-12)
    return levels


def uncovered(samples: Mono, segments: Iterable[Segment],
              min_gap: float = MIN_GAP_SECONDS) -> list[tuple[float, float]]:
    """Loud stretches of at least `min_gap` seconds that no recognized word comes near, a
    run of stretched words (`DRAG_SECONDS`) counting as no word."""
    segments = list(segments)
    return _holes(speech_stretches(samples), segments, _stretched(_words(segments), min_gap),
                  min_gap)


def _words(segments: Iterable[Segment]) -> list[Word]:
    return [word for segment in segments for word in segment.words]


def _holes(loud: list[tuple[float, float]], segments: list[Segment], stretched: dict[int, Word],
           min_gap: float) -> list[tuple[float, float]]:
    """`uncovered`, given the recording's `speech_stretches` (`repair` finds them once, for
    every pass) and the stretched words (`repair` needs them too: found once)."""
    spans = [(s.start, s.end) for s in segments if not s.words]
    spans += [(w.start, w.end) for w in _words(segments) if id(w) not in stretched]
    covered = sorted((low - WORD_SLACK_SECONDS, high + WORD_SLACK_SECONDS) for low, high in spans)
    gaps = []
    for start, end in loud:
        cursor = start
        for low, high in covered:
            if high <= cursor or low >= end:
                continue
            if low - cursor >= min_gap:
                gaps.append((cursor, low))
            cursor = max(cursor, high)
        if end - cursor >= min_gap:
            gaps.append((cursor, end))
    return _merged(gaps)


def _stretched(words: list[Word], min_gap: float) -> dict[int, Word]:
    """Every run of consecutive dragging words that lasts `min_gap` or more, by id."""
    found: dict[int, Word] = {}
    run: list[Word] = []
    for word in [*sorted(words, key=lambda w: w.start), None]:
        if word is not None and word.end - word.start >= DRAG_SECONDS:
            run.append(word)
            continue
        if run and run[-1].end - run[0].start >= min_gap:
            found.update((id(w), w) for w in run)
        run = []
    return found


def _over(stretched: Iterable[Word], start: float, end: float) -> tuple[float, float]:
    """The hole from `start` to `end` widened over the stretched words that reach into it."""
    near = [w for w in stretched
            if w.end > start - WORD_SLACK_SECONDS and w.start < end + WORD_SLACK_SECONDS]
    return min([start, *(w.start for w in near)]), max([end, *(w.end for w in near)])


def _merged(gaps: list[tuple[float, float]]) -> list[tuple[float, float]]:
    # Holes a pause apart are one skipped stretch: heard again as one clip, with its context.
    merged: list[tuple[float, float]] = []
    for start, end in gaps:
        if merged and start - merged[-1][1] <= 2 * WORD_SLACK_SECONDS + 0.5:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def repair(engine: TranscriptionEngine, samples: Mono, segments: list[Segment],
           options: TranscribeOptions) -> tuple[list[Segment], list[tuple[float, float]]]:
    """`segments` with every uncovered stretch heard again on its own (no prompt, sequential
    decoding), and the stretches that gave back speech. What is heard replaces the stretched
    words inside a stretch, unless it has fewer words than they are.

    A stretch heard again can itself lose speech near its end (decoded alone, an 18-second
    clip ended one sentence early: 21 script words, measured on a held-out conversation), so
    what is still uncovered afterwards is heard again too, once: a narrower clip, decoded
    afresh. A sentence that repeats what a hole gave back (`echoes`) was misplaced: it is
    dropped, and the speech under it heard at once. A hole already heard as it stands is
    not heard twice."""
    repaired: list[tuple[float, float]] = []
    heard: set[tuple[float, float]] = set()
    fresh: set[Word] = set()  # the words heard again: never taken for echoes
    loud = speech_stretches(samples)  # the recording does not change between passes
    for _ in range(REPAIR_PASSES):
        segments, fixed, tried = _repair_pass(engine, (samples, loud), segments, options, heard,
                                              fresh)
        repaired += fixed
        if not tried:
            break
        heard |= tried
    return sorted(segments, key=lambda s: s.start), sorted(repaired)


def _repair_pass(engine: TranscriptionEngine,
                 recording: tuple[Mono, list[tuple[float, float]]], segments: list[Segment],
                 options: TranscribeOptions, heard_before: set[tuple[float, float]],
                 fresh: set[Word],
                 ) -> tuple[list[Segment], list[tuple[float, float]], set[tuple[float, float]]]:
    """One pass of `repair` over the `recording` (its samples and `speech_stretches`): the
    segments, the stretches that gave back speech, and every stretch heard (as `_over`
    widened it). Adds the words it hears to `fresh`."""
    samples, loud = recording
    repaired: list[tuple[float, float]] = []
    tried: set[tuple[float, float]] = set()
    # Sequential, not batched: through the batched pipeline, 7 of 19 holes of 12 conversations
    # came back with over half their words skipped again, and the rest took 0.8x as long.
    plain = replace(options, initial_prompt=None, hotwords=None, batched=False)
    after = -np.inf
    while (hole := _next_hole(loud, segments, after, heard_before)) is not None:
        start, end = hole
        stretch = _recorded(start, end)
        after = end
        tried.add(stretch)
        segments, heard = _heard_again(engine, samples, segments, (start, end), plain, fresh)
        if not heard:
            continue
        repaired.append(stretch)
        misplaced = echoes(heard, [s for s in segments if not fresh.intersection(s.words)],
                           *_widened(start, end))
        echoed = [(s.start, s.end) for s in segments if id(s) in misplaced]
        segments = [s for s in segments if id(s) not in misplaced]
        for under in _under(loud, segments, echoed):
            segments, heard = _heard_again(engine, samples, segments, under, plain, fresh)
            repaired += [_recorded(*under)] if heard else []
    return segments, repaired, tried


def _next_hole(loud: list[tuple[float, float]], segments: list[Segment], after: float,
               heard_before: set[tuple[float, float]]) -> tuple[float, float] | None:
    """The first hole (as `_over` widens it) that starts after `after` and was not heard in an
    earlier pass, found afresh in `segments`: hearing an echo's place again can cover a hole
    further on, which is then not heard a second time. What a hearing leaves uncovered behind
    `after` is the next pass's."""
    return next(((start, end) for start, end in _to_hear(loud, segments)
                 if start > after and _recorded(start, end) not in heard_before), None)


def _to_hear(loud: list[tuple[float, float]], segments: list[Segment]) -> list[tuple[float, float]]:
    """Every hole in `segments` (`_holes`), widened over the stretched words that reach into
    it (`_over`): the stretches a repair hears again."""
    stretched = _stretched(_words(segments), MIN_GAP_SECONDS)
    return [_over(stretched.values(), *hole)
            for hole in _holes(loud, segments, stretched, MIN_GAP_SECONDS)]


def _recorded(start: float, end: float) -> tuple[float, float]:
    """A stretch as the repair records it, heard or given back: to the hundredth of a second."""
    return round(start, 2), round(end, 2)


def _under(loud: list[tuple[float, float]], segments: list[Segment],
           echoed: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Where to hear again what dropped echoes (their spans in `echoed`) lay over: each the
    hole it leaves, as `uncovered` finds holes, or, where it leaves none that long (a short
    sentence between other words), its own span. So a misplaced copy's speech is heard as
    any hole is, and a sentence really said twice comes back, and is kept (fresh now)."""
    holes = _to_hear(loud, segments)
    spans: set[tuple[float, float]] = set()
    for low, high in _merged(sorted(echoed)):
        spans.update([hole for hole in holes if hole[1] > low and hole[0] < high] or [(low, high)])
    return sorted(spans)


def _heard_again(engine: TranscriptionEngine, samples: Mono, segments: list[Segment],
                 stretch: tuple[float, float], options: TranscribeOptions, fresh: set[Word],
                 ) -> tuple[list[Segment], list[Segment]]:
    """`segments` with `stretch` heard again on its own, with CONTEXT_SECONDS either side,
    and what was heard there: it replaces the words there unless it has fewer (then nothing
    is heard, and `segments` are as given). Adds the words heard to `fresh`."""
    start, end = stretch
    low = max(start - CONTEXT_SECONDS, 0.0)
    clip = samples[int(low * SAMPLE_RATE):int((end + CONTEXT_SECONDS) * SAMPLE_RATE)]
    found, _info = engine.transcribe(clip, options)
    span = _widened(start, end)
    heard = [kept for s in found if (kept := inside(shifted(s, low), *span))]
    there = [kept for s in segments if (kept := inside(s, *span))]
    if not heard or _count(heard) < _count(there):
        return segments, []
    fresh.update(w for s in heard for w in s.words)
    return [part for s in segments for part in outside(s, *span)] + heard, heard


def _widened(start: float, end: float) -> tuple[float, float]:
    """A stretch between words, widened by their timing slack: where what is heard of it
    lies."""
    return start - WORD_SLACK_SECONDS, end + WORD_SLACK_SECONDS


def echoes(heard: list[Segment], others: list[Segment], low: float, high: float) -> set[int]:
    """The ids of the segments of `others`, within ECHO_SECONDS of [low, high], that repeat
    ECHO_WORDS or more words of `heard` in a row (case and punctuation aside). Such a segment
    is dropped whole: the rest of its words were misplaced with them."""
    runs = set(_runs([spoken for s in heard for w in s.words if (spoken := said(w.text))]))
    near = sorted(((spoken, w.start, id(s)) for s in others for w in s.words
                   if (spoken := said(w.text)) and w.end > low - ECHO_SECONDS
                   and w.start < high + ECHO_SECONDS), key=lambda word: word[1])
    found: set[int] = set()
    for first, run in enumerate(_runs([spoken for spoken, _, _ in near])):
        if run in runs:
            found.update(owner for _, _, owner in near[first:first + ECHO_WORDS])
    return found


def _runs(words: list[str]) -> list[tuple[str, ...]]:
    return [tuple(words[i:i + ECHO_WORDS]) for i in range(len(words) - ECHO_WORDS + 1)]


def _count(segments: list[Segment]) -> int:
    return sum(len(s.words) or 1 for s in segments)


def outside(segment: Segment, low: float, high: float) -> list[Segment]:
    """The parts of `segment` before and after [low, high], by its words' midpoints (by its own
    midpoint when it has no words)."""
    if not segment.words:
        return [] if midpoint_in(segment.start, segment.end, low, high) else [segment]
    if not any(midpoint_in(w.start, w.end, low, high) for w in segment.words):
        return [segment]
    before = tuple(w for w in segment.words if (w.start + w.end) / 2 < low)
    after = tuple(w for w in segment.words if (w.start + w.end) / 2 > high)
    return [with_words(segment, words) for words in (before, after) if words]


def bridged(mask: np.ndarray, frames: int) -> np.ndarray:
    """`mask` with its gaps shorter than `frames` filled (not those at either end)."""
    mask = mask.copy()
    quiet = np.flatnonzero(np.diff(np.concatenate(([1], mask.astype(np.int8), [1]))))
    for start, end in zip(quiet[::2], quiet[1::2], strict=True):
        if end - start < frames and start > 0 and end < len(mask):
            mask[start:end] = True
    return mask
