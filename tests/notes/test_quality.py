"""Notes on spontaneous talk: the held-out conversations of tests/data/notes_dev.

What must hold on every one of them, from its ground-truth text: no junk bullet (one word, a
URL fragment, a filler, under two content words), 3 to 6 bullets, a hook that is a question of
8 to 25 words without fillers, a summary that names real topics, and a chapter near every true
topic change. The figures against the hosts' own notes are in BENCHMARKS.md (notes quality).
"""

from __future__ import annotations

import re
import statistics

import pytest

from showrunner.notes import topics

from .devset import Episode, files, load
from .quality import FILLERS, is_junk, score
from .test_topics import slice_transcript

HELD_OUT = [load(path) for path in files("test")]


@pytest.fixture(scope="module", params=HELD_OUT, ids=lambda e: e.slug)
def drafted(request: pytest.FixtureRequest) -> tuple[Episode, topics.TopicStructure]:
    episode = request.param
    return episode, topics.analyse(episode.transcript, host=episode.host, guests=episode.guests)


def test_at_least_a_third_is_held_out() -> None:
    assert len(HELD_OUT) == 10 and len(files("dev")) == 10


def test_bullets_are_never_junk_and_three_to_six(drafted: tuple[Episode,
                                                               topics.TopicStructure]) -> None:
    _, structure = drafted
    bullets = structure.bullets()
    assert 3 <= len(bullets) <= 6, bullets
    assert not [b for b in bullets if is_junk(b)], bullets


def test_the_hook_is_a_fluent_question(drafted: tuple[Episode, topics.TopicStructure]) -> None:
    _, structure = drafted
    assert structure.hooks, "no hook"
    hook = structure.hooks[0]
    words = re.findall(r"[\w'-]+", hook.lower())
    assert hook.endswith("?") and 8 <= len(hook.split()) <= 25, hook
    assert not {"um", "uh", "erm"} & set(words), hook
    assert not re.search(r"\b(\w+) \1\b", hook.lower()), hook  # no stutter


def test_the_summary_names_topics_not_fragments(drafted: tuple[Episode,
                                                                topics.TopicStructure]) -> None:
    _, structure = drafted
    assert structure.summary.endswith(".") and " about " in structure.summary
    named = structure.summary.split(" about ", 1)[1].rstrip(".")
    assert not any(f in named.lower().split() for f in ("slash", "com", "www")), named
    assert not is_junk(named) and named.lower() not in FILLERS


def test_chapters_are_near_every_true_topic_change() -> None:
    errors = []
    for episode in HELD_OUT:
        structure = topics.analyse(episode.transcript, host=episode.host, guests=episode.guests)
        found = score(list(structure.bullets()), structure.hooks[0] if structure.hooks else "",
                      [c.start for c in structure.chapters], list(episode.bullets), episode.hook,
                      list(episode.boundaries), episode.transcript.duration)
        errors.append(found.chapter_error)
        assert found.chapters_per_10min >= 3, episode.slug
    assert statistics.median(errors) <= 30.0, errors


@pytest.mark.parametrize("episode", HELD_OUT, ids=lambda e: e.slug)
def test_each_part_of_a_series_gets_bullets_and_chapters(episode: Episode) -> None:
    """Cut as a three-part series would be (at the turns nearest each third): every part gets
    3 to 6 bullets of its own and at least 3 chapters for every 10 minutes."""
    turns = [s.start for s in episode.transcript.segments]
    length = episode.transcript.duration
    cuts = [min(turns, key=lambda t, k=k: abs(t - k * length / 3)) for k in (1, 2)]
    for start, end in zip([0.0, *cuts], [*cuts, length], strict=True):
        part = slice_transcript(episode.transcript, start, end)
        structure = topics.analyse(part, host=episode.host, guests=episode.guests)
        bullets = structure.bullets()
        assert 3 <= len(bullets) <= 6 and not [b for b in bullets if is_junk(b)], bullets
        minutes = part.duration / 60
        assert len(structure.chapters) >= 3 * minutes / 10, (minutes, structure.chapters)
