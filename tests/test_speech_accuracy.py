"""The WER helpers the transcribe tests and benchmarks share."""

from __future__ import annotations

from .speech_accuracy import errors_by_line, measure

SCRIPT = ["The mill delivers flour every week.", "We keep a week of flour in the storeroom."]


def test_errors_by_line_add_up_to_the_wer() -> None:
    heard = "the meal delivers every week and we keep a week of flower in the store room"
    lines = errors_by_line(SCRIPT, heard)
    errors, words = sum(e for e, _ in lines), sum(w for _, w in lines)
    assert words == measure(SCRIPT, heard).reference_words
    assert errors / words == measure(SCRIPT, heard).wer


def test_each_error_counts_on_the_line_where_it_falls() -> None:
    # "meal" for "mill" and a lost "flour" on the first line; "flower" on the second.
    heard = "the meal delivers every week we keep a week of flower in the storeroom"
    assert errors_by_line(SCRIPT, heard) == [(2, 6), (1, 9)]
    assert errors_by_line(SCRIPT, " ".join(SCRIPT)) == [(0, 6), (0, 9)]
