"""Where the talk could be tidied: fillers, repeated words and long pauses.

Pauses come from the audio (silence runs: word timings stretch over pauses); fillers from the
recognized words (tiny.en writes espeak's and most speakers' 'um'/'uh' as words) and from
voiced audio inside a gap between recognized words; repeats from the word sequence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..model import Transcript, Word

FILLERS = frozenset({"um", "umm", "uh", "uhh", "er", "erm", "ah", "hmm", "mm"})
FRAME = 0.02  # seconds per energy frame
LAG = 0.45  # seconds Whisper's word times may run late (measured on synth.disfluent.TUNING)
PAD = 0.03  # seconds of the silence either side a filler cut also takes
SILENCE_DB = -40.0  # below the recording's loud level by this much is silence
_SENTENCE_END = re.compile(r"[.!?]$")
_WORD = re.compile(r"[^a-z0-9']+")


@dataclass(frozen=True)
class Proposal:
    kind: str
    start: float
    end: float
    removes: str
    context: str


def norm(text: str) -> str:
    return _WORD.sub("", text.lower())


def words_of(transcript: Transcript) -> list[Word]:
    return [w for segment in transcript.segments for w in segment.words]


def silences(samples: np.ndarray, rate: int, shortest: float) -> list[tuple[float, float]]:
    """Runs of silence at least `shortest` seconds long, as (start, end) in seconds."""
    hop = int(FRAME * rate)
    frames = len(samples) // hop
    if frames == 0:
        return []
    level = _levels(samples[:frames * hop].reshape(frames, hop))
    quiet = level < np.percentile(level, 95) + SILENCE_DB
    edges = np.flatnonzero(np.diff(np.concatenate(([0], quiet.astype(np.int8), [0]))))
    runs = [(a * FRAME, b * FRAME) for a, b in zip(edges[::2], edges[1::2], strict=True)]
    return [(a, b) for a, b in runs if b - a >= shortest]


def _levels(frames: np.ndarray, block: int = 3000) -> np.ndarray:
    """Each frame's power in dB, a minute of frames at a time (no full-length float64 copy)."""
    out = np.empty(len(frames), dtype=np.float64)
    for at in range(0, len(frames), block):
        chunk = frames[at:at + block].astype(np.float64)
        out[at:at + block] = 10 * np.log10(np.mean(chunk * chunk, axis=1) + 1e-12)
    return out


def voiced_runs(samples: np.ndarray, rate: int, start: float, end: float
                ) -> list[tuple[float, float]]:
    """The sounding stretches between `start` and `end` (the complement of silence there)."""
    a, b = int(start * rate), int(end * rate)
    quiet = [(start + s, start + e) for s, e in silences(samples[a:b], rate, 0.06)]
    runs, cursor = [], start
    for s, e in quiet:
        if s - cursor >= 0.1:
            runs.append((cursor, s))
        cursor = e
    if end - cursor >= 0.1:
        runs.append((cursor, end))
    return runs


def context(words: list[Word], first: int, last: int, around: int = 3) -> str:
    before = " ".join(w.text.strip() for w in words[max(0, first - around):first])
    gone = " ".join(w.text.strip() for w in words[first:last + 1])
    after = " ".join(w.text.strip() for w in words[last + 1:last + 1 + around])
    return f"{before} [{gone}] {after}".strip()


def pause_cuts(samples: np.ndarray, rate: int, max_pause: float) -> list[Proposal]:
    """Each silence longer than `max_pause`, shortened to it (half kept each side)."""
    out = []
    for start, end in silences(samples, rate, max_pause + 0.05):
        if start <= 0.0 or end >= len(samples) / rate - FRAME:
            continue  # lead-in and tail are mastering's business
        keep = max_pause / 2
        out.append(Proposal("pause", round(start + keep, 3), round(end - keep, 3), "",
                            f"{end - start:.2f} s of silence"))
    return out


def filler_cuts(words: list[Word], samples: np.ndarray, rate: int) -> list[Proposal]:
    """Every recognized filler word, cut where its sound is (see `sound_of`)."""
    out = []
    for i, word in enumerate(words):
        if norm(word.text) not in FILLERS:
            continue
        after = words[i - 1].start if i else 0.0
        sound = sound_of(word, samples, rate, after)
        if sound is not None:
            out.append(Proposal("filler", sound[0], sound[1], word.text.strip(),
                                context(words, i, i)))
    return out


def sound_of(word: Word, samples: np.ndarray, rate: int,
             after: float) -> tuple[float, float] | None:
    """Where a short word really sounds: Whisper's word times run up to ~0.45 s late and
    overlap the next word, so the cut is the voiced run, set off by silence, that overlaps the
    word's span moved back by LAG most and starts after the previous word's start (`after`);
    None when no run stands alone (then nothing is cut)."""
    lo, hi = max(0.0, after, word.start - LAG - 0.15), min(len(samples) / rate, word.end + 0.1)
    runs = [r for r in voiced_runs(samples, rate, lo, hi)
            if 0.1 <= r[1] - r[0] <= 0.8 and r[0] > lo and r[1] < hi]
    if not runs:
        return None
    span = (word.start - LAG, max(word.end, word.start + 0.05))
    best = max(runs, key=lambda r: min(r[1], span[1]) - max(r[0], span[0]))
    if min(best[1], span[1]) - max(best[0], span[0]) <= 0:
        return None
    return round(best[0] - PAD, 3), round(best[1] + PAD, 3)


def repeat_cuts(words: list[Word], samples: np.ndarray, rate: int,
                longest: int = 3) -> list[Proposal]:
    """A run of 1-3 words said twice in a row by one speaker: the first saying goes, from the
    sound's onset to the second saying's onset (both found in the audio; see `onset`)."""
    out, i = [], 0
    keys = [norm(w.text) for w in words]
    while i < len(words):
        for n in range(longest, 0, -1):
            first, second = keys[i:i + n], keys[i + n:i + 2 * n]
            if len(second) == n and first == second and all(first) \
                    and len({w.speaker for w in words[i:i + 2 * n]}) == 1 \
                    and not _SENTENCE_END.search(words[i + n - 1].text.strip()):
                start, end = onset(words, i, samples, rate), onset(words, i + n, samples, rate)
                if start is not None and end is not None and start < end:
                    out.append(Proposal("repeat", start, end,
                                        " ".join(w.text.strip() for w in words[i:i + n]),
                                        context(words, i, i + n - 1)))
                i += n
                break
        else:
            i += 1
    return out


def onset(words: list[Word], i: int, samples: np.ndarray, rate: int) -> float | None:
    """Where word `i` starts to sound: the end of the last silence between the previous
    word's start and word i's (late) start; None when there is no silence to cut at."""
    lo = max(words[i - 1].start if i else 0.0, words[i].start - LAG - 0.15)
    a, b = int(lo * rate), int((words[i].start + 0.05) * rate)
    quiet = silences(samples[a:b], rate, 0.06)
    if not quiet:
        return None
    return round(lo + quiet[-1][1] - PAD, 3)


def gap_fillers(words: list[Word], samples: np.ndarray, rate: int) -> list[Proposal]:
    """Short voiced sounds inside a gap between recognized words (fillers left out)."""
    out = []
    for i in range(len(words) - 1):
        a, b = words[i].end, words[i + 1].start
        if b - a < 0.25 or words[i].speaker != words[i + 1].speaker:
            continue
        for s, e in voiced_runs(samples, rate, a, b):
            if 0.12 <= e - s <= 0.8:
                out.append(Proposal("filler", round(s, 3), round(e, 3), "(unrecognized sound)",
                                    context(words, i + 1, i)))
    return out
