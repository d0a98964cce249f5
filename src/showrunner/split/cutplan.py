"""Where to cut one long conversation into parts, and why.

A cut may only fall where one speaker's turn ends and another's begins, inside the silence
between them (found in the audio itself, because recognized word times are only roughly
right). Among those places the plan picks the set that makes the finished parts as equal as
possible (or keeps each under a maximum), preferring places where the host opens a new topic
or asks a new question: a listener starting Part 2 should hear a question, not half an answer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..audio import Signal
from ..errors import ConfigError
from ..model import Segment, Transcript, clock

FRAME_S = 0.01
MIN_SILENCE_S = 0.15
# Preference, as the relative length difference a cut is worth: a place where the host opens
# a topic with a question beats an equally placed guest turn by up to 15 % of a part's length.
PENALTY = {"topic question": 0.0, "question": 0.05, "topic": 0.05, "host": 0.10, "other": 0.15}
REASON = {"topic question": "the host opens a new topic with a question",
          "question": "the host asks a new question",
          "topic": "the host opens a new topic",
          "host": "the host speaks, without a question",
          "other": "a guest speaks next, not the host with a question"}
_TOPIC_OPENERS = re.compile(
    r"^(coming back to|let'?s (start|talk|turn|move|switch|get)|tell me about|moving on|"
    r"next question|last question|i want to ask|switching gears|now,? let'?s|on to)\b")


@dataclass(frozen=True)
class Boundary:
    """A place the conversation can be cut: between two speakers' turns, in silence."""

    index: int  # the first segment after the cut
    time: float  # the cut, in seconds of the source recording
    silence: float  # seconds of silence the cut sits in the middle of
    speaker: str  # who speaks after the cut
    opening: str  # their first words
    kind: str  # a key of PENALTY

    @property
    def reason(self) -> str:
        return REASON[self.kind]


@dataclass(frozen=True)
class Plan:
    """The chosen cuts and the parts they make."""

    cuts: tuple[Boundary, ...]
    duration: float  # the source recording
    added: tuple[float, ...]  # seconds the show's clips add to each part
    target: float  # the even finished length of a part
    ideal: tuple[float, ...]  # for each cut, where an even split would have put it
    nearest: tuple[Boundary | None, ...]  # a possible cut closer to that point, if passed over
    limit: float | None = None  # --max-minutes, in seconds

    @property
    def spans(self) -> list[tuple[float, float]]:
        edges = [0.0, *(c.time for c in self.cuts), self.duration]
        return list(zip(edges[:-1], edges[1:], strict=True))

    @property
    def lengths(self) -> list[float]:
        """Finished length of each part (its slice plus the clips around it)."""
        return [end - start + extra for (start, end), extra in zip(self.spans, self.added,
                                                                     strict=True)]


class Silence:
    """Where a recording is quiet, in 10 ms frames, relative to its own speech level."""

    def __init__(self, audio: Signal):
        hop = max(1, int(audio.rate * FRAME_S))
        frames = audio.frames // hop
        # A minute of frames at a time, read as needed: the recording may be hours long.
        power = np.concatenate([
            np.square(np.asarray(audio.read(i * hop, min(i + 6000, frames) * hop),
                                 dtype=np.float32).reshape(-1, hop * audio.channels)).mean(axis=1)
            for i in range(0, frames, 6000)]) if frames else np.zeros(0)
        db = 10 * np.log10(np.maximum(power, 1e-10))
        floor = max(float(np.percentile(db, 5)), -90.0) if frames else -90.0
        speech = float(np.percentile(db, 90)) if frames else 0.0
        self.quiet = db < floor + 0.3 * (speech - floor)

    def longest_quiet(self, start: float, end: float) -> tuple[float, float] | None:
        """The longest quiet stretch within [start, end] seconds, or None."""
        lo, hi = max(0, int(math.ceil(start / FRAME_S))), min(len(self.quiet),
                                                              int(end / FRAME_S))
        if hi <= lo:
            return None
        padded = np.concatenate([[False], self.quiet[lo:hi], [False]]).astype(np.int8)
        edges = np.flatnonzero(np.diff(padded))
        if edges.size == 0:
            return None
        runs = edges.reshape(-1, 2)
        best = runs[np.argmax(runs[:, 1] - runs[:, 0])]
        return (lo + best[0]) * FRAME_S, (lo + best[1]) * FRAME_S


