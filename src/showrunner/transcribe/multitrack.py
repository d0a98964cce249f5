"""Transcription of a multitrack recording: each person's words from their own track.

The speaker of every word is known (the track's person), so diarization is skipped. Each
microphone hears the others faintly (bleed), and the recognizer may transcribe that too: a
word is dropped where another track is much louder than its own track over the word's time
(`BLEED_MARGIN_DB`). Where two people talk at once both tracks are loud, so both keep their
words. The tracks must be aligned and levelled first (`audio.align_tracks`,
`audio.level_tracks`); the segments of all tracks are then merged in time order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from .. import audio
from ..model import Segment, Transcript, Word

__all__ = ["BLEED_MARGIN_DB", "drop_bleed", "transcribe_tracks"]

# Bleed sits 20-30 dB under the voice it copies; a real overlap within a few dB of it.
BLEED_MARGIN_DB = 10.0
_FRAME_S = 0.02
_NEAR_S = 0.3  # how far apart two tracks may place the same word
# A word both tracks heard belongs to the track that is louder around it: over the word
# alone both may be loud (an overlap) or silent (a misplaced timestamp).
_CONTEXT_S = 1.0


def transcribe_tracks(aligned: audio.AlignedTracks,
                      recognize: Callable[[np.ndarray], Transcript]) -> Transcript:
    """One transcript from aligned, levelled tracks, each heard by `recognize` (16 kHz
    samples -> Transcript): every segment labelled with its track's person, bleed dropped,
    all segments in time order."""
    if aligned.rate != audio.SAMPLE_RATE:
        raise ValueError(f"tracks must be at {audio.SAMPLE_RATE} Hz for recognition")
    heard = {name: recognize(samples) for name, samples in aligned.samples.items()}
    levels = {name: _frame_levels(s, aligned.rate) for name, s in aligned.samples.items()}
    segments: list[Segment] = []
    dropped = 0
    for name, transcript in heard.items():
        others = [_Track(levels[o], _words(heard[o].segments)) for o in heard if o != name]
        kept, lost = drop_bleed(transcript.segments, levels[name], others, name)
        segments += kept
        dropped += lost
    segments.sort(key=lambda s: (s.start, s.end))
    first = next(iter(heard.values()))
    settings = {**first.settings, "multitrack": {"tracks": list(aligned.samples),
                                                 "offsets": aligned.offsets,
                                                 "bleed_words_dropped": dropped,
                                                 "notes": list(aligned.notes)}}
    return replace(first, segments=tuple(segments), settings=settings)


@dataclass(frozen=True)
class _Track:
    """Another track, as bleed is judged against it: its levels and its recognized words."""

    levels: np.ndarray
    words: tuple[Word, ...]


def _words(segments: tuple[Segment, ...]) -> tuple[Word, ...]:
    return tuple(w for s in segments for w in (s.words or (Word(s.start, s.end, s.text),)))


def drop_bleed(segments: tuple[Segment, ...], own: np.ndarray, others: list[_Track],
               speaker: str) -> tuple[list[Segment], int]:
    """`segments` of one track labelled `speaker`, without its bleed words; and how many went.

    A word is bleed where another track's level (dB per 20 ms frame) is `BLEED_MARGIN_DB`
    above this one's over the word, or where another track heard the same word at the same
    time and is louder around it (bleed recognized during a real overlap).
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
            if _same(word, heard):
                lo = min(word.start, heard.start) - _CONTEXT_S
                hi = max(word.end, heard.end) + _CONTEXT_S
                if _level(other.levels, lo, hi) > _level(own, lo, hi):
                    return True
    return False


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


def _frame_levels(samples: np.ndarray, rate: int) -> np.ndarray:
    frame = max(1, int(_FRAME_S * rate))
    count = -(-len(samples) // frame)
    padded = np.pad(samples.astype(np.float64), (0, count * frame - len(samples)))
    power = np.mean(padded.reshape(count, frame) ** 2, axis=1)
    return 10 * np.log10(power + 1e-12)

