"""Key phrases that name a topic when the host never asked about it in so many words.

Spontaneous talk rarely announces its topics, so a topic's bullet comes from what was said in
it: the words it uses more than the rest of the episode (c-TF-IDF, as BERTopic weighs them),
then the phrase around its top word that lies nearest the topic's meaning (KeyBERT-style,
with the MiniLM vectors the notes already use). Phrases have YAKE-style edges: no stopword at
either end, no pronoun or clause word inside, a noun at the end. Word forms come from
lemminflect's lexicon, not from hand-written English rules.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Sequence

import lemminflect
import numpy as np

from . import spoken
from .embeddings import STOPWORDS, embed

MAX_PHRASE_WORDS = 7
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")
_CAP = re.compile(r"^[A-Z][a-z]")
_URLISH = re.compile(r"\b(?:dot|slash|com|www|http)\b", re.IGNORECASE)
_A_LOT = re.compile(r"\b(?:a|whole|quite a) lot\b|\blots of\b", re.IGNORECASE)
# Never at the edge of a phrase: fillers, hedges, vague pronouns, verbs of saying.
_NOT_EDGE = set(["stuff", "thing", "things", "kind", "gonna", "wanna", "gotta", "yeah", "okay", "ok", "right", "honestly", "basically", "literally", "pretty", "really", "actually", "totally", "like", "um", "uh", "oh", "hey", "hi", "alright", "dunno", "anyway", "anything", "something", "everything", "nothing", "everybody", "somebody", "anybody", "nobody", "someone", "anyone", "everyone", "bit", "sure", "yes", "huh", "wow", "mean", "means", "said", "say", "says", "saying", "tell", "told", "think", "thought", "know", "knew", "guess", "mm", "hmm", "gosh", "god", "man", "ha", "wait", "sort", "sorta", "kinda", "want", "wanted", "maybe", "probably", "definitely", "exactly", "certainly", "course", "just", "still", "guy", "guys", "way", "ways", "fine", "cool", "nice", "funny", "weird", "crazy", "whatever", "part", "point"])
# Generic words: allowed at an edge, but they say little about a topic.
_VAGUE = set(["time", "times", "day", "days", "year", "years", "week", "weeks", "month", "months", "people", "person", "good", "great", "big", "little", "whole", "real", "true", "get", "got", "getting", "go", "going", "went", "come", "came", "feel", "felt", "look", "looked", "make", "made", "happen", "happened", "use", "used", "put", "take", "took", "talk", "talking", "ask", "asked", "try", "tried", "work", "works", "worked", "need", "needed", "keep", "kept", "give", "gave", "new", "old", "first", "last", "long", "bad", "best", "better", "hard", "easy", "able", "idea", "question", "problem", "number", "numbers", "money", "home", "house", "family", "job", "show", "episode", "podcast", "today"])
# Words that end a phrase's clause: a bullet never runs across them.
_BREAK = set(["what", "which", "who", "whom", "whose", "that", "but", "because", "so", "if", "when", "where", "while", "though", "although", "i", "you", "he", "she", "we", "they", "it", "me", "him", "us", "them", "is", "are", "was", "were", "be", "been", "am", "do", "does", "did", "have", "has", "had", "will", "would", "can", "could", "should", "then", "than", "there", "here", "this", "these", "those", "not", "never", "or", "how", "why"])
_NUMBERS = set(["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "fifteen", "twenty", "thirty", "forty", "fifty", "sixty", "hundred", "thousand", "first", "second", "third"])
_DETERMINERS = {"the", "a", "an", "your", "their", "my", "our", "his", "her", "every", "each",
                "to", "up", "down", "off", "out"}
_NOT_NOUN_END = {"best", "better", "worst", "worse", "most", "least", "more", "less", "own",
                 "enough", "else", "much", "many"}
_SPOKEN_STOP = {"gonna", "wanna", "gotta", "ya", "y'know", "i'd", "i'll", "i'm", "i've", "you'd",
                "it'd"}


@functools.cache
def stop_words() -> frozenset[str]:
    """Ours, scikit-learn's English list and spoken contractions. Imported when first needed:
    importing sklearn costs about a second, which every `showrunner` command that only finds
    its stages up to date would otherwise pay."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(STOPWORDS | ENGLISH_STOP_WORDS | _SPOKEN_STOP)


def lemma(word: str) -> str:
    """The dictionary form: noun first, then verb, then adjective."""
    w = word.lower().replace("’", "'")
    forms = lemminflect.getAllLemmas(w)
    for pos in ("NOUN", "VERB", "ADJ"):
        if pos in forms:
            return str(forms[pos][0])
    return w


def is_content(word: str) -> bool:
    """May stand at the edge of a key phrase."""
    w = word.lower().replace("’", "'").removesuffix("'s")
    return w not in stop_words() and w not in _NOT_EDGE and len(w) > 1


def informative(word: str) -> bool:
    return is_content(word) and word.lower() not in _VAGUE


