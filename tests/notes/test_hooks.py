"""The hook: the host's question that stands for the talk, else one built from its topics."""

from __future__ import annotations

from showrunner.notes import hooks
from showrunner.notes.embeddings import embed
from showrunner.notes.topics import Sentence

HOST, GUEST = "Jason Reed", "Mary Chen"


def _sentences(lines: list[tuple[str, str]]) -> list[Sentence]:
    return [Sentence(10.0 * i, 10.0 * i + 9.0, who, text, i == 0 or lines[i - 1][0] != who)
            for i, (who, text) in enumerate(lines)]


def test_the_hosts_question_that_stands_for_the_talk_is_the_hook() -> None:
    sentences = _sentences([
        (HOST, "Um, so how do you keep a sourdough starter alive through a cold winter kitchen?"),
        (GUEST, "I feed the starter every morning and keep the jar near the oven in winter."),
        (GUEST, "A hungry starter smells like nail polish, but it is not dead."),
        (GUEST, "Did I ever tell you about my neighbour?"),
    ])
    vectors, _ = embed([s.text for s in sentences])
    found = hooks.hook_candidates(sentences, vectors, host=HOST, openers={0},
                                  fallback=["Feeding the starter", "Winter kitchens"])
    assert found[0] == "How do you keep a sourdough starter alive through a cold winter kitchen?"


def test_a_talk_without_a_fitting_question_gets_one_naming_its_two_main_topics() -> None:
    sentences = _sentences([
        (HOST, "Today I want to walk through how I price a loaf of bread."),
        (HOST, "Flour, butter and electricity all go into the price before my own hours."),
        (HOST, "Then there is the second shop we open next spring near the station."),
    ])
    vectors, _ = embed([s.text for s in sentences])
    found = hooks.hook_candidates(sentences, vectors, host=HOST,
                                  fallback=["Pricing a loaf of bread", "Opening a second shop",
                                            "Closing on Mondays"])
    assert found == ("What should you know about pricing a loaf of bread and opening a second "
                     "shop?",)
    assert hooks.HOOK_WORDS[0] <= len(found[0].split()) <= hooks.HOOK_WORDS[1]
    one = hooks.hook_candidates(sentences, vectors, host=HOST, fallback=["Pricing bread"])
    assert one == ("What does it really take to get pricing bread right?",)
    long = ["Pricing a loaf by adding up flour, butter, electricity and packaging",
            "Opening a second shop near the train station with no ovens at all"]
    assert hooks.hook_candidates(sentences, vectors, host=HOST, fallback=long) == \
        ("What does it really take to get pricing a loaf by adding up flour, butter, "
         "electricity and packaging right?",)  # both would run past HOOK_WORDS
    same = ["Pricing bread", "Pricing bread"]
    assert hooks.hook_candidates(sentences, vectors, host=HOST, fallback=same) == one
