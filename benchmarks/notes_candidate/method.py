"""CANDIDATE, not wired into `showrunner notes` yet: the method measured against today's in
BENCHMARKS.md (notes quality). Draft show notes (bullets, hook, chapters, summary) from a
spontaneous-talk transcript.

    draft(transcript, host, guests) -> dict(bullets=[...], hook=str, chapters=[(start, title)],
                                            summary=str)

Pipeline: timed sentences -> disfluency cleaning -> welcome / sponsor read / outro found by cue
phrases -> topics by dynamic programming over MiniLM sentence vectors (coherence minus a cost per
topic, a bonus where a speaker turn or a "So, ..." opens) -> per topic, c-TF-IDF key words and
YAKE-style key phrases (no stopword at an edge, a noun at the end), the phrase around the top key
word nearest the topic's centre becomes the bullet -> the hook is the episode's most central clean
question, or one built from the two main topics -> chapters are the topics plus the sponsor break
and the wrap-up.  Needs lemminflect (word forms) and scikit-learn (stop words).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import lemminflect
import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from showrunner.model import Transcript
from showrunner.notes.embeddings import STOPWORDS as _SR_STOP
from showrunner.notes.embeddings import embed
from showrunner.notes.spoken import clean_text, has_url

# ---------------------------------------------------------------- cleaning spoken text
# Disfluencies only: these rules delete fillers, tag questions, stutters, false starts.

# Cleaning is showrunner's own (notes.spoken), which this candidate first wrote.


_SENT = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    return [s for s in _SENT.split(" ".join(text.split())) if s.strip()]

_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_CACHE: dict[str, np.ndarray] = {}


def vec(texts: list[str]) -> np.ndarray:
    """MiniLM unit vectors, one row per text (each distinct text embedded once per process)."""
    todo = list(dict.fromkeys(t for t in texts if t not in _CACHE))
    if todo:
        vectors, _ = embed(todo)
        _CACHE.update(zip(todo, vectors))
    if not texts:
        return np.zeros((0, 384))
    return np.array([_CACHE[t] for t in texts])


@dataclass
class Sent:
    start: float
    end: float
    speaker: str | None
    raw: str
    turn: int  # index of the speaker turn
    turn_start: bool
    text: str = ""  # cleaned of fillers and false starts
    tight: str = ""  # also of hedges ("really", "basically"): for phrases
    kind: str = "talk"  # talk | intro | sponsor | outro

    @property
    def words(self) -> int:
        return len(self.text.split())

    @property
    def question(self) -> bool:
        return self.raw.rstrip("\"'”’) ").endswith("?")


# ---------------------------------------------------------------- sentences


def sentences(transcript: Transcript) -> list[Sent]:
    out: list[Sent] = []
    turn = -1
    previous = "\0"
    for seg in transcript.segments:
        words = [(w.start, w.end, w.text.strip()) for w in seg.words if w.text.strip()]
        if not words:
            tokens = seg.text.split()
            step = (seg.end - seg.start) / max(1, len(tokens))
            words = [(seg.start + i * step, seg.start + (i + 1) * step, tok)
                     for i, tok in enumerate(tokens)]
        if not words:
            continue
        new_turn = seg.speaker != previous
        if new_turn:
            turn += 1
        previous = seg.speaker
        current: list[tuple[float, float, str]] = []
        pieces = []
        for w in words:
            current.append(w)
            if _END.search(w[2]):
                pieces.append(current)
                current = []
        if current:
            pieces.append(current)
        for piece in pieces:
            raw = " ".join(p[2] for p in piece)
            if out and not new_turn and not _END.search(out[-1].raw):  # segment broke mid-sentence
                out[-1].raw += " " + raw
                out[-1].end = piece[-1][1]
                continue
            out.append(Sent(piece[0][0], piece[-1][1], seg.speaker, raw, turn, new_turn))
            new_turn = False
    for s in out:
        s.text = clean_text(s.raw)
    return out


# ---------------------------------------------------------------- housekeeping: intro, ads, outro

_INTRO = re.compile(r"(?i:\bwelcome|\bthanks for having|\bthank you for having|\bhaving me\b|"
                    r"\bmy guests?\b|\bour guests?\b|\bjoining (?:me|us)\b|\bwith me today\b|"
                    r"\btoday i've got\b|\bif you're new\b|\bbefore we (?:start|get|dive)\b|"
                    r"\bepisode notes\b|\bshow notes\b|\bjust me today\b|\bno guest|"
                    r"\bi'm here with\b|\btwo guests\b|\btoday\b|\bthis week\b|\bthis episode\b)|"
                    r"\b(?:[Tt]his is|I'm|[Ii]t's) (?:[Tt]he )?[A-Z]\w+")
_SPONSOR = re.compile(r"\b(?:brought to you by|sponsored by|supported by|sponsor|promo code|use code|"
                      r"word from|free (?:month|trial)|percent off|listeners get|"
                      r"(?:quick|short) (?:break|pause)|take a (?:quick )?break|do the ad)\b",
                      re.IGNORECASE)
_SPONSOR_STRONG = re.compile(r"\b(?:brought to you by|sponsored by|supported by|sponsor(?:ed)?|"
                             r"promo code|use code)\b", re.IGNORECASE)
_BACK = re.compile(r"\b(?:back to it|back to the (?:conversation|show|interview)|anyway, back|"
                   r"okay, back|where were we)\b", re.IGNORECASE)
_OUTRO = re.compile(r"\b(?:thank you(?: so much| both| all)?|thanks (?:so much|for (?:listening|coming|"
                    r"joining|being))|that's the show|that's it for|gonna do it for|"
                    r"where (?:can|do|should) (?:people|folks|listeners)|find you|"
                    r"see you next|next week|leave a review|subscribe|share (?:it|this|the episode)|"
                    r"until next time|that's all for|we're (?:way )?over time|"
                    r"let you get back|we could keep you)\b", re.IGNORECASE)


def _turn_range(sents: list[Sent], i: int) -> tuple[int, int]:
    a = i
    while a > 0 and sents[a - 1].turn == sents[i].turn:
        a -= 1
    b = i
    while b + 1 < len(sents) and sents[b + 1].turn == sents[i].turn:
        b += 1
    return a, b


def mark_housekeeping(sents: list[Sent], duration: float, names: tuple[str, ...] = ()) -> None:
    """Label the welcome, sponsor reads and the outro (`kind`), in place; `names` are the
    guests' (and co-hosts') names, whose introduction belongs to the welcome."""
    n = len(sents)
    spoken: set[str] = set()

    def introduces(s: Sent) -> bool:  # names someone who has not spoken yet
        return any(re.search(rf"\b{re.escape(part)}\b", s.raw) for nm in names if nm not in spoken
                   for part in nm.split() if len(part) > 2)
    # welcome: up to the last intro cue (or URL) in the opening stretch, the reply to it, and
    # any short remarks after that
    window = max(75.0, 0.12 * duration)
    last = -1
    for i, s in enumerate(sents):
        if s.start > window:
            break
        if _INTRO.search(s.raw) or has_url(s.raw) or introduces(s):
            last = i
        if s.speaker:
            spoken.add(s.speaker)
    if last >= 0:
        j = last + 1
        if j < n and sents[j].turn != sents[last].turn and _turn_words(sents, j) < 30:
            j = _turn_range(sents, j)[1] + 1  # the guest answers the introduction
        while j < n and sents[j].words < 8 and sents[j].start - sents[last].end < 20:
            j += 1
        for k in range(j):
            sents[k].kind = "intro"
    # outro: from the turn holding the first outro cue in the closing stretch
    tail = max(60.0, 0.15 * duration)
    end_time = sents[-1].end
    for i, s in enumerate(sents):
        if s.start < end_time - tail or s.kind != "talk":
            continue
        if _OUTRO.search(s.raw) or (has_url(s.raw) and i > n - 8):
            a, _ = _turn_range(sents, i)
            if s.start - sents[a].start > 25.0:  # a monologue: the outro starts at the cue
                a = i
            for k in range(a, n):
                sents[k].kind = "outro"
            break
    # sponsor reads: the turn holding a strong cue (from its start when the cue comes early)
    i = 0
    while i < n:
        s = sents[i]
        if s.kind == "talk" and _SPONSOR_STRONG.search(s.raw):
            a, b = _turn_range(sents, i)
            if i - a > 3:  # the read starts mid-turn: at the cue, or a "quick break" just before
                a = i - 1 if i > 0 and _SPONSOR.search(sents[i - 1].raw) else i
            stop = i  # the read ends with its last link or cue, or at "back to it"
            for k in range(i, b + 1):
                if sents[k].start - s.start > 90.0:
                    break
                if _BACK.search(sents[k].raw):
                    stop = k
                    break
                if _SPONSOR.search(sents[k].raw) or has_url(sents[k].raw):
                    stop = k
            if stop < b and sents[stop + 1].words <= 6 and _BACK.search(sents[stop + 1].raw):
                stop += 1
            if b - stop <= 1 and sum(x.words for x in sents[stop + 1:b + 1]) < 12:
                stop = b
            k = stop + 1
            while k < n and sents[k].kind == "talk" and sents[k].speaker != s.speaker:
                ka, kb = _turn_range(sents, k)
                # Only cues from k on: one before k would send k back, and loop for ever.
                cues = [m for m in range(k, kb + 1) if m - ka < 8 and (
                    _SPONSOR.search(sents[m].raw) or has_url(sents[m].raw))]
                if cues:  # a co-host carries on the read
                    k = cues[-1] + 1
                    if kb - cues[-1] <= 1 and sum(x.words for x in sents[k:kb + 1]) < 12:
                        k = kb + 1
                elif _turn_words(sents, k) < 14:  # "Still here." after the read
                    k = kb + 1
                else:
                    break
            for m in range(a, k):
                if sents[m].kind == "talk":
                    sents[m].kind = "sponsor"
            i = k
            continue
        i += 1


def _turn_words(sents: list[Sent], i: int) -> int:
    a, b = _turn_range(sents, i)
    return sum(s.words for s in sents[a:b + 1])


# ---------------------------------------------------------------- topic segmentation

MIN_TOPIC_SECONDS = 45.0
TOPIC_PENALTY = 22.0  # in word-weighted cosine units: what a new topic must gain in coherence
TURN_BONUS = 6.0


def _weights(sents: list[Sent]) -> np.ndarray:
    # a backchannel ("Yeah.", "Right.") says nothing about the topic
    return np.array([max(0.0, s.words - 2.0) for s in sents])


def _opens(sents: list[Sent], i: int, host: str | None) -> float:
    """Prior bonus for a topic starting at sentence i."""
    s = sents[i]
    bonus = 0.0
    if s.turn_start and _turn_words(sents, i) >= 12:
        bonus += TURN_BONUS * (1.5 if s.speaker == host else 1.0)
    if re.match(r"(?i)(?:so|okay|alright|all right|now|and so)\b", s.raw) and s.words >= 6:
        bonus += TURN_BONUS * 0.5
    return bonus


def segment(sents: list[Sent], vectors: np.ndarray, host: str | None, *,
            penalty: float = TOPIC_PENALTY, min_seconds: float = MIN_TOPIC_SECONDS) -> list[int]:
    """Indices (into sents) where topics start, the first one 0, by dynamic programming."""
    n = len(sents)
    if n < 2:
        return [0]
    w = _weights(sents)
    prefix = np.vstack([np.zeros(vectors.shape[1]), np.cumsum(vectors * w[:, None], axis=0)])
    starts = [s.start for s in sents] + [sents[-1].end]
    bonus = [_opens(sents, i, host) for i in range(n)]
    best = [0.0] + [-math.inf] * n
    back = [0] * (n + 1)
    for b in range(1, n + 1):
        for a in range(b):
            if best[a] == -math.inf:
                continue
            length = starts[b] - starts[a]
            if length < min_seconds and not (a == 0 and b == n):
                continue
            score = best[a] + float(np.linalg.norm(prefix[b] - prefix[a])) - penalty + \
                (bonus[a] if a > 0 else 0.0)
            if score > best[b]:
                best[b], back[b] = score, a
    if best[n] == -math.inf:
        return [0]
    cuts, b = [], n
    while b > 0:
        cuts.append(back[b])
        b = back[b]
    return sorted(cuts)


def stretches(sents: list[Sent]) -> list[tuple[str, int, int]]:
    """Runs of one kind: (kind, first index, last index + 1)."""
    runs: list[list[Any]] = []
    for i, s in enumerate(sents):
        if runs and runs[-1][0] == s.kind:
            runs[-1][2] = i + 1
        else:
            runs.append([s.kind, i, i + 1])
    return [(str(kind), int(first), int(end)) for kind, first, end in runs]


def structure(transcript: Transcript, host: str | None, guests: tuple[str, ...], *,
              penalty: float = TOPIC_PENALTY):
    sents = sentences(transcript)
    names = tuple(g for g in guests) + tuple(s for s in {x.speaker for x in sents}
                                             if s and s != host and s not in guests)
    mark_housekeeping(sents, transcript.duration, names)
    vectors = vec([s.text or s.raw for s in sents])
    topics = []  # (kind, a, b)
    for kind, a, b in stretches(sents):
        if kind != "talk":
            topics.append((kind, a, b))
            continue
        cuts = segment(sents[a:b], vectors[a:b], host, penalty=penalty)
        for x, y in zip(cuts, [*cuts[1:], b - a]):
            topics.append(("talk", a + x, a + y))
    return sents, vectors, topics


# ---------------------------------------------------------------- key phrases


_NOT_EDGE = {"stuff", "thing", "things", "kind", "gonna", "wanna", "gotta", "yeah", "okay", "ok",
             "right", "honestly", "basically", "literally", "pretty", "really", "actually",
             "totally", "like", "um", "uh", "oh", "hey", "hi", "alright", "dunno", "anyway",
             "anything", "something", "everything", "nothing", "everybody", "somebody",
             "anybody", "nobody", "someone", "anyone", "everyone", "bit", "sure", "yes", "huh",
             "wow", "mean", "means", "said", "say", "says", "saying", "tell", "told", "think",
             "thought", "know", "knew", "guess", "mm", "hmm", "gosh", "god", "man", "ha", "wait",
             "sort", "sorta", "kinda", "want", "wanted", "maybe", "probably", "definitely", "exactly", "certainly",
             "course", "just", "still", "guy", "guys", "way", "ways", "fine",
             "cool", "nice", "funny", "weird", "crazy", "whatever", "part", "point"}
# generic words: may stand at an edge, but say little about a topic
_VAGUE = {"time", "times", "day", "days", "year", "years", "week", "weeks", "month", "months",
          "people", "person", "good", "great", "big", "little", "whole", "real", "true", "get",
          "got", "getting", "go", "going", "went", "come", "came", "want", "wanted", "feel",
          "felt", "look", "looked", "make", "made", "happen", "happened", "use", "used", "put",
          "take", "took", "talk", "talking", "ask", "asked", "try", "tried", "work", "works",
          "worked", "need", "needed", "keep", "kept", "give", "gave", "new", "old", "first",
          "last", "long", "bad", "best", "better", "hard", "easy", "able", "idea", "question",
          "problem", "number", "numbers", "money", "home", "house", "family", "job", "show",
          "episode", "podcast", "today"}
STOP = frozenset(ENGLISH_STOP_WORDS) | _SR_STOP | {"gonna", "wanna", "gotta", "ya", "y'know",
                                                  "i'd", "i'll", "i'm", "i've", "you'd", "it'd"}
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")
_NUMBER = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
           "eleven", "twelve", "fifteen", "twenty", "thirty", "forty", "fifty", "sixty",
           "hundred", "thousand", "first", "second", "third"}


def lemma(word: str) -> str:
    w = word.lower().replace("’", "'")
    forms = lemminflect.getAllLemmas(w)
    for pos in ("NOUN", "VERB", "ADJ"):
        if pos in forms:
            return forms[pos][0]
    return w


def is_content(word: str) -> bool:
    """May stand at the edge of a key phrase."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    return w not in STOP and w not in _NOT_EDGE and len(w) > 1


