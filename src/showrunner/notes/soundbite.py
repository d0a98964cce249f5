"""The episode's soundbite (podcast:soundbite): the answer to the hook question, 15 to 60 s.

Drafted into notes.md's front matter, where the host may move, retitle or remove it (notes.md
is the host's, so later runs never undo that); the feed reads it from there. Times are
seconds in the published MP3: a split part's transcript is already timed to its MP3, a single
episode's is moved by the show's intro when mastering put one in front.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .. import layout
from ..audio import probe
from ..model import Episode, Show, Transcript
from ..podcast_tags import SOUNDBITE_SECONDS, Soundbite
from .topics import Sentence, split_sentences

MATCH_SHARE = 0.6  # of the hook's words that the question in the transcript must hold
_WORD = re.compile(r"[a-z0-9']+")


def draft_soundbite(transcript: Transcript, hooks: Iterable[str], *,
                    offset: float = 0.0) -> Soundbite | None:
    """The answer that follows the first of `hooks` found as a question in `transcript`,
    cut at sentence ends to 15–60 s and moved by `offset`; None when no hook has one."""
    sentences = split_sentences(transcript)
    for hook in hooks:
        index = _question_index(sentences, hook)
        span = _answer(sentences, index) if index is not None else None
        if span is not None:
            start, end = span
            return Soundbite(round(start + offset, 2), round(end - start, 2), hook.strip())
    return None


def mp3_offset(show: Show, episode: Episode) -> float:
    """Where the transcript's time 0 lies in the published MP3 (see the module docstring)."""
    intro = show.audio.intro
    if episode.source or intro is None or not intro.is_file() or \
            not layout.mastered_audio(episode).is_file():
        return 0.0
    length = probe(intro).duration
    return max(0.0, length - min(show.audio.crossfade_ms / 1000, length / 2))


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def _question_index(sentences: list[Sentence], hook: str) -> int | None:
    wanted = _words(hook)
    best, best_share = None, MATCH_SHARE
    for index, sentence in enumerate(sentences):
        if not sentence.is_question or not wanted:
            continue
        share = len(wanted & _words(sentence.text)) / len(wanted)
        if share >= best_share and (best is None or share > best_share):
            best, best_share = index, share
    return best


def _answer(sentences: list[Sentence], index: int) -> tuple[float, float] | None:
    """(start, end) of the answer after the question at `index`: from the next speaker's first
    sentence (the next sentence, in a talk with one voice) through whole sentences up to 60 s,
    while that answer lasts; None when it is shorter than 15 s."""
    asker = sentences[index].speaker
    voices = {s.speaker for s in sentences}
    after = sentences[index + 1:]
    if len(voices) > 1:
        after = after[next((i for i, s in enumerate(after) if s.speaker != asker), len(after)):]
    shortest, longest = SOUNDBITE_SECONDS
    if not after:
        return None
    start, end = after[0].start, after[0].end
    for sentence in after[1:]:
        if (len(voices) > 1 and sentence.speaker == asker) or sentence.end - start > longest:
            break
        end = sentence.end
    end = min(end, start + longest)
    return (start, end) if end - start >= shortest else None
