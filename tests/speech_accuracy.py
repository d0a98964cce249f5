"""How well a transcript matches the script that was spoken: WER and missing stretches.

Shared by the transcribe tests and `benchmarks/transcribe.py`. Both texts go through
openai-whisper's English normalizer (numbers, spellings, punctuation, case) and then jiwer,
the usual way Whisper transcripts are scored.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import jiwer

from showrunner.synth.multitrack import plain_word


@cache
def _normalizer() -> Any:
    from whisper.normalizers import EnglishTextNormalizer

    return EnglishTextNormalizer()


def normalize(text: str) -> str:
    """Lowercase words without punctuation, numbers as digits, spellings unified."""
    return " ".join(_normalizer()(text).split())


@dataclass(frozen=True)
class Accuracy:
    """WER and the longest run of script words that are absent from the transcript."""

    wer: float
    reference_words: int
    longest_missing_run: int
    longest_deleted_run: int

    @property
    def wer_percent(self) -> float:
        return 100.0 * self.wer


def measure(script: Iterable[str], transcript: str) -> Accuracy:
    """Align `transcript` to the spoken `script` lines and score it."""
    reference = normalize(" ".join(script))
    hypothesis = normalize(transcript) or "<nothing>"
    output = jiwer.process_words(reference, hypothesis)
    missing = deleted = longest_missing = longest_deleted = 0
    for chunk in output.alignments[0]:
        size = chunk.ref_end_idx - chunk.ref_start_idx
        # A script word is missing unless it was recognized (aligned as equal): a stretch the
        # recognizer skipped shows as deletions, one it garbled as substitutions.
        missing = 0 if chunk.type == "equal" else missing + size
        deleted = deleted + size if chunk.type == "delete" else 0 if size else deleted
        longest_missing = max(longest_missing, missing)
        longest_deleted = max(longest_deleted, deleted)
    return Accuracy(output.wer, len(reference.split()), longest_missing, longest_deleted)


def errors_by_line(script: Sequence[str], transcript: str) -> list[tuple[int, int]]:
    """Each script line's (errors, words) under `measure`'s alignment: a substitution or
    deletion counts at the script words it spans, an insertion at the script word it comes
    before. Their sums are the WER's; line by line, two transcripts of one recording can be
    compared as a paired sample (`benchmarks/transcribe_stage.py`)."""
    words = [normalize(line).split() for line in script]
    owner = [number for number, line in enumerate(words) for _ in line]
    output = jiwer.process_words(" ".join(w for line in words for w in line),
                                 normalize(transcript) or "<nothing>")
    errors = [0] * len(words)
    for chunk in output.alignments[0]:
        if chunk.type == "equal":
            continue
        spans = chunk.ref_end_idx - chunk.ref_start_idx or chunk.hyp_end_idx - chunk.hyp_start_idx
        errors[owner[min(chunk.ref_start_idx, len(owner) - 1)]] += spans
    return [(errors[number], len(line)) for number, line in enumerate(words)]


def word_diarization_errors(script: Iterable[tuple[str, str]],
                            heard: Iterable[tuple[str, str]]) -> tuple[int, int]:
    """Word diarization error counts, as Shafey et al. (2019) define WDER: the recognized
    (word, speaker) pairs aligned with the script's (speaker, line) pairs word by word, in
    order, by jiwer's edit-distance alignment; of the recognized words aligned with a script
    word (the same word or a substitute), how many there are and how many carry another
    speaker's name. Words are compared lower-cased with punctuation stripped (the normalizer
    would merge and split words, and lose which speaker each came from)."""
    said = [(plain_word(word), speaker) for speaker, line in script for word in line.split()]
    said = [(word, speaker) for word, speaker in said if word]
    got = [(plain_word(word), speaker) for word, speaker in heard]
    got = [(word, speaker) for word, speaker in got if word]
    if not said or not got:
        return 0, 0
    output = jiwer.process_words(" ".join(w for w, _ in said), " ".join(w for w, _ in got))
    aligned = wrong = 0
    for chunk in output.alignments[0]:
        if chunk.type in ("equal", "substitute"):
            for offset in range(chunk.hyp_end_idx - chunk.hyp_start_idx):
                aligned += 1
                wrong += (got[chunk.hyp_start_idx + offset][1]
                          != said[chunk.ref_start_idx + offset][1])
    return aligned, wrong