def informative(word: str) -> bool:
    return is_content(word) and word.lower() not in _VAGUE


_BREAK = {"what", "which", "who", "whom", "whose", "that", "but", "because", "so", "if", "when",
          "where", "while", "though", "although", "i", "you", "he", "she", "we", "they", "it",
          "me", "him", "us", "them", "is", "are", "was", "were", "be", "been", "am", "do", "does",
          "did", "have", "has", "had", "will", "would", "can", "could", "should", "then", "than",
          "there", "here", "this", "these", "those", "not", "never", "or", "how", "why"}
_A_LOT = re.compile(r"\b(?:a|whole|quite a) lot\b|\blots of\b", re.IGNORECASE)


def nounish(word: str) -> bool:
    """Could end a noun phrase: a noun (per the lemminflect lexicon), an unknown word or a number."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s") or w in {"best", "better", "worst", "worse", "most", "least", "more",
                                 "less", "own", "enough", "else", "much", "many"}:
        return False
    forms = lemminflect.getAllLemmas(w)
    return not forms or "NOUN" in forms or w[:1].isdigit()


def can_be_verb_only(word: str) -> bool:
    forms = lemminflect.getAllLemmas(word.lower())
    return bool(forms) and set(forms) <= {"VERB", "AUX"}


def spans(sentence: str, *, longest: int = 9) -> list[list[str]]:
    """Word spans inside one clause that start on a content word and end on a noun (YAKE-style
    boundaries: no stopword at either end, no pronoun or clause word inside)."""
    out = []
    sentence = _A_LOT.sub(" ~ ", sentence)
    for clause in re.split(r"[,;:.!?…~]+|\s[-–—]\s", sentence):
        words = _WORD.findall(clause)
        for i, first in enumerate(words):
            if not is_content(first) or first.lower().endswith(("'s", "’s")):
                continue
            for j in range(i + 1, min(len(words), i + longest)):
                if words[j].lower() in _BREAK:
                    break
                last = words[j]
                if not is_content(last) or not nounish(last):
                    continue
                piece = words[i:j + 1]
                if sum(is_content(w) for w in piece) >= 2 and any(informative(w) for w in piece):
                    out.append(piece)
    return out


# ---------------------------------------------------------------- wording: bullets

MAX_BULLETS = 6
MIN_BULLETS = 3
MAX_BULLET_WORDS = 12
_CAP = re.compile(r"^[A-Z][a-z]")
_URLISH = re.compile(r"\b(?:dot|slash|com|www|http)\b", re.IGNORECASE)


@dataclass
class Topic:
    kind: str
    a: int
    b: int
    start: float
    end: float
    terms: list[str] = field(default_factory=list)
    centre: np.ndarray | None = None
    bullet: str = ""
    head: str = ""


def proper_names(sents: list[Sent], people: tuple[str, ...]) -> set[str]:
    """Lower-cased words written capitalised mid-sentence more often than not, and people's names."""
    caps: Counter[str] = Counter()
    lows: Counter[str] = Counter()
    for s in sents:
        for w in _WORD.findall(s.tight)[1:]:
            (caps if _CAP.match(w) else lows)[w.lower()] += 1
    names = {w for w in caps if caps[w] > lows[w]}
    names |= {part.lower() for p in people for part in p.split()}
    return names


