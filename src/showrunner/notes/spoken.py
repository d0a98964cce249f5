"""Spoken text made fit to print: fillers, tag questions, stutters and false starts removed;
spoken URLs and sponsor reads recognised so they never become a topic or a hook."""

from __future__ import annotations

import re

_TLD = r"(?:com|org|net|io|fm|dev|show|app|co|tv|ly|us|ai|info|biz|edu)"
# "quota talk dot com slash ramp", "www dot", "at slash start"
SPOKEN_URL = re.compile(rf"\bdot\s+{_TLD}\b|\bwww\b|\b{_TLD}\s+slash\b|\bat\s+slash\s+\w+|"
                        rf"\bhttps?\b|\b[a-z0-9-]+\.{_TLD}\b", re.IGNORECASE)
SPONSOR = re.compile(r"\b(?:brought to you by|sponsored by|supported by|today's sponsor|"
                     r"our sponsor|promo code|use code|percent off|free trial)\b", re.IGNORECASE)

_F = r"(?:um+|uh+|erm+|er|hmm+|mm+|mhm|uh-huh|mm-hmm)"
_FILLER_WORD = re.compile(rf"(?:^|(?<=[\s,.;!?]))(?:{_F})(?:[,.]|(?=\s)|$)\s*", re.IGNORECASE)
_DISCOURSE = r"(?:you know|i mean|like|right|okay|ok|so|well|basically|honestly|literally|" \
             r"actually|kind of|sort of|anyway|yeah|you see|i guess|i think|i dunno|" \
             r"i don't know|genuinely|seriously|obviously)"
_DELIMITED = re.compile(rf",\s*{_DISCOURSE}\s*,\s*", re.IGNORECASE)  # ", you know, "
# A false start keeps only the restart: "how'd you, how did you get" -> "how did you get".
_FALSE_START = re.compile(r"\b(i|we|you|they|he|she|it|how|what|why|where|when|who|which|there|"
                          r"do|does|did|is|are|was|can|could|would|should)(?:'\w+)?"
                          r"((?:\s+[\w']+){0,2}),\s+(?=\1\b)", re.IGNORECASE)
_OPENING = re.compile(rf"^(?:(?:{_DISCOURSE}|and|but|oh|now|alright|all right|hey|look|"
                      rf"see|because|cause|'cause|then|also)\b[,]?\s+)+", re.IGNORECASE)
_TAG_END = re.compile(r",\s*(?:right|you know|yeah|okay|huh|no)\s*[?.!]$", re.IGNORECASE)
# "kind of" as a hedge, not in "what kind of seed"
_HEDGE = re.compile(r"(?<!\bwhat )(?<!\bwhich )(?<!\bthis )(?<!\bthat )(?<!\bsome )(?<!\bany )"
                    r"(?<!\bone )(?<!\bthe )(?<!\ba )(?<!\bsame )\b(?:kind of|sort of|kinda|sorta)"
                    r"\s+", re.IGNORECASE)
_LIKE = re.compile(r"(?<=\s)like,\s+|(?<=,)\s*like\s+(?=(?:a|an|the|this|that|\d|one|two|three|"
                   r"four|five|six|ten|twenty|forty|fifty|half|every|some)\b)", re.IGNORECASE)
_ADVERB_FILLER = re.compile(r"\b(?:basically|literally|honestly|genuinely|just|really|actually|"
                            r"pretty much|totally)\s+", re.IGNORECASE)
_REPEAT = re.compile(r"\b((?:[\w'-]+\s+){0,3}[\w'-]+)(?:,?\s+\1\b)+", re.IGNORECASE)  # "the the"


def has_url(text: str) -> bool:
    return bool(SPOKEN_URL.search(text))


_WELCOME = re.compile(r"\bwelcome (?:to|back)\b|\bthanks for (?:having|listening)\b",
                      re.IGNORECASE)


def is_housekeeping(text: str) -> bool:
    """A sentence that welcomes, gives an address or reads an ad: never the stuff of a bullet."""
    return has_url(text) or bool(SPONSOR.search(text) or _WELCOME.search(text))


def clean_text(text: str, *, strong: bool = False) -> str:
    """`text` without fillers, tag questions, stutters and false starts; `strong` also drops
    hedging adverbs ("really", "basically")."""
    cleaned = " ".join(text.split())
    for _ in range(2):  # a removal can expose another ("so, um, like, the the")
        for pattern in (_FILLER_WORD, _DELIMITED):
            cleaned = pattern.sub(" " if pattern is _DELIMITED else "", cleaned)
        cleaned = _REPEAT.sub(r"\1", cleaned)
        for pattern in (_FALSE_START, _LIKE, _HEDGE):
            cleaned = pattern.sub("", cleaned)
    cleaned = _TAG_END.sub(".", cleaned)
    if strong:
        cleaned = _ADVERB_FILLER.sub("", cleaned)
    cleaned = _OPENING.sub("", cleaned)
    cleaned = re.sub(r"\s+([,.?!;:])", r"\1", cleaned)
    cleaned = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", cleaned)
    cleaned = " ".join(re.sub(r"^[,;:\s.-]+", "", cleaned).split())
    return cleaned[:1].upper() + cleaned[1:]


def as_question(text: str) -> str:
    """A cleaned question without the joining words a spoken one opens with."""
    text = re.sub(r"^(?:(?:which is|and|but|so|or|because)\b[, ]*)+", "", text,
                  flags=re.IGNORECASE).strip()
    text = re.sub(r",\s*(?:though|then|anyway)\?$", "?", text, flags=re.IGNORECASE)
    return text[:1].upper() + text[1:]
