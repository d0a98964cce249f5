"""Reading and writing transcripts: transcript.json and the formats derived from it.

The transcribe stage owns the rendering of SRT, WebVTT, Podcasting 2.0 JSON, text and HTML;
every other stage reads transcript.json through `load`.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

from . import atomic
from .errors import ConfigError
from .layout import TRANSCRIPT_FORMATS, TRANSCRIPT_JSON
from .model import Segment, Transcript


def load(path: Path) -> Transcript:
    """Read transcript.json; a malformed file gets a one-line error naming it."""
    if not path.is_file():
        raise ConfigError("no transcript yet", path=path,
                          hint=f"run 'showrunner transcribe {path.parent.name}' first")
    try:
        return Transcript.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"transcript is malformed ({type(exc).__name__}: {exc})", path=path,
                          hint="regenerate it with 'showrunner transcribe --force'") from exc


def save_json(transcript: Transcript, path: Path) -> None:
    """Write transcript.json atomically."""
    atomic.write_text(path, json.dumps(transcript.to_dict(), ensure_ascii=False, indent=1) + "\n")


# ---------------------------------------------------------------- derived formats
#
# Every format is rendered from transcript.json's content alone, so `write_all` can rebuild
# them at any time. Speakers are segment.speaker names (full names); the "Name: paragraph"
# formats print first names, as the show's transcripts do, unless two speakers share one.


class Paragraph(NamedTuple):
    """One paragraph of the readable transcript: a speaker turn, or part of a long one."""

    speaker: str | None
    text: str
    start: float
    end: float


class Cue(NamedTuple):
    """One caption: at most two short lines of one speaker, a few seconds long."""

    speaker: str | None
    text: str
    start: float
    end: float


class _Token(NamedTuple):
    text: str
    start: float
    end: float


CUE_MAX_CHARS = 84  # two lines of 42, the usual caption limit
CUE_MAX_SECONDS = 7.0
CUE_MIN_CHARS = 30  # a sentence end closes a caption once it holds this much
PC20_VERSION = "1.0.0"
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")


def paragraphs(transcript: Transcript, max_words: int = 250) -> list[Paragraph]:
    """One paragraph per speaker turn; a turn over `max_words` is broken at sentence ends into
    paragraphs of at most `max_words` words (a longer sentence alone is cut between words)."""
    result: list[Paragraph] = []
    for speaker, segments in _turns(transcript.segments):
        tokens = [token for segment in segments for token in _timed_tokens(segment)]
        for chunk in _pack(_sentences(tokens), max_words):
            result.append(Paragraph(speaker, " ".join(t.text for t in chunk),
                                    chunk[0].start, chunk[-1].end))
    return result


def cues(transcript: Transcript) -> list[Cue]:
    """Caption cues: within one segment, at most CUE_MAX_CHARS and CUE_MAX_SECONDS each,
    with times made monotonic and clamped to the audio's duration."""
    result: list[Cue] = []
    for segment in transcript.segments:
        current: list[_Token] = []
        for token in _timed_tokens(segment):
            if current and _too_long(current, token):
                cut = _break_point(current)
                result.append(_cue(segment.speaker, current[:cut]))
                current = current[cut:]
            current.append(token)
            if _SENTENCE_END.search(token.text) and len(_joined(current)) >= CUE_MIN_CHARS:
                result.append(_cue(segment.speaker, current))  # a new sentence, a new caption
                current = []
        if current:
            result.append(_cue(segment.speaker, current))
    return _monotonic(result, transcript.duration)


def speaker_labels(transcript: Transcript) -> dict[str, str]:
    """Full name -> the name printed before a paragraph: the first name unless it is shared."""
    names = list(dict.fromkeys(s.speaker for s in transcript.segments if s.speaker))
    firsts = [name.split()[0] if name.split() else name for name in names]
    return {name: first if firsts.count(first) == 1 else name
            for name, first in zip(names, firsts, strict=True)}