def topic_terms(topics: list[Topic], sents: list[Sent], names: set[str]) -> None:
    """c-TF-IDF (as BERTopic): each topic's words by how much more it uses them than the rest."""
    counts = []
    for t in topics:
        c: Counter[str] = Counter()
        for s in sents[t.a:t.b]:
            for w in _WORD.findall(s.tight):
                if informative(w) and w.lower() not in names and not _URLISH.match(w):
                    c[lemma(w)] += 1
        counts.append(c)
    total: Counter[str] = Counter()
    for c in counts:
        total.update(c)
    average = float(np.mean([sum(c.values()) for c in counts])) if counts else 1.0
    for t, c in zip(topics, counts):
        weight = {w: n * math.log(1 + average / total[w]) for w, n in c.items() if n >= 2}
        t.terms = sorted(weight, key=lambda w: (-weight[w], w))[:8]


def _shape(words: list[str]) -> str:
    """A key phrase as a bullet: verb first -> gerund ("pulled every alert" -> "Pulling every
    alert"), first letter capitalised."""
    words = list(words)
    first = words[0].lower()
    forms = lemminflect.getAllLemmas(first)
    nxt = words[1].lower() if len(words) > 1 else ""
    if "VERB" in forms and ("NOUN" not in forms or nxt in {"the", "a", "an", "your", "their", "my",
                                                           "our", "his", "her", "every", "each",
                                                           "to", "up", "down", "off", "out"}) \
            and not first.endswith("ing") and not nxt.endswith("ing"):
        gerund = lemminflect.getInflection(forms["VERB"][0], "VBG")
        if gerund:
            words[0] = gerund[0]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def word_topic(t: Topic, sents: list[Sent]) -> None:
    """The topic's bullet: the phrase around its key word that best stands for the topic's talk,
    with a second key phrase when the first is short."""
    pool: Counter[str] = Counter()
    for s in sents[t.a:t.b]:
        if s.kind != "talk":
            continue
        for piece in spans(s.tight, longest=7):
            if not _URLISH.search(" ".join(piece)):
                pool[" ".join(piece)] += 1
    if not pool:
        return
    lemmas = {p: {lemma(w) for w in _WORD.findall(p)} for p in pool}
    wanted = [p for p in pool if lemmas[p] & set(t.terms[:4])] or list(pool)
    vectors = vec(wanted)
    key = {w: 1.0 - k / 8 for k, w in enumerate(t.terms)}
    score = vectors @ t.centre
    score += np.array([PHRASE_NOUNISH * noun_phrase_like(p) - PHRASE_LENGTH * len(p.split()) -
                       PHRASE_VAGUE * (p.split()[0].lower() in _VAGUE) +
                       PHRASE_KEYS * sum(key.get(w, 0.0) for w in lemmas[p]) for p in wanted])
    rank = {p: float(s) for p, s in zip(wanted, score)}

    def best(term: str | None, exclude: frozenset[str] | set[str] = frozenset(), nounish_only: bool = False):
        options = [p for p in wanted if (term is None or term in lemmas[p]) and
                   not (lemmas[p] & exclude) and (not nounish_only or noun_phrase_like(p))]
        return max(options, key=lambda p: (rank[p], p)) if options else None

    head = (best(t.terms[0]) if t.terms else None) or best(None)
    if head is None:
        return
    t.head = head
    bullet = _shape(head.split())
    if len(head.split()) < 4 and noun_phrase_like(head):
        for term in t.terms[1:4]:
            if term in lemmas[head]:
                continue
            second = best(term, lemmas[head] - STOP, nounish_only=True)
            if second and len(head.split()) + len(second.split()) + 1 <= 9:
                bullet = f"{bullet} and {second}"
                break
    t.bullet = bullet


