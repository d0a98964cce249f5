"""Whether a window Whisper decoded can be trusted, and how long its text may be."""

from __future__ import annotations

from showrunner.transcribe.engines.window_checks import failed, loops, most_tokens

from ..helpers import batched_window


def test_a_window_failing_whispers_own_checks_has_failed() -> None:
    """Whisper's limits: text too repetitive, or too unsure unless it is most likely silence."""
    assert not failed(batched_window("A sourdough starter is a living culture."))
    assert failed(batched_window("nah " * 36, compression_ratio=3.25))
    assert failed(batched_window("starter it's", avg_logprob=-1.2, no_speech_prob=0.3))
    assert not failed(batched_window("you", avg_logprob=-1.2, no_speech_prob=0.8))
    # A loop at the end of a window whose ratio over all its text stays under the limit.
    looped = ("A sourdough starter is a living culture of wild yeast and bacteria. I feed mine "
              "every morning. The fermentation slows down in a cold kitchen, so in winter I keep "
              + "nah " * 36)
    assert failed(batched_window(looped, compression_ratio=2.34))


def test_a_phrase_repeated_back_to_back_is_a_loop() -> None:
    assert loops("nah " * 12) and loops("I think I think I think I think I think I think")
    assert loops("Okay. " + "and then we " * 4)
    assert loops("Nah… " * 12)  # a trailing-off word is the same word said
    assert not loops("nah " * 11)
    assert not loops("No, no, no, no. Very, very good. I think, I think we should go.")
    assert not loops("A sourdough starter is a living culture of wild yeast and bacteria.")


def test_a_passage_may_write_at_the_rate_of_the_models_own_limit() -> None:
    """448 tokens in 30 seconds, whatever the language, and room for the end."""
    assert most_tokens(10.0, 448, hotwords=False) == 150 + 16
    assert most_tokens(0.5, 448, hotwords=False) == 8 + 16
    # No cap that could leave too little room for a prompt of earlier text (up to 223 tokens
    # and 5 marks) within the model's 448: a long passage, or hotwords on top.
    assert most_tokens(13.5, 448, hotwords=False) == 202 + 16
    assert most_tokens(14.0, 448, hotwords=False) is None
    assert most_tokens(2.0, 448, hotwords=True) is None