def to_text(transcript: Transcript, max_words: int = 250) -> str:
    """Plain text: `Name: paragraph`, paragraphs separated by a blank line."""
    labels = speaker_labels(transcript)
    blocks = [f"{labels[p.speaker]}: {p.text}" if p.speaker else p.text
              for p in paragraphs(transcript, max_words)]
    return "\n\n".join(blocks) + "\n" if blocks else ""


def to_html(transcript: Transcript, max_words: int = 250) -> str:
    """A small standalone HTML page: one `<p><strong>Name:</strong> …</p>` per paragraph."""
    labels = speaker_labels(transcript)
    body = []
    for p in paragraphs(transcript, max_words):
        name = f"<strong>{html.escape(labels[p.speaker])}:</strong> " if p.speaker else ""
        body.append(f'<p data-start="{p.start:.2f}">{name}{html.escape(p.text)}</p>')
    return ("<!DOCTYPE html>\n"
            f'<html lang="{html.escape(transcript.language or "en")}">\n'
            '<head>\n<meta charset="utf-8">\n<title>Transcript</title>\n</head>\n'
            '<body>\n<article class="transcript">\n' + "\n".join(body) +
            "\n</article>\n</body>\n</html>\n")


def to_srt(transcript: Transcript) -> str:
    """SubRip captions; the speaker's name opens the first cue of each turn."""
    labels = speaker_labels(transcript)
    blocks, previous = [], None
    for index, cue in enumerate(cues(transcript), start=1):
        name = f"{labels[cue.speaker]}: " if cue.speaker and cue.speaker != previous else ""
        previous = cue.speaker
        blocks.append(f"{index}\n{_clock(cue.start, ',')} --> {_clock(cue.end, ',')}\n"
                      f"{_two_lines(name + cue.text)}\n")
    return "\n".join(blocks)


def to_vtt(transcript: Transcript) -> str:
    """WebVTT captions with `<v Full Name>` voice tags."""
    blocks = ["WEBVTT\n"]
    for cue in cues(transcript):
        text = _vtt_escape(_two_lines(cue.text))
        if cue.speaker:
            text = f"<v {_vtt_escape(cue.speaker).replace('>', '')}>{text}"
        blocks.append(f"{_clock(cue.start, '.')} --> {_clock(cue.end, '.')}\n{text}\n")
    return "\n".join(blocks)


def to_pc20_json(transcript: Transcript) -> str:
    """The Podcasting 2.0 JSON transcript: `{version, segments: [{speaker, startTime, endTime,
    body}]}`, one segment per caption cue (no speaker key while speakers are unknown)."""
    segments = []
    for cue in cues(transcript):
        item: dict[str, object] = {"speaker": cue.speaker} if cue.speaker else {}
        item.update(startTime=round(cue.start, 3), endTime=round(cue.end, 3), body=cue.text)
        segments.append(item)
    return json.dumps({"version": PC20_VERSION, "segments": segments},
                      ensure_ascii=False, indent=1) + "\n"


_RENDERERS: dict[str, Callable[[Transcript], str]] = {
    "srt": to_srt, "vtt": to_vtt, "pc20": to_pc20_json, "txt": to_text, "html": to_html}
# Every format the layout names, by file name, with the function that writes it.
FORMATS: dict[str, Callable[[Transcript], str]] = {
    f.file: _RENDERERS[f.kind] for f in TRANSCRIPT_FORMATS}


def write_all(transcript: Transcript, folder: Path) -> list[Path]:
    """Write transcript.json and every derived format into `folder`, each atomically.

    transcript.json goes last: it is what says "up to date", so an interrupted run is redone.
    """
    written = write_published(transcript, folder)
    save_json(transcript, folder / TRANSCRIPT_JSON)
    return [*written, folder / TRANSCRIPT_JSON]


def write_published(transcript: Transcript, folder: Path) -> list[Path]:
    """Write the formats apps and pages read (not transcript.json), each atomically."""
    written = []
    for name, render in FORMATS.items():
        atomic.write_text(folder / name, render(transcript))
        written.append(folder / name)
    return written