PHRASE_NOUNISH = 0.05
PHRASE_LENGTH = 0.0
PHRASE_KEYS = 0.0
PHRASE_VAGUE = 0.05
_FINITE = {"is", "are", "was", "were", "has", "had", "does", "did", "doesn't", "don't", "didn't",
           "isn't", "wasn't", "can't", "won't", "it's", "that's", "there's", "you're", "they're",
           "we're", "i'm", "he's", "she's", "you've", "we've", "they've"}


def finite_verb(word: str) -> bool:
    """An inflected verb form that cannot be a noun or adjective ("came", "said", "starts")."""
    w = word.lower().replace("’", "'")
    if w in _FINITE:
        return True
    forms = lemminflect.getAllLemmas(w)
    return "VERB" in forms and "NOUN" not in forms and "ADJ" not in forms and \
        forms["VERB"][0] != w and not w.endswith("ing")


def noun_phrase_like(phrase: str) -> bool:
    """No finite verb after the first word, not starting with a bare number."""
    words = phrase.split()
    return not any(finite_verb(w) for w in words[1:]) and words[0].lower() not in _NUMBER


# ---------------------------------------------------------------- wording: hook


def _question_candidates(sents: list[Sent]) -> list[int]:
    out = []
    for i, s in enumerate(sents):
        if s.kind != "talk" or not s.question:
            continue
        q = _as_question(clean_text(s.raw, strong=True))
        n = len(q.split())
        if q.endswith("?") and 8 <= n <= 25 and \
                not re.search(r"(?i)\b(?:thank|welcome|find you|bye)\b|^(?:i|i'll|i'm|we)\b", q):
            out.append(i)
    return out


