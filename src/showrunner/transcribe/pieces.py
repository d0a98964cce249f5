"""A long recording heard a piece at a time, so recognition's memory does not grow with length.

faster-whisper takes the log-mel spectrogram of everything it is given before decoding (its
numpy STFT holds every frame at once: about 3.6 GiB more per hour of audio, measured in
BENCHMARKS.md, "Whole episode"). The stage therefore gives the engine pieces of at most
PIECE_SECONDS, each ending in the quietest moment of the SEARCH_SECONDS before its mark (a
pause between words in any conversation), and moves the pieces' times back onto the recording.
An engine that reads a recording in bounded memory itself (`reads_in_pieces`) is given the
whole of it, and may use `pieces` for the steps that read all they are given at once.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..audio import SAMPLE_RATE, Mono
from ..model import Segment

PIECE_SECONDS = 5 * 60.0
SEARCH_SECONDS = 30.0
_FRAME_SECONDS = 0.1


def pieces(samples: Mono) -> list[tuple[int, int]]:
    """(first sample, end sample) of each piece, in order, covering `samples` exactly; one
    piece for a recording up to PIECE_SECONDS + SEARCH_SECONDS long."""
    size, search = int(PIECE_SECONDS * SAMPLE_RATE), int(SEARCH_SECONDS * SAMPLE_RATE)
    frame = int(_FRAME_SECONDS * SAMPLE_RATE)
    starts = [0]
    while len(samples) - starts[-1] > size + search:
        mark = starts[-1] + size
        window = samples[mark - search:mark]
        frames = window[:len(window) // frame * frame].reshape(-1, frame).astype(np.float32)
        quietest = int(np.argmin(np.mean(frames * frames, axis=1)))
        starts.append(mark - search + quietest * frame + frame // 2)
    return list(zip(starts, [*starts[1:], len(samples)], strict=True))


def shifted(segment: Segment, offset: float) -> Segment:
    """`segment` and its words `offset` seconds later."""
    words = tuple(replace(w, start=w.start + offset, end=w.end + offset) for w in segment.words)
    return replace(segment, start=segment.start + offset, end=segment.end + offset, words=words)
