"""Show-notes quality against the notes_dev references (all cosines are MiniLM, unit vectors).

- recall: fraction of reference bullets matched by some generated bullet at cosine >= 0.5
- precision: fraction of generated bullets that match some reference bullet at cosine >= 0.5
- junk: generated bullets that are a single generic word, a URL fragment ("com slash",
  "dot com", "www"), a filler, or have under two content words (non-stopword tokens)
- hook: cosine of the generated hook with the reference hook (0 when there is none)
- chapter error: for each true boundary, seconds to the nearest generated chapter start
  (starts at 0 excluded); the median over the episode's boundaries
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from showrunner.notes.embeddings import STOPWORDS, embed

MATCH = 0.5
FILLERS = {"um", "uh", "erm", "hmm", "mm", "mhm", "mm-hmm", "like", "yeah", "okay", "ok", "right",
           "so", "well", "you know", "i mean", "kind of", "sort of", "so yeah", "anyway",
           "basically", "literally", "totally", "sure"}
STOP = set(STOPWORDS) | set(ENGLISH_STOP_WORDS) | {w for f in FILLERS for w in f.split()}
_URL = re.compile(r"\b(?:com|org|net|io)\s+slash\b|\bdot\s+(?:com|org|net|io)\b|\bwww\b|"
                  r"\.(?:com|org|net|io)\b|https?:|/\w", re.IGNORECASE)
_TOKEN = re.compile(r"[a-z0-9][a-z0-9'-]*")


def content_words(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text.lower()) if t.strip("'-") not in STOP]


def is_junk(bullet: str) -> bool:
    text = bullet.strip().lower().strip(" .,!?;:\"'")
    if not text:
        return True
    if _URL.search(bullet):
        return True
    if text in FILLERS or " ".join(_TOKEN.findall(text)) in FILLERS:
        return True
    if len(text.split()) == 1:
        return True
    return len(content_words(text)) < 2


def vectors(texts: list[str]) -> np.ndarray:
    vectors, method = embed(list(texts))
    assert method == "all-MiniLM-L6-v2", method
    return vectors


@dataclass(frozen=True)
class Scores:
    recall: float
    precision: float
    junk: int
    hook: float
    chapter_error: float  # median seconds
    n_bullets: int
    n_chapters: int
    chapters_per_10min: float
    hook_words: int


def score(generated_bullets: list[str], generated_hook: str, chapter_starts: list[float],
          ref_bullets: list[str], ref_hook: str, true_boundaries: list[float],
          duration: float) -> Scores:
    gen = [b for b in generated_bullets if b and b.strip()]
    if gen:
        vg, vr = vectors(gen), vectors(list(ref_bullets))
        sim = vg @ vr.T
        recall = float((sim.max(axis=0) >= MATCH).mean())
        precision = float((sim.max(axis=1) >= MATCH).mean())
    else:
        recall = precision = 0.0
    junk = sum(is_junk(b) for b in gen)
    if generated_hook and generated_hook.strip():
        v = vectors([generated_hook, ref_hook])
        hook = float(v[0] @ v[1])
    else:
        hook = 0.0
    starts = [s for s in chapter_starts if s > 0]
    if true_boundaries:
        distances = [min((abs(b - s) for s in starts), default=b) for b in true_boundaries]
        error = float(statistics.median(distances))
    else:
        error = 0.0
    return Scores(recall, precision, junk, hook, error, len(gen), len(chapter_starts),
                  len(chapter_starts) / (duration / 600.0), len(generated_hook.split()))
