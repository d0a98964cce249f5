"""Transcription of a multitrack recording: the levelled mix heard once, every word named by
the track it came from, and overlaps and turn changes the timing cannot name heard again
track by track.

The speaker of every word is known from the tracks, so diarization is skipped. The levelled
tracks are mixed and recognized in one pass, so the recognizer hears the conversation in
context (each track alone, with the other voice only as faint bleed, was measured worse:
20.6 % WER against the mix's 17.9 % on held-out conversations). Each word goes to the track
whose person speaks over it. Where two people talk at once (`overlaps`: both tracks well
above their bleed), the mix blurs both voices, so that stretch is heard again on each track
alone: both people keep their words, and a word a track heard only as bleed of another is
dropped (`drop_bleed`). So is a word whose time spans a turn change (`across_turns`): the
recognizer stretched it over both people's speech, or gave it no length between them. Tracks
must be aligned and levelled first (`audio.align_tracks`, `audio.level_tracks`).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from .. import audio
from ..model import Segment, Transcript, Word
from .coverage import bridged, frame_levels
from .engines import inside
from .pieces import shifted

__all__ = ["BLEED_MARGIN_DB", "across_turns", "drop_bleed", "overlaps", "speaking",
           "transcribe_tracks"]

# Bleed sits 20-30 dB under the voice it copies; a real overlap within a few dB of it.
BLEED_MARGIN_DB = 10.0
_FRAME_S = 0.02
_NEAR_S = 0.3  # how far apart two tracks may place the same word
# A word both tracks heard with equal confidence belongs to the track that is louder around
# it: over the word alone both may be loud (an overlap) or silent (a misplaced timestamp).
_CONTEXT_S = 1.0
# A word over silence on every track goes to whoever speaks within this of it, nearest first.
_NEAREST_S = 2.0
# A word holding this much speech of each of two people spans a turn change, and so does a
# word over silence with two people speaking within _SILENT_S of it (`across_turns`).
_ACROSS_S = 0.06
_SILENT_S = 0.5
# An overlap is both people loud for this long (a turn change's shared syllable is not one),
# with dips shorter than _BRIDGE_S between words bridged.
_MIN_OVERLAP_S = 0.3
_BRIDGE_S = 0.3
# A track's stretch is heard with this much of the track either side, so its words come out
# whole and in context (1 s heard "Right, that makes sense." as "Right, not make sense");
# only the words inside the stretch are kept.
_CLIP_CONTEXT_S = 4.0
# A word the recognizer places in the muted audio next to an overlap is the overlap's (it put
# one 0.4 s early); further out it is something the recognizer made up in the silence.
_REACH_S = 0.5
_SPEECH_BELOW_LOUD_DB = 30.0  # a track speaks when within this of its loud parts (as coverage)


def transcribe_tracks(aligned: audio.AlignedTracks,
                      recognize: Callable[[np.ndarray], Transcript],
                      recognize_clip: Callable[[np.ndarray], Transcript] | None = None
                      ) -> Transcript:
    """One transcript from aligned, levelled tracks: `recognize` hears the mix (16 kHz
    samples), `recognize_clip` (by default the same) each track over each stretch heard again.
    Segments come labelled and in time order."""
    if aligned.rate != audio.SAMPLE_RATE:
        raise ValueError(f"tracks must be at {audio.SAMPLE_RATE} Hz for recognition")
    hop = int(_FRAME_S * aligned.rate)
    levels = {name: frame_levels(s, hop) for name, s in aligned.samples.items()}
    heard = recognize(audio.mix_tracks(aligned))
    own = speaking(levels)
    both, across = overlaps(own), across_turns(heard.segments, own)
    stretches = _widened(sorted(both + across), heard.segments)
    mixed = [run for segment in heard.segments
             for run in _without(segment, _within(stretches))]
    again: list[Segment] = []
    dropped = 0
    for start, end in stretches:
        kept, lost = _heard_on_each_track(aligned, levels, own, recognize_clip or recognize,
                                          start, end)
        again += kept
        dropped += lost
    outside = _without_echoes(mixed, again)
    segments = [piece for run in outside for piece in _by_track(run, levels, own)] + again
    segments.sort(key=lambda s: (s.start, s.end))
    settings = {**heard.settings, "multitrack": {
        "tracks": list(aligned.samples), "offsets": aligned.offsets,
        "heard_on_each_track": [[round(a, 2), round(b, 2)] for a, b in stretches],
        "overlaps": len(both), "words_across_a_turn_change": len(across),
        "bleed_words_dropped": dropped,
        "echoes_dropped": len(_words(mixed)) - len(_words(outside)),
        "notes": list(aligned.notes)}}
    return replace(heard, segments=tuple(segments), settings=settings)


def overlaps(own: dict[str, np.ndarray]) -> list[tuple[float, float]]:
    """Stretches (seconds) where two or more tracks are speaking at once (`own`: `speaking`)."""
    both = bridged(np.sum(list(own.values()), axis=0) >= 2, int(_BRIDGE_S / _FRAME_S))
    edges = np.flatnonzero(np.diff(np.concatenate(([0], both.astype(np.int8), [0]))))
    return [(float(a) * _FRAME_S, float(b) * _FRAME_S)
            for a, b in zip(edges[::2], edges[1::2], strict=True)
            if (b - a) * _FRAME_S >= _MIN_OVERLAP_S]


def across_turns(segments: Sequence[Segment], own: dict[str, np.ndarray]
                 ) -> list[tuple[float, float]]:
    """Words (start, end) whose time holds `_ACROSS_S` or more of two people's speech: the
    recognizer stretched one over a turn change ("it." of the guest's run 1.1 s on over the
    host's "Mm-hmm"; "See," run 1.2 s back over the host's "waited"), so the frames cannot
    say whose it is and either end is as likely; and words over silence on every track
    (given no length at all) with two people speaking within `_SILENT_S` of them, the
    stretch then that wide ("real." placed after the host's "that's" 0.4 s into the silence
    before the guest's answer, where its time says nothing of who said it). Heard again on
    each track, the word comes out on its own speaker's."""
    least = int(round(_ACROSS_S / _FRAME_S))
    found = []
    for word in _words(segments):
        lo, hi = int(word.start / _FRAME_S), int(np.ceil(word.end / _FRAME_S))
        counts = sorted(int(mask[lo:hi].sum()) for mask in own.values())
        if len(counts) > 1 and counts[-2] >= least:
            found.append((word.start, word.end))
        elif counts[-1] == 0 and len(_near(own, (word.start + word.end) / 2, _SILENT_S)) > 1:
            found.append((word.start - _SILENT_S, word.end + _SILENT_S))
    return found


def speaking(levels: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """For each track, the frames where its own person speaks: loud for that track, and within
    `BLEED_MARGIN_DB` of the loudest track (so not the others' bleed); dips between words
    bridged."""
    loudest = np.max(np.stack(list(levels.values())), axis=0)
    found = {}
    for name, level in levels.items():
        floor = max(float(np.percentile(level, 95)) - _SPEECH_BELOW_LOUD_DB, -60.0)
        found[name] = bridged((level > floor) & (level > loudest - BLEED_MARGIN_DB),
                               int(_BRIDGE_S / _FRAME_S))
    return found


def _widened(stretches: list[tuple[float, float]], segments: Sequence[Segment]
             ) -> list[tuple[float, float]]:
    """`stretches` grown to take in whole every recognized word they touch, and merged where
    they then touch: no word is heard both in the mix and again on a track, or cut in two."""
    words = _words(segments)
    starts = np.array([w.start for w in words])
    ends = np.array([w.end for w in words])
    merged: list[tuple[float, float]] = []
    for start, end in stretches:
        touched = (starts < end) & (start < ends)
        if touched.any():
            start, end = min(start, float(starts[touched].min())), max(end, float(ends[touched].max()))
        if merged and start <= merged[-1][1] + _FRAME_S:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _within(stretches: list[tuple[float, float]]) -> Callable[[Word], bool]:
    """Whether a word's midpoint lies in one of `stretches` (sorted, apart)."""
    firsts = [a for a, _ in stretches]

    def within(word: Word) -> bool:
        middle = (word.start + word.end) / 2
        k = bisect.bisect_right(firsts, middle) - 1
        return k >= 0 and middle <= stretches[k][1]

    return within


def _without_echoes(mixed: list[Segment], again: list[Segment]) -> list[Segment]:
    """`mixed` without the words a track heard again: a track may place a word just outside
    its stretch, where the mix heard it too (a backchannel's "Right." also heard in the mix
    as "right?" just after it)."""
    echoes: dict[str, list[Word]] = {}  # by plain text: a long recording has thousands
    for echo in _words(again):
        echoes.setdefault(_plain(echo.text), []).append(echo)

    def echoed(word: Word) -> bool:
        return any(_same(word, echo) for echo in echoes.get(_plain(word.text), ()))

    return [run for segment in mixed for run in _without(segment, echoed)]


def _without(segment: Segment, unwanted: Callable[[Word], bool]) -> list[Segment]:
    """`segment` without its `unwanted` words: the runs of words between them."""
    if not segment.words:
        return [] if unwanted(Word(segment.start, segment.end, segment.text)) else [segment]
    runs: list[list[Word]] = [[]]
    for word in segment.words:
        if unwanted(word):
            runs.append([])
        else:
            runs[-1].append(word)
    kept = [run for run in runs if run]
    if len(kept) == 1 and len(kept[0]) == len(segment.words):
        return [segment]
    return [Segment(run[0].start, run[-1].end, " ".join(w.text for w in run).strip(), None,
                    tuple(run)) for run in kept]


def _by_track(segment: Segment, levels: dict[str, np.ndarray],
              own: dict[str, np.ndarray]) -> list[Segment]:
    """`segment` cut into runs of words from one track (`_owners`), each labelled with its
    person."""
    if not segment.words:
        return [replace(segment, speaker=_loudest(levels, segment.start, segment.end))]
    owners = _owners(segment, levels, own)
    edges = [0, *(i for i in range(1, len(owners)) if owners[i] != owners[i - 1]), len(owners)]
    pieces = []
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        words = tuple(replace(w, speaker=owners[a]) for w in segment.words[a:b])
        text = segment.text if len(edges) == 2 else " ".join(w.text for w in words).strip()
        pieces.append(Segment(words[0].start, words[-1].end, text, owners[a], words))
    return pieces


def _owners(segment: Segment, levels: dict[str, np.ndarray],
            own: dict[str, np.ndarray]) -> list[str]:
    """Whose each word of `segment` is: the track whose person speaks (`own`) for the most
    frames of the word (the loudest of those, if several). Counting frames, not comparing
    loudness, because recognizers stretch a word into the pause next to it, where the next
    person's first loud syllable would outweigh it. A word over silence on every track (some
    get no length at all) is the person's who speaks nearest to it in time, or failing that
    its neighbour's."""
    found: list[str | None] = []
    for word in segment.words:
        lo = max(0, int(word.start / _FRAME_S) - 1)
        hi = int(np.ceil(word.end / _FRAME_S)) + 1
        frames = {name: int(mask[lo:max(hi, lo + 1)].sum()) for name, mask in own.items()}
        most = max(frames.values())
        speakers = {name: levels[name] for name, count in frames.items() if count == most}
        found.append(_loudest(speakers, word.start, word.end) if most
                     else _nearest(own, (word.start + word.end) / 2))
    fallback = _loudest(levels, segment.start, segment.end)
    known = [name for name in found if name is not None]
    owners, last = [], known[0] if known else fallback
    for name in found:
        last = name or last
        owners.append(last)
    return owners


def _nearest(own: dict[str, np.ndarray], time: float) -> str | None:
    """The person who speaks nearest to `time` (within `_NEAREST_S`), or None."""
    distances = _near(own, time, _NEAREST_S)
    return min(distances, key=lambda name: distances[name]) if distances else None


def _near(own: dict[str, np.ndarray], time: float, reach_s: float) -> dict[str, int]:
    """The people who speak within `reach_s` of `time`, with how many frames away."""
    frame, reach = int(time / _FRAME_S), int(reach_s / _FRAME_S)
    lo = max(0, frame - reach)
    distances = {}
    for name, mask in own.items():
        speaks = np.flatnonzero(mask[lo:frame + reach + 1]) + lo
        if speaks.size:
            distances[name] = int(np.abs(speaks - frame).min())
    return distances


def _loudest(levels: dict[str, np.ndarray], start: float, end: float) -> str:
    return max(levels, key=lambda name: _level(levels[name], start, end))


def _heard_on_each_track(aligned: audio.AlignedTracks, levels: dict[str, np.ndarray],
                         own: dict[str, np.ndarray],
                         recognize: Callable[[np.ndarray], Transcript], start: float,
                         end: float) -> tuple[list[Segment], int]:
    """The words inside [start, end] as each track alone gives them, bleed dropped; and how
    many bleed words went. Each track is heard with the other voices' bleed muted wherever its
    own person is silent (`own`: `speaking`'s frames): the recognizer would hear that bleed
    and place its words in the overlap."""
    low = max(0.0, start - _CLIP_CONTEXT_S)
    first, last = int(low * aligned.rate), int((end + _CLIP_CONTEXT_S) * aligned.rate)
    heard = {}
    for name, samples in aligned.samples.items():
        clip = samples[first:last] * _gate(own[name], first, last, aligned.rate)
        found = recognize(clip.astype(np.float32)).segments
        reach = _reach(own[name], start, end, low, last / aligned.rate)
        clipped = (inside(shifted(s, low), *reach) for s in found)
        heard[name] = tuple(s for s in clipped if s is not None)
    kept: list[Segment] = []
    dropped = 0
    for name, segments in heard.items():
        others = [_Track(levels[o], _words(heard[o])) for o in heard if o != name]
        mine, lost = drop_bleed(segments, levels[name], others, name)
        kept += mine
        dropped += lost
    return kept, dropped


def _reach(own: np.ndarray, start: float, end: float, low: float,
           high: float) -> tuple[float, float]:
    """[start, end] widened over the muted (silent) audio either side of it, by at most
    `_REACH_S` and within [low, high]: the recognizer may place a short word there (0.4 s
    early, measured), and in a gated clip nothing else can be heard there."""
    low, high = max(low, start - _REACH_S), min(high, end + _REACH_S)
    speaks = np.flatnonzero(own[int(low / _FRAME_S):int(np.ceil(high / _FRAME_S))])
    times = (speaks + int(low / _FRAME_S)) * _FRAME_S
    before, after = times[times < start], times[times >= end]
    return (float(before[-1]) + _FRAME_S if before.size else low,
            float(after[0]) if after.size else high)


def _gate(own: np.ndarray, first: int, last: int, rate: int) -> np.ndarray:
    """Gains for samples [first, last): 1 where the track's person speaks (a frame either side
    too), 0 elsewhere, ramped over a frame so the gate does not click."""
    frame = int(_FRAME_S * rate)
    lo, hi = first // frame, -(-last // frame)
    mask = np.convolve(own[lo:hi].astype(np.float32), np.ones(3, dtype=np.float32), "same") > 0
    ramp = np.convolve(mask.astype(np.float32), np.ones(2, dtype=np.float32) / 2, "same")
    gains = np.repeat(ramp, frame)[first - lo * frame:last - lo * frame]
    return np.pad(gains, (0, max(0, last - first - gains.size)))


@dataclass(frozen=True)
class _Track:
    """Another track, as bleed is judged against it: its levels and its recognized words."""

    levels: np.ndarray
    words: tuple[Word, ...]


def _words(segments: Sequence[Segment]) -> tuple[Word, ...]:
    return tuple(w for s in segments for w in (s.words or (Word(s.start, s.end, s.text),)))


def drop_bleed(segments: Sequence[Segment], own: np.ndarray, others: list[_Track],
               speaker: str) -> tuple[list[Segment], int]:
    """`segments` of one track labelled `speaker`, without its bleed words; and how many went.

    A word is bleed where another track's level (dB per 20 ms frame) is `BLEED_MARGIN_DB`
    above this one's over the word, or where another track heard the same word at the same
    time and heard it more surely (`_surer`: bleed recognized during a real overlap).
    """
    kept: list[Segment] = []
    dropped = 0
    for segment in segments:
        words = segment.words or (Word(segment.start, segment.end, segment.text),)
        mine = [w for w in words if not _is_bleed(w, own, others)]
        dropped += len(words) - len(mine)
        if not mine:
            continue
        labelled = tuple(replace(w, speaker=speaker) for w in mine)
        text = " ".join(w.text for w in mine).strip() if segment.words else segment.text
        kept.append(Segment(mine[0].start, mine[-1].end, text, speaker,
                            labelled if segment.words else ()))
    return kept, dropped


def _is_bleed(word: Word, own: np.ndarray, others: list[_Track]) -> bool:
    mine = _level(own, word.start, word.end)
    for other in others:
        theirs = _level(other.levels, word.start, word.end)
        if theirs - mine > BLEED_MARGIN_DB:
            return True
        for heard in other.words:
            if _same(word, heard) and _surer(heard, word, other.levels, own):
                return True
    return False


def _surer(heard: Word, word: Word, theirs: np.ndarray, own: np.ndarray) -> bool:
    """Whether the same word heard on two tracks at once is the other track's (`heard`, over
    `theirs`) and not this one's. Heard 25 dB down under another voice, bleed is heard less
    surely than the voice itself (an "and" of the guest's at p 0.98 lost to the host's
    "exactly" heard as "and" at 0.35, when the louder track around it won), so the surer word
    wins; at equal confidence, the track louder around it."""
    if heard.probability != word.probability:
        return heard.probability > word.probability
    lo = min(word.start, heard.start) - _CONTEXT_S
    hi = max(word.end, heard.end) + _CONTEXT_S
    return _level(theirs, lo, hi) > _level(own, lo, hi)


def _same(word: Word, other: Word) -> bool:
    return (other.start - _NEAR_S <= word.end and word.start <= other.end + _NEAR_S
            and _plain(word.text) == _plain(other.text) != "")


def _plain(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _level(levels: np.ndarray, start: float, end: float) -> float:
    """The level over [start, end], a frame wider either side (word times are approximate)."""
    lo = max(0, int(start / _FRAME_S) - 1)
    hi = max(lo + 1, int(np.ceil(end / _FRAME_S)) + 1)
    return _energy_db(levels[lo:hi])


def _energy_db(levels: np.ndarray) -> float:
    """Mean power over frames (given in dB) back in dB; -120 for nothing."""
    if levels.size == 0:
        return -120.0
    return float(10 * np.log10(np.mean(10 ** (levels / 10)) + 1e-12))