def shifted(transcript: Transcript, seconds: float) -> Transcript:
    """`transcript` with every time moved by `seconds` (e.g. past an intro put in front)."""
    def move(t: float) -> float:
        return round(t + seconds, 3)

    return transcript.with_segments(tuple(
        replace(s, start=move(s.start), end=move(s.end),
                words=tuple(replace(w, start=move(w.start), end=move(w.end)) for w in s.words))
        for s in transcript.segments), duration=move(transcript.duration))


def _turns(segments: Iterable[Segment]) -> list[tuple[str | None, list[Segment]]]:
    turns: list[tuple[str | None, list[Segment]]] = []
    for segment in segments:
        if turns and turns[-1][0] == segment.speaker:
            turns[-1][1].append(segment)
        else:
            turns.append((segment.speaker, [segment]))
    return turns


def _timed_tokens(segment: Segment) -> list[_Token]:
    """The segment's words with times: the recognizer's word times when they line up with the
    text, else spread over the segment in proportion to their length."""
    texts = segment.text.split()
    if len(segment.words) == len(texts):
        return [_Token(text, w.start, w.end) for text, w in zip(texts, segment.words, strict=True)]
    total = sum(len(t) + 1 for t in texts) or 1
    span, cursor, tokens = segment.end - segment.start, 0, []
    for text in texts:
        start = segment.start + span * cursor / total
        cursor += len(text) + 1
        tokens.append(_Token(text, start, segment.start + span * cursor / total))
    return tokens


def _sentences(tokens: list[_Token]) -> list[list[_Token]]:
    sentences: list[list[_Token]] = [[]]
    for token in tokens:
        sentences[-1].append(token)
        if _SENTENCE_END.search(token.text):
            sentences.append([])
    return [s for s in sentences if s]


def _pack(sentences: list[list[_Token]], max_words: int) -> list[list[_Token]]:
    chunks: list[list[_Token]] = []
    current: list[_Token] = []
    for sentence in sentences:
        if current and len(current) + len(sentence) > max_words:
            chunks.append(current)
            current = []
        while len(sentence) > max_words:  # one sentence longer than a paragraph
            chunks.append(sentence[:max_words])
            sentence = sentence[max_words:]
        current = current + sentence
    return [*chunks, current] if current else chunks


def _cue(speaker: str | None, tokens: list[_Token]) -> Cue:
    return Cue(speaker, _joined(tokens), tokens[0].start, tokens[-1].end)


def _joined(tokens: list[_Token]) -> str:
    return " ".join(t.text for t in tokens)


def _too_long(current: list[_Token], token: _Token) -> bool:
    return (len(_joined(current)) + 1 + len(token.text) > CUE_MAX_CHARS
            or token.end - current[0].start > CUE_MAX_SECONDS)


def _break_point(tokens: list[_Token]) -> int:
    """Where a full caption is best cut: after the last comma or clause end in its second
    half, else at its end."""
    for index in range(len(tokens) - 1, len(tokens) // 2 - 1, -1):
        if tokens[index].text[-1:] in ",;:.!?…":
            return index + 1
    return len(tokens)


def _monotonic(items: list[Cue], duration: float) -> list[Cue]:
    # Word times from the recognizer can overlap across segments by a few hundredths and run a
    # little past the end of the audio; captions must not.
    result: list[Cue] = []
    floor = 0.0
    limit = max(duration, 0.0)
    for cue in items:
        start = min(max(cue.start, floor), limit)
        end = min(max(cue.end, start + 0.01), limit)
        if end <= start:
            continue
        result.append(cue._replace(start=start, end=end))
        floor = end
    return result


def _clock(seconds: float, separator: str) -> str:
    millis = int(round(max(seconds, 0.0) * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _two_lines(text: str, width: int = 42) -> str:
    if len(text) <= width:
        return text
    words, best = text.split(), None
    for cut in range(1, len(words)):  # the most balanced break between two lines
        first, second = " ".join(words[:cut]), " ".join(words[cut:])
        score = max(len(first), len(second))
        if best is None or score < best[0]:
            best = (score, f"{first}\n{second}")
    return best[1] if best else text


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
