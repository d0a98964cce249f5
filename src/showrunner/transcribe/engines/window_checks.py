"""Whether a window Whisper decoded can be trusted, and how long its text may be: faster-whisper's
own checks, which its batched pipeline does not apply, and a loop check of ours."""

from __future__ import annotations

import math
from typing import Any

from . import said

CLIP_SECONDS = 30  # Whisper hears 30 seconds at a time
# faster-whisper's own limits for a window that failed (its sequential decoding then tries
# again at higher temperatures): text this repetitive, or decoded this unsurely, unless the
# window is most likely silence. The batched pipeline decodes at the first temperature only.
COMPRESSION_RATIO_LIMIT = 2.4
LOG_PROB_LIMIT = -1.0
NO_SPEECH_LIMIT = 0.6
# A window's ratio is over all of its text: a loop in its last seconds ("nah" 36 times after
# 25 s of good speech, measured on an AVX2-only CPU) left it at 2.34. So a window also fails
# when one phrase of up to LOOP_PHRASE_WORDS words repeats back to back over LOOP_WORDS words
# or more, which no speaker does; a false alarm only costs decoding the window once more.
LOOP_PHRASE_WORDS = 4
LOOP_WORDS = 12
# A passage decoded alone may write at the rate of the model's own limit (`most_tokens`), plus
# END_TOKENS for its timestamps and end. A prompt holds up to half that limit in earlier text,
# and at most PROMPT_TOKENS marks around it (previous text, start of transcript, language,
# task, no timestamps).
END_TOKENS = 16
PROMPT_TOKENS = 5


def failed(window: Any) -> bool:
    """Whether a batched window's text fails faster-whisper's own checks (see the limits)."""
    if window.compression_ratio > COMPRESSION_RATIO_LIMIT or loops(window.text):
        return True
    return window.avg_logprob < LOG_PROB_LIMIT and window.no_speech_prob <= NO_SPEECH_LIMIT


def loops(text: str) -> bool:
    """Whether some phrase of up to LOOP_PHRASE_WORDS words repeats back to back over at least
    LOOP_WORDS words of `text` (case and punctuation aside): a decoder caught in a loop."""
    words = [word for w in text.split() if (word := said(w))]
    for size in range(1, LOOP_PHRASE_WORDS + 1):
        repeated = 0  # words in a row equal to the word `size` before them
        for i in range(size, len(words)):
            repeated = repeated + 1 if words[i] == words[i - size] else 0
            if repeated + size >= LOOP_WORDS:
                return True
    return False


def most_tokens(seconds: float, max_length: int, hotwords: bool) -> int | None:
    """The most tokens `seconds` of speech decoded alone may take: Whisper's densest text,
    `max_length` tokens in a CLIP_SECONDS window, and a few more for the end of the text.
    None (the model's own limit) where a cap might not leave room for the prompt: faster-whisper
    refuses a prompt and cap longer than `max_length` together, and the prompt holds up to half
    of it in earlier text, and as much again in hotwords."""
    cap = math.ceil(seconds * max_length / CLIP_SECONDS) + END_TOKENS
    room = max_length - max_length // 2 - PROMPT_TOKENS
    return None if hotwords or cap > room else cap
