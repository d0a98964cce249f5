"""Turning what the host said into the words of show notes, with plain rules (no model).

"Let's talk about pricing."                  -> "Pricing"
"How do you avoid burnout?"                  -> "Avoiding burnout"
"What advice would you give a new baker?"    -> "What advice Mary would give a new baker"
"Where does your flour come from?"           -> "Where Mary's flour comes from"

Whole sentences go in and whole phrases come out, so a bullet never stops mid-sentence.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .embeddings import STOPWORDS

MAX_BULLET_WORDS = 14
MAX_TITLE_CHARS = 70

_FILLER_START = re.compile(
    r"^(?:(?:so|and|but|okay|ok|well|now|alright|all right|right|um+|uh+|hmm+|yeah|great|"
    r"last question|one more thing|i'm curious|i wonder|then)\b[,.:!]?\s+)+", re.IGNORECASE)
# "you know" and "I mean" are filler only set off by commas: "when did you know" is not
_FILLER_INSIDE = re.compile(r",?\s*\b(?:um+|uh+|erm)\b,?|(?:,\s*|^)(?:you know|i mean),",
                            re.IGNORECASE)
_ABOUT = re.compile(
    r"^(?:let's|let us|i want to|i'd like to|we should|we need to|can we|could we)?\s*"
    r"(?:start with|talk about|turn to|move on to|get into|dig into|talk a bit about|"
    r"come back to|tell me about|tell me a bit about|tell us about|talk about)\s+(?P<np>.+)$",
    re.IGNORECASE)
_YOU_ARE = re.compile(r"^(?:you are|you're|you've been|you have been)\s+(?P<ing>\w+ing)\s+(?P<rest>.+)$",
                      re.IGNORECASE)
_HOW_DO_YOU = re.compile(r"^how (?:do|did|would|will|can|should) you\s+(?P<verb>[a-z]+)(?P<rest>.*)$",
                         re.IGNORECASE)
# The words an open question starts with; one list for every rule below.
_QUESTION_WORDS = r"(?:how|what|why|where|when|which|who)"
_WH = r"(?P<wh>" + _QUESTION_WORDS + r"(?:\s+(?:much|many|long|often|kind of|advice|" \
      r"part|role|mistakes?|lessons?|[a-z]+ing))?)"
_WH_AUX_YOU = re.compile(_WH + r"\s+(?P<aux>do|does|did|would|will|can|could|should|are|were|"
                         r"have|has)\s+(?P<subject>you|your\s+\w+)\s+(?P<rest>.+)$", re.IGNORECASE)
_YESNO_YOU = re.compile(r"^(?P<aux>do|did|would|will|can|could|should|are|were|have)\s+you\s+"
                        r"(?P<rest>.+)$", re.IGNORECASE)
# A real question opens with a question word or an auxiliary; "By then it was, what, two
# weeks later?" only ends with a question mark.
ASKS = re.compile(r"(?i)(?:how|what|why|where|when|who|which|whose|do|does|did|is|are|was|"
                  r"were|can|could|would|should|will|have|has|had|if you)\b")
_SMALL_TALK = re.compile(r"\b(?:thank|thanks|welcome|find you|where can people|joining me|"
                         r"having me|see you|goodbye|bye)\b", re.IGNORECASE)
_IRREGULAR_LIST = """
be:was become:became begin:began break:broke bring:brought build:built buy:bought catch:caught
choose:chose come:came cut:cut deal:dealt do:did draw:drew drive:drove eat:ate fall:fell feel:felt
fight:fought find:found get:got give:gave go:went grow:grew have:had hear:heard hold:held keep:kept
know:knew lead:led learn:learned leave:left lend:lent let:let lose:lost make:made mean:meant
meet:met pay:paid put:put quit:quit read:read ride:rode run:ran say:said see:saw sell:sold
send:sent set:set shut:shut sit:sat sleep:slept speak:spoke spend:spent stand:stood take:took
teach:taught tell:told think:thought throw:threw understand:understood wake:woke win:won
write:wrote"""
_IRREGULAR_PAST = dict(item.split(":") for item in _IRREGULAR_LIST.split())
_ADVERBS = {"ever", "really", "still", "usually", "often", "always", "never", "actually", "just",
            "first", "even", "sometimes"}
_MODAL = {"would", "will", "can", "could", "should"}
_BE = {"are": "is", "were": "was"}


@dataclass(frozen=True)
class Wording:
    """How one topic is named: a chapter `title`, a notes `bullet`, a `label` for a sentence
    (`phrased` when the label was made from the host's words, not from repeated words)."""

    title: str
    bullet: str
    label: str
    phrased: bool = True  # False: the label is only the most repeated words


def word_topic(texts: list[str], by_host: list[bool], topicality: list[float], *,
               guest: str | None) -> Wording:
    """Name a topic from its sentences: the host's most on-topic sentence, rephrased."""
    for text in _ranked(texts, by_host, topicality):
        phrase = noun_phrase(text) or noun_phrase(asked_clause(text))
        if phrase:
            return _wording(phrase, phrase)
        indirect = indirect_question(text, guest) if guest else None
        question = clean_sentence(text) if text.rstrip().endswith("?") else None
        bullet = indirect or question
        if bullet and len(bullet.split()) <= MAX_BULLET_WORDS:
            # an indirect question reads well inside a sentence ("talks about how …")
            label = indirect or _first_clause(text, guest)
            if label:
                return _wording(bullet, label)
            return _wording(bullet, keyphrase(texts) or bullet, phrased=False)
    label = keyphrase(texts) or "the conversation"
    return _wording(_capital(label), label, phrased=False)


def asked_clause(text: str) -> str:
    """"Running a bakery means early mornings, how do you avoid burnout?" -> the question after
    the lead-in (a recognizer often joins a host's lead-in and question with a comma); a
    sentence that opens as a question, or asks nothing, is kept whole."""
    sentence = clean_sentence(text)
    if not sentence.endswith("?") or ASKS.match(sentence):
        return text
    clauses = re.split(r",\s+(?=" + _QUESTION_WORDS + r"\b)", sentence,
                       flags=re.IGNORECASE)
    return _capital(clauses[-1]) if len(clauses) > 1 else text


def _first_clause(question: str, guest: str | None) -> str | None:
    """"Where does X come from, and how did you …?" -> the first half as an indirect question."""
    first = re.split(r",?\s+and\s+(?=" + _QUESTION_WORDS + r"\b)", question,
                     maxsplit=1, flags=re.IGNORECASE)[0]
    if first == question or not guest:
        return None
    return indirect_question(first.rstrip(" ,?") + "?", guest)


def _wording(bullet: str, label: str, *, phrased: bool = True) -> Wording:
    title = bullet if len(bullet) <= MAX_TITLE_CHARS else _capital(label)
    label = re.sub(r"\byour\b", "the", label[:1].lower() + label[1:] if not _proper(label) else label)
    return Wording(title=title, bullet=bullet, label=label, phrased=phrased)


def _ranked(texts: list[str], by_host: list[bool], topicality: list[float]) -> list[str]:
    """The sentences that open this topic (else all of them), best first."""
    rows = opening(texts, by_host) or list(range(len(texts)))
    rows = [i for i in rows if len(clean_sentence(texts[i]).split()) >= 2
            and not is_small_talk(texts[i])]
    return [texts[i] for i in sorted(rows, key=lambda i: -topicality[i])[:3]]


def opening(texts: list[str], by_host: list[bool]) -> list[int]:
    """Indices of the sentences that open a topic: the host's first turn in it, with a question
    put to the other person that opens the topic or follows that turn, whoever the transcript
    says asked it (a diarizer often gives a two-second question to the voice that answers it)."""
    rows: list[int] = []
    for i, (text, host) in enumerate(zip(texts, by_host, strict=True)):
        if host or (asks_the_other(text) and (rows or i == 0)):
            rows.append(i)
        elif rows:
            break
    return rows


def asks_the_other(text: str) -> bool:
    """"How do you avoid burnout?": a question that opens like one and says "you"; not a
    rhetorical "Why does that matter?" nor a tag "right?"."""
    sentence = clean_sentence(text)
    return sentence.endswith("?") and bool(ASKS.match(sentence)) and \
        bool(re.search(r"(?i)\byou(?:r)?\b", sentence)) and not is_small_talk(sentence)


def clean_sentence(text: str) -> str:
    """Drop filler words and the small words that open spoken sentences; tidy spaces."""
    text = " ".join(_FILLER_INSIDE.sub(" ", " ".join(text.split())).split())
    text = _FILLER_START.sub("", text).strip(" ,;:-")
    return _capital(text)


def is_small_talk(text: str) -> bool:
    """Greetings, thanks and sign-offs: never a topic or a hook."""
    return bool(_SMALL_TALK.search(text))


def noun_phrase(text: str) -> str | None:
    """"Let's talk about pricing." -> "Pricing"; "How do you avoid burnout?" -> "Avoiding burnout"."""
    sentence = clean_sentence(text).rstrip(".!?… ")
    match = _ABOUT.match(sentence)
    # "Tell me about hiring, when did you know?": the phrase ends where a new clause begins
    phrase = re.split(r",\s+|\s+(?:and|so|because|when|how|why|what)\s+(?=\w+ (?:you|did|do)\b)",
                      match["np"])[0].strip(" ,") if match else ""
    if phrase and len(phrase.split()) <= 8:
        return _capital(phrase)
    match = _YOU_ARE.match(sentence.split(", ")[0])
    if match and len(match["rest"].split()) <= 8:
        return _capital(f"{match['ing']} {match['rest']}")
    match = _HOW_DO_YOU.match(sentence)
    if match and text.rstrip().endswith("?") and len(match["rest"].split()) <= 9:
        verb = match["verb"].lower()
        if verb not in _MODAL and verb not in STOPWORDS | {"feel"}:
            return _capital(gerund(verb) + match["rest"].replace(" your ", " your "))
    return None


def indirect_question(text: str, guest: str) -> str | None:
    """"What advice would you give?" -> "What advice Mary would give" (None if unsure)."""
    sentence = clean_sentence(text)
    if not sentence.endswith("?"):
        return None
    sentence = sentence.rstrip("?").strip()
    match = _WH_AUX_YOU.match(sentence)
    if match:
        subject = guest if match["subject"].lower() == "you" else \
            f"{guest}'s {match['subject'].split()[1]}"
        clause = _clause(match["aux"].lower(), subject, match["rest"])
        result = f"{_capital(match['wh'].lower())} {clause}" if clause else None
    elif (match := _YESNO_YOU.match(sentence)) is not None:
        clause = _clause(match["aux"].lower(), guest, match["rest"])
        result = f"Whether {clause}" if clause else None
    elif re.match(r"^" + _QUESTION_WORDS + r"\b", sentence, re.IGNORECASE) and \
            re.search(r"\byour\b", sentence, re.IGNORECASE) and \
            not re.search(r"\byou\b", sentence, re.IGNORECASE):
        result = re.sub(r"\byour\b", f"{guest}'s", sentence, count=1, flags=re.IGNORECASE)
    else:
        return None
    if result is None:
        return None
    result = re.sub(r"\byour\b", "their", result, flags=re.IGNORECASE)
    if re.search(r"\byou\b", result, re.IGNORECASE):
        return None
    return result


def _clause(aux: str, subject: str, rest: str) -> str | None:
    words = rest.split()
    if not words:
        return None
    if aux in _MODAL:
        return f"{subject} {aux} {rest}"
    if aux in _BE:
        return f"{subject} {_BE[aux]} {rest}"
    if aux in ("have", "has"):
        return f"{subject} has {rest}"
    adverbs = []
    while len(words) > 1 and words[0].lower() in _ADVERBS:  # "do you ever pay" -> "ever pays"
        adverbs.append(words.pop(0))
    verb, tail = words[0].lower(), " ".join(words[1:])
    if verb in STOPWORDS - {"go", "get", "keep", "do", "make"} and verb not in _IRREGULAR_PAST:
        return None
    inflected = past(verb) if aux == "did" else third_person(verb)
    return " ".join(p for p in (subject, *adverbs, inflected, tail) if p)


def gerund(verb: str) -> str:
    """keep -> keeping, decide -> deciding, plan -> planning, tie -> tying."""
    if verb.endswith("ie"):
        return verb[:-2] + "ying"
    if verb.endswith("e") and not verb.endswith(("ee", "ye", "oe")) and len(verb) > 2:
        return verb[:-1] + "ing"
    if _short_cvc(verb):
        return verb + verb[-1] + "ing"
    return verb + "ing"


def past(verb: str) -> str:
    """find -> found, hire -> hired, stop -> stopped, try -> tried."""
    if verb in _IRREGULAR_PAST:
        return _IRREGULAR_PAST[verb]
    if verb.endswith("e"):
        return verb + "d"
    if re.search(r"[^aeiou]y$", verb):
        return verb[:-1] + "ied"
    if _short_cvc(verb):
        return verb + verb[-1] + "ed"
    return verb + "ed"


def third_person(verb: str) -> str:
    """keep -> keeps, go -> goes, try -> tries, have -> has."""
    if verb == "have":
        return "has"
    if re.search(r"(?:s|sh|ch|x|z|o)$", verb):
        return verb + "es"
    if re.search(r"[^aeiou]y$", verb):
        return verb[:-1] + "ies"
    return verb + "s"


def _short_cvc(verb: str) -> bool:
    return len(verb) <= 4 and bool(re.fullmatch(r"[^aeiou]*[aeiou][^aeiouwxy]", verb))


def keyphrase(texts: list[str]) -> str | None:
    """The most repeated run of one to three content words (no stopword at either end)."""
    counts: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    for text in texts:
        words = re.findall(r"[A-Za-z][A-Za-z'-]*", clean_sentence(text))
        for n in (1, 2, 3):
            for i in range(len(words) - n + 1):
                gram = words[i:i + n]
                if gram[0].lower() in STOPWORDS or gram[-1].lower() in STOPWORDS or \
                        len(gram[-1]) < 3:
                    continue
                key = " ".join(gram).lower()
                counts[key] += n  # a longer phrase that repeats says more
                first_seen.setdefault(key, len(first_seen))
    if not counts:
        return None
    return max(counts, key=lambda k: (counts[k], -first_seen[k]))


def join_names(items: list[str]) -> str:
    """["a"] -> "a"; ["a", "b"] -> "a and b"; ["a", "b", "c"] -> "a, b and c"."""
    items = [i for i in items if i]
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + f" and {items[-1]}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _proper(text: str) -> bool:
    first = text.split()[0] if text.split() else ""
    return first.isupper() and len(first) > 1 or (first[:1].isupper() and first[1:2].isupper())