def speaker_of(segment: Segment) -> str | None:
    """The segment's speaker, else that of most of its words."""
    if segment.speaker:
        return segment.speaker
    names = [w.speaker for w in segment.words if w.speaker]
    return max(set(names), key=names.count) if names else None


def boundaries(transcript: Transcript, *, hosts: Sequence[str], silence: Silence | None,
               topic_starts: Sequence[float] = ()) -> list[Boundary]:
    """Every place a cut may go: a change of speaker with enough silence between the turns.

    The silence is looked for between the middle of the last word before and the middle of the
    first word after (word times from recognition can be a few tenths of a second off).
    """
    segments = transcript.segments
    host_known = any(speaker_of(s) in hosts for s in segments)
    found = []
    for index in range(1, len(segments)):
        before, after = speaker_of(segments[index - 1]), speaker_of(segments[index])
        if before is None or after is None or before == after:
            continue
        lo, hi = _edge(segments[index - 1], last=True), _edge(segments[index], last=False)
        quiet = silence.longest_quiet(lo, hi) if silence is not None else \
            _word_gap(segments[index - 1], segments[index])
        if quiet is None or quiet[1] - quiet[0] < MIN_SILENCE_S:
            continue
        turn = _turn_text(segments, index)
        found.append(Boundary(index, round((quiet[0] + quiet[1]) / 2, 3),
                              round(quiet[1] - quiet[0], 3), after, _opening(turn),
                              _kind(turn, segments[index], after in hosts or not host_known,
                                    topic_starts)))
    return found


def plan(transcript: Transcript, *, duration: float, candidates: Sequence[Boundary],
         parts: int | None, max_seconds: float | None, added_first: float,
         added_rest: float) -> Plan:
    """Choose the cuts: `parts` parts as equal as possible (finished lengths), or the fewest
    parts of at most `max_seconds`, balanced; host questions preferred (see PENALTY)."""
    times = np.array([0.0, *(c.time for c in candidates), duration])
    if max_seconds is not None:
        parts = _fewest_parts(times, max_seconds, added_first, added_rest, candidates)
        if parts == 1:
            raise ConfigError(f"the whole conversation ({clock(duration)}) already fits in "
                              f"--max-minutes {max_seconds / 60:g}: nothing to split",
                              hint="give a smaller --max-minutes, or --parts N")
    assert parts is not None
    if parts < 2:
        raise ConfigError(f"--parts {parts} makes no series: a part must be shorter than the "
                          "whole", hint="use --parts 2 or more")
    if parts - 1 > len(candidates):
        raise ConfigError(
            f"cannot cut into {parts} parts: the conversation has only {len(candidates)} places "
            "where one speaker's turn ends in silence and another's begins",
            hint=f"use --parts {len(candidates) + 1} or fewer")
    added = (added_first, *([added_rest] * (parts - 1)))
    target = (duration + sum(added)) / parts
    penalty = np.array([0.0, *(PENALTY[c.kind] ** 2 for c in candidates), 0.0])
    chosen = _best_cuts(times, penalty, added, target, max_seconds)
    cuts = tuple(candidates[i - 1] for i in chosen)
    ideal = tuple(round((k + 1) * target - sum(added[:k + 1]), 3) for k in range(parts - 1))
    nearest = tuple(_nearer(candidates, cut, point) for cut, point in zip(cuts, ideal,
                                                                          strict=True))
    return Plan(cuts, duration, added, target, ideal, nearest, max_seconds)


# ---------------------------------------------------------------- internals