def hook(sents: list[Sent], topics: list[Topic], centre: np.ndarray, host: str | None) -> str:
    """The episode's central question: the host's (else anyone's) question nearest the whole
    talk, cleaned; without one, a question built from the two main topics."""
    cands = _question_candidates(sents)
    if cands:
        texts = [_as_question(clean_text(sents[i].raw, strong=True)) for i in cands]
        vectors = vec(texts)
        score = vectors @ centre + np.array([0.05 if sents[i].speaker == host else 0.0
                                             for i in cands])
        k = int(np.argmax(score))
        if score[k] >= HOOK_MIN_FIT:
            return texts[k]
    heads = [_shape(t.head.split()) for t in sorted(
        (t for t in topics if t.kind == "talk" and t.head and noun_phrase_like(t.head) and
         len(t.head.split()) <= 5), key=lambda t: t.start - t.end)][:2]
    heads = [h if _CAP.match(h.split()[0][1:2] or "a") else h[:1].lower() + h[1:] for h in heads]
    if len(heads) == 2:
        return f"What should you know about {heads[0]} and {heads[1]}?"
    if heads:
        return f"What does it really take to get {heads[0]} right?"
    return ""


HOOK_MIN_FIT = 0.45


def _as_question(text: str) -> str:
    text = re.sub(r"^(?:(?:which is|and|but|so|or|because)\b[, ]*)+", "", text, flags=re.I).strip()
    text = re.sub(r",\s*(?:though|then|anyway)\?$", "?", text, flags=re.I)
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------- the draft