def _nounish(word: str) -> bool:
    """Could end a noun phrase: a noun in lemminflect's lexicon, an unknown word or a number."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s") or w in _NOT_NOUN_END:
        return False
    forms = lemminflect.getAllLemmas(w)
    return not forms or "NOUN" in forms or w[:1].isdigit()


def _finite_verb(word: str) -> bool:
    """An inflected verb that cannot be a noun or adjective ("came", "said", "starts")."""
    w = word.lower().replace("’", "'")
    forms = lemminflect.getAllLemmas(w)
    return ("'" in w and w.split("'")[-1] in {"s", "re", "m", "ve"}) or (
        "VERB" in forms and "NOUN" not in forms and "ADJ" not in forms
        and forms["VERB"][0] != w and not w.endswith("ing"))


def noun_phrase_like(phrase: str) -> bool:
    """No finite verb after the first word, not opening with a bare number."""
    words = phrase.split()
    return not any(_finite_verb(w) for w in words[1:]) and words[0].lower() not in _NUMBERS


def spans(sentence: str) -> list[str]:
    """Candidate phrases inside each clause of `sentence`."""
    found = []
    for clause in re.split(r"[,;:.!?…~]+|\s[-–—]\s", _A_LOT.sub(" ~ ", sentence)):
        words = _WORD.findall(clause)
        for i, first in enumerate(words):
            if not is_content(first) or first.lower().endswith(("'s", "’s")):
                continue
            for j in range(i + 1, min(len(words), i + MAX_PHRASE_WORDS)):
                if words[j].lower() in _BREAK:
                    break
                piece = words[i:j + 1]
                if is_content(words[j]) and _nounish(words[j]) and \
                        sum(map(is_content, piece)) >= 2 and any(map(informative, piece)):
                    found.append(" ".join(piece))
    return [p for p in found if not _URLISH.search(p)]


def proper_names(texts: Sequence[str], people: Sequence[str]) -> set[str]:
    """Lower-cased words mostly written capitalised mid-sentence, and the speakers' names:
    a bullet about "Dave" says nothing to a listener who has not heard the episode."""
    caps: Counter[str] = Counter()
    lows: Counter[str] = Counter()
    for text in texts:
        for word in _WORD.findall(text)[1:]:
            (caps if _CAP.match(word) else lows)[word.lower()] += 1
    return {w for w in caps if caps[w] > lows[w]} | \
        {part.lower() for person in people for part in person.split()}


def topic_terms(topics: Sequence[Sequence[str]], names: set[str], top: int = 8) -> list[list[str]]:
    """Each topic's words (lemmas), by how much more it uses them than the episode does."""
    counts = [Counter(lemma(w) for text in texts for w in _WORD.findall(text)
                      if informative(w) and w.lower() not in names and not _URLISH.match(w))
              for texts in topics]
    total: Counter[str] = Counter()
    for count in counts:
        total.update(count)
    average = float(np.mean([sum(c.values()) for c in counts])) if counts else 1.0
    ranked = []
    for count in counts:
        weight = {w: n * math.log(1 + average / total[w]) for w, n in count.items() if n >= 2}
        ranked.append(sorted(weight, key=lambda w: (-weight[w], w))[:top])
    return ranked


def shape(phrase: str) -> str:
    """A key phrase as a bullet: a leading verb becomes a gerund ("pulled every alert" ->
    "Pulling every alert"), and the first letter a capital."""
    words = phrase.split()
    first, after = words[0].lower(), (words[1].lower() if len(words) > 1 else "")
    forms = lemminflect.getAllLemmas(first)
    if "VERB" in forms and ("NOUN" not in forms or after in _DETERMINERS) \
            and not first.endswith("ing") and not after.endswith("ing"):
        gerund = lemminflect.getInflection(forms["VERB"][0], "VBG")
        words[0] = gerund[0] if gerund else words[0]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def best_phrases(texts: Sequence[str], terms: Sequence[str], centre: np.ndarray,
                 method: str | None = None, limit: int = 3) -> list[str]:
    """Up to `limit` phrases of the topic, best first, each around a different top term.
    `centre` is the topic's mean sentence vector by `method` (MiniLM or TF-IDF)."""
    pool = list(dict.fromkeys(p for text in texts if not spoken.is_housekeeping(text)
                              for p in spans(spoken.clean_text(text, strong=True))))
    if not pool:
        return []
    lemmas = {p: {lemma(w) for w in _WORD.findall(p)} for p in pool}
    wanted = [p for p in pool if lemmas[p] & set(terms[:4])] or pool
    vectors, used = embed(wanted, method)
    if used != method or vectors.shape[1] != centre.shape[0]:
        # TF-IDF vectors only compare within one vocabulary: the topic's text and its phrases.
        joint, _ = embed([" ".join(texts), *wanted], used)
        centre, vectors = joint[0], joint[1:]
    fit = {p: float(v @ centre) + 0.05 * noun_phrase_like(p) - 0.05 * (p.split()[0].lower()
                                                                         in _VAGUE)
           for p, v in zip(wanted, vectors, strict=True)}
    chosen: list[str] = []
    for term in [*terms[:4], None]:
        options = [p for p in wanted if (term is None or term in lemmas[p]) and
                   not any(lemmas[p] & lemmas[c] - stop_words() for c in chosen)]
        if options and len(chosen) < limit:
            chosen.append(max(options, key=lambda p: (fit[p], p)))
    return [shape(p) for p in chosen]