def _best_cuts(times: np.ndarray, penalty: np.ndarray, added: Sequence[float], target: float,
               max_seconds: float | None) -> list[int]:
    """Dynamic programme over the possible cuts: minimise the sum of squared relative length
    errors plus the penalties of the chosen cuts. Returns indices into `times`."""
    size, parts = len(times), len(added)
    span = times[None, :] - times[:, None]  # span[i, j]: the slice from cut i to cut j
    cost = np.full(size, np.inf)
    cost[0] = 0.0
    back = np.zeros((parts, size), dtype=int)
    for k in range(parts):
        length = span + added[k]
        step = ((length - target) / target) ** 2
        step[span <= 0] = np.inf
        if max_seconds is not None:
            step[length > max_seconds] = np.inf
        total = cost[:, None] + step
        back[k] = np.argmin(total, axis=0)
        cost = total[back[k], np.arange(size)] + (penalty if k < parts - 1 else 0.0)
    if not np.isfinite(cost[-1]):
        raise ConfigError("no set of cuts keeps every part under --max-minutes",
                          hint="raise --max-minutes or use --parts")
    chosen, j = [], size - 1
    for k in range(parts - 1, 0, -1):
        j = int(back[k][j])
        chosen.append(j)
    return chosen[::-1]


def _fewest_parts(times: np.ndarray, max_seconds: float, added_first: float,
                  added_rest: float, candidates: Sequence[Boundary]) -> int:
    """The fewest parts of at most `max_seconds`, cutting greedily as late as allowed."""
    gaps = np.diff(times)
    worst = int(np.argmax(gaps))
    if gaps[worst] + max(added_first, added_rest) > max_seconds:
        where = f"the stretch from {clock(times[worst])} to {clock(times[worst + 1])}"
        if 0 < worst <= len(candidates):
            where += f" ({candidates[worst - 1].speaker}'s turn and what follows)"
        need = math.ceil((gaps[worst] + max(added_first, added_rest)) / 6) / 10
        raise ConfigError(
            f"--max-minutes {max_seconds / 60:g} is shorter than the longest stretch that "
            f"cannot be cut: {where}, {clock(gaps[worst])} plus the show's clips",
            hint=f"use --max-minutes {need:g} or more")
    count, start = 1, 0
    while True:
        extra = added_first if count == 1 else added_rest
        reach = np.flatnonzero(times - times[start] + extra <= max_seconds + 1e-9)
        last = int(reach[-1])
        if last == len(times) - 1:
            return count
        count, start = count + 1, last


def _nearer(candidates: Sequence[Boundary], cut: Boundary, point: float) -> Boundary | None:
    closest = min(candidates, key=lambda c: abs(c.time - point))
    return closest if abs(closest.time - point) + 0.5 < abs(cut.time - point) else None


def _edge(segment: Segment, *, last: bool) -> float:
    if not segment.words:
        return segment.end if last else segment.start
    word = segment.words[-1] if last else segment.words[0]
    return (word.start + word.end) / 2


def _word_gap(before: Segment, after: Segment) -> tuple[float, float] | None:
    end = before.words[-1].end if before.words else before.end
    start = after.words[0].start if after.words else after.start
    return (end, start) if start > end else None


def _turn_text(segments: Sequence[Segment], index: int) -> str:
    speaker = speaker_of(segments[index])
    parts = []
    for segment in segments[index:]:
        if speaker_of(segment) != speaker:
            break
        parts.append(segment.text.strip())
    return " ".join(parts)


def _kind(turn: str, first: Segment, asks: bool, topic_starts: Sequence[float]) -> str:
    if not asks:
        return "other"
    question = "?" in turn
    words = re.sub(r"[^\w' ]+", " ", turn.lower()).split()
    topic = bool(_TOPIC_OPENERS.match(" ".join(words[:6]))) or any(
        first.start - 1.0 <= t <= first.end for t in topic_starts)
    if question and topic:
        return "topic question"
    return "question" if question else "topic" if topic else "host"


def _opening(turn: str, words: int = 10) -> str:
    split = turn.split()
    return " ".join(split[:words]) + (" …" if len(split) > words else "")