CHAPTER_TITLES = {"intro": "Introduction", "sponsor": "Sponsor break", "outro": "Wrap-up"}


def draft(transcript: Transcript, host: str, guests: tuple[str, ...] = (), *,
          penalty: float = TOPIC_PENALTY) -> dict:
    sents, vectors, spans_ = structure(transcript, host, guests, penalty=penalty)
    if not sents:
        return dict(bullets=[], hook="", chapters=[], summary="")
    for s in sents:
        s.tight = clean_text(s.raw, strong=True)
    topics = []
    for kind, a, b in spans_:
        w = _weights(sents[a:b])
        c = (vectors[a:b] * w[:, None]).sum(axis=0) if w.sum() > 0 else vectors[a:b].sum(axis=0)
        topics.append(Topic(kind, a, b, sents[a].start, sents[b - 1].end,
                            centre=c / (np.linalg.norm(c) or 1.0)))
    people = tuple(p for p in {s.speaker for s in sents} if p) + tuple(guests)
    topic_terms(topics, sents, proper_names(sents, people))
    talk = [t for t in topics if t.kind == "talk"]
    for t in talk:
        word_topic(t, sents)
    bullets = choose_bullets([t for t in talk if t.bullet])
    # chapters
    chapters: list[tuple[float, str]] = []
    for t in topics:
        title = CHAPTER_TITLES.get(t.kind) or t.bullet or "Conversation"
        if chapters and chapters[-1][1] == title:
            continue
        chapters.append((round(t.start, 2), title))
    if chapters:
        chapters[0] = (0.0, chapters[0][1])
    allw = np.array([max(0.0, s.words - 2.0) if s.kind == "talk" else 0.0 for s in sents])
    centre = (vectors * allw[:, None]).sum(axis=0)
    centre = centre / (np.linalg.norm(centre) or 1.0)
    return dict(bullets=bullets, hook=hook(sents, topics, centre, host), chapters=chapters,
                summary=summary(host, guests, bullets))


