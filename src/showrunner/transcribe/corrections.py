"""The show's corrections table (show.yaml `corrections:`, wrong -> right), applied after
recognition to whole words, in segment text and word timings alike.

Matching ignores case and the punctuation around words; the replacement is written as the
table spells it, except that a lowercase replacement at a capitalized spot (a sentence start)
is capitalized, so the transcript's own case is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from ..model import Correction, Segment, Transcript, Word

_EDGE = re.compile(r"^(\W*)(.*?)(\W*)$", re.DOTALL)


def apply_corrections(transcript: Transcript,
                      table: Iterable[tuple[str, str]]) -> Transcript:
    """`transcript` with every table entry applied; `corrections` lists what was replaced."""
    counts: dict[tuple[str, str], int] = {}
    segments = list(transcript.segments)
    for wrong, right in table:
        pattern = _key(wrong).split()
        if not pattern or not right.split():
            continue
        total = 0
        for index, segment in enumerate(segments):
            segments[index], made = _correct_segment(segment, pattern, right)
            total += made
        if total:
            counts[(wrong, right)] = counts.get((wrong, right), 0) + total
    applied = tuple(Correction(wrong, right, count) for (wrong, right), count in counts.items())
    return replace(transcript, segments=tuple(segments),
                   corrections=transcript.corrections + applied)


def _key(text: str) -> str:
    """Lowercase, punctuation at word edges removed: what a word is matched by."""
    return " ".join(_EDGE.match(word).group(2).lower()  # type: ignore[union-attr]
                    for word in text.split())


def _correct_segment(segment: Segment, pattern: list[str], right: str) -> tuple[Segment, int]:
    texts = segment.text.split()
    timed = len(segment.words) == len(texts)
    words = list(segment.words) if timed else [Word(segment.start, segment.end, t) for t in texts]
    result: list[Word] = []
    made = i = 0
    while i < len(words):
        window = words[i:i + len(pattern)]
        if len(window) == len(pattern) and [_key(w.text) for w in window] == pattern:
            result += _replacement(window, right)
            made += 1
            i += len(pattern)
        else:
            result.append(words[i])
            i += 1
    if not made:
        return segment, 0
    text = " ".join(w.text for w in result)
    return replace(segment, text=text, words=tuple(result) if timed else segment.words), made


def _replacement(window: list[Word], right: str) -> list[Word]:
    """The words of `right` in place of `window`, with the window's edge punctuation and times."""
    lead = _EDGE.match(window[0].text).group(1)  # type: ignore[union-attr]
    tail = _EDGE.match(window[-1].text).group(3)  # type: ignore[union-attr]
    core = _EDGE.match(window[0].text).group(2)  # type: ignore[union-attr]
    if core[:1].isupper() and right[:1].islower():
        right = right[:1].upper() + right[1:]
    texts = right.split()
    texts[0], texts[-1] = lead + texts[0], texts[-1] + tail
    if len(texts) == len(window):
        return [replace(w, text=t) for w, t in zip(window, texts, strict=True)]
    # A different number of words: spread them over the matched span, by length.
    start, end = window[0].start, window[-1].end
    probability = min(w.probability for w in window)
    total = sum(len(t) for t in texts)
    words, cursor = [], 0
    for text in texts:
        begin = start + (end - start) * cursor / total
        cursor += len(text)
        words.append(Word(begin, start + (end - start) * cursor / total, text, probability,
                          window[0].speaker))
    return words
