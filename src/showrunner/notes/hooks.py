"""The hook: the question at the heart of the episode, as notes print it in italics on top.

The host's questions that best stand for the whole talk come first, cleaned of fillers and
false starts, 8 to 25 words; then anyone's; an episode without a fitting question (a solo
talk that never asks one) gets one built from its two main topics.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import keyphrases, phrasing, spoken

if TYPE_CHECKING:
    from .topics import Sentence

HOOK_WORDS = (8, 25)


def hook_candidates(sentences: list[Sentence], vectors: np.ndarray, *, host: str | None,
                    openers: frozenset[int] | set[int] = frozenset(), limit: int = 5,
                    fallback: list[str] | None = None) -> tuple[str, ...]:
    """The questions that best stand for the whole episode, best first: the host's before
    anyone else's, and one that opens a topic (index in `openers`, or in the same turn) before
    a follow-up. Without any, one question made from the first two of `fallback` (topic
    bullets, the longest topic first)."""
    centre = vectors.sum(axis=0)
    centre = centre / (np.linalg.norm(centre) or 1.0)
    opening = _opening_turns(sentences, openers)
    scored = []
    for index, (sentence, vector) in enumerate(zip(sentences, vectors, strict=True)):
        question = _printable_question(sentence.text) if sentence.is_question else None
        if question is None:
            continue
        fit = float(vector @ centre) - abs(len(question.split()) - 14) / 40.0  # 10-18 words read best
        fit += (0.15 if index in opening else 0.0) + (0.3 if sentence.speaker == host else 0.0)
        scored.append((fit, question))
    ranked = [q for _, q in sorted(scored, key=lambda item: -item[0])]
    topics = list(dict.fromkeys(_lower_first(b) for b in fallback or []
                                if keyphrases.noun_phrase_like(b)))
    if not ranked and topics:
        # Naming the two main topics came nearer the hosts' hooks than naming one, on the
        # notes development set and on its held-out split (BENCHMARKS.md, notes quality).
        both = f"What should you know about {topics[0]} and {topics[1]}?" \
            if len(topics) >= 2 else None
        one = f"What does it really take to get {topics[0]} right?"
        ranked = [both if both and len(both.split()) <= HOOK_WORDS[1] else one]
    return tuple(dict.fromkeys(ranked))[:limit]


def _printable_question(text: str) -> str | None:
    """The question cleaned of fillers and false starts, or None when it is small talk, an
    address, or outside 8 to 25 words."""
    question = spoken.as_question(spoken.clean_text(phrasing.clean_sentence(text)))
    words = len(question.split())
    if not HOOK_WORDS[0] <= words <= HOOK_WORDS[1] or not question.endswith("?") or \
            phrasing.is_small_talk(question) or spoken.is_housekeeping(question) or \
            not phrasing.ASKS.match(question):
        return None
    return question


def _lower_first(text: str) -> str:
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def _opening_turns(sentences: list[Sentence], openers: frozenset[int] | set[int]) -> set[int]:
    """Indices of every sentence in the turn that opens a topic."""
    found: set[int] = set()
    for i in openers:
        found.add(i)
        for k in range(i + 1, len(sentences)):
            if sentences[k].turn_start:
                break
            found.add(k)
    return found