BULLET_SAME = 0.7


def choose_bullets(worded: list[Topic]) -> list[str]:
    """The longest topics' bullets, in talk order, one per subject (a topic that comes back,
    or was split in two, gets one bullet); 3 to 6 of them when there is enough talk."""
    longest = sorted(worded, key=lambda t: (t.start - t.end, t.start))
    vectors = vec([t.bullet for t in longest]) if longest else np.zeros((0, 384))
    chosen: list[int] = []
    for i in range(len(longest)):
        if len(chosen) < MAX_BULLETS and all(vectors[i] @ vectors[j] < BULLET_SAME for j in chosen):
            chosen.append(i)
    for i in range(len(longest)):  # too few subjects: take back the near-repeats
        if len(chosen) < MIN_BULLETS and i not in chosen:
            chosen.append(i)
    return [longest[i].bullet for i in sorted(chosen, key=lambda i: longest[i].start)]


def summary(host: str, guests: tuple[str, ...], bullets: list[str]) -> str:
    first = host.split()[0] if host else "The host"
    if not bullets:
        return ""
    items = [b[:1].lower() + b[1:] if not _CAP.match(b.split()[0][1:2] or "a") else b
             for b in bullets[:3]]
    about = ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else items[0]
    who = f"{first} talks with {_names(guests)}" if guests else f"{first} talks"
    return f"{who} about {about}."


def _names(given: tuple[str, ...]) -> str:
    names = [n for n in given if n]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"
