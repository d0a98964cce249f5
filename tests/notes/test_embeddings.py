"""MiniLM sentence vectors are remembered by text, so split's second pass over the same
sentences (each part's chapters) does not run the model again."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from showrunner.notes import embeddings

SENTENCES = ["We started the bakery in a garage.", "Sourdough needs a patient starter.",
             "Our first oven came from an auction.", "Rent doubled in the second year."]


class Counting:
    """The real model, counting the texts it is asked to encode."""

    def __init__(self, model: Any) -> None:
        self.model, self.texts = model, 0

    def encode(self, texts: list[str], **options: Any) -> Any:
        self.texts += len(texts)
        return self.model.encode(texts, **options)


@pytest.fixture
def model(monkeypatch: pytest.MonkeyPatch) -> Counting:
    real = embeddings._minilm()
    if real is None:
        pytest.skip("sentence-transformers (the topics extra) is not installed")
    counting = Counting(real)
    monkeypatch.setattr(embeddings, "_minilm", lambda: counting)
    monkeypatch.setattr(embeddings, "_known", type(embeddings._known)())
    return counting


def test_sentences_met_before_are_not_encoded_again(model: Counting) -> None:
    first, _ = embeddings.embed(SENTENCES[:3])
    again, method = embeddings.embed([SENTENCES[2], SENTENCES[3], SENTENCES[1], SENTENCES[3]])
    assert method == embeddings.MINILM and model.texts == 4  # three, then only the new one
    fresh = np.asarray(model.model.encode([SENTENCES[2], SENTENCES[3], SENTENCES[1], SENTENCES[3]],
                                          normalize_embeddings=True))
    assert again.shape == (4, fresh.shape[1]) and again.dtype == np.float64
    assert np.allclose(again, fresh, atol=1e-5)
    assert np.array_equal(again[0], first[2]) and np.array_equal(again[1], again[3])


def test_the_least_recently_used_are_forgotten(model: Counting,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embeddings, "REMEMBERED", 2)
    embeddings.embed(SENTENCES[:2])
    embeddings.embed([SENTENCES[0]])  # now the most recently used
    embeddings.embed([SENTENCES[2]])
    assert list(embeddings._known) == [SENTENCES[0], SENTENCES[2]]
    before = model.texts
    embeddings.embed([SENTENCES[1]])
    assert model.texts == before + 1


def test_tfidf_vectors_depend_on_the_call_and_are_not_remembered(model: Counting) -> None:
    alone, _ = embeddings.embed(SENTENCES[:2], embeddings.TFIDF)
    together, _ = embeddings.embed(SENTENCES, embeddings.TFIDF)
    assert not embeddings._known and model.texts == 0
    assert alone.shape[1] != together.shape[1]
