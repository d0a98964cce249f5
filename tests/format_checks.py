"""Every transcript format read back by a real parser of it, with its timing rules checked.

SRT by `srt`, WebVTT by `webvtt-py`, the two JSON files by JSON Schema (the schemas are in
tests/schemas/), HTML by lxml. Shared by the format tests and the end-to-end tests.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import srt
import webvtt
from lxml import html as lxml_html

SCHEMAS = Path(__file__).parent / "schemas"


@dataclass(frozen=True)
class Parsed:
    """What the parsers read: (start, end, text) cues and (speaker, text) paragraphs."""

    srt: list[tuple[float, float, str]]
    vtt: list[tuple[float, float, str, str | None]]
    pc20: list[dict[str, Any]]
    text_paragraphs: list[str]
    html_paragraphs: list[str]
    transcript: dict[str, Any]


def schema(name: str) -> dict[str, Any]:
    rules: dict[str, Any] = json.loads((SCHEMAS / name).read_text())
    return rules


def parse_srt(text: str) -> list[tuple[float, float, str]]:
    return [(c.start.total_seconds(), c.end.total_seconds(), c.content)
            for c in srt.parse(text, ignore_errors=False)]


def parse_vtt(text: str) -> list[tuple[float, float, str, str | None]]:
    captions = webvtt.from_buffer(io.StringIO(text))
    return [(_seconds(c.start), _seconds(c.end), c.text, c.voice) for c in captions.captions]


def parse_pc20(text: str) -> list[dict[str, Any]]:
    document = json.loads(text)
    jsonschema.validate(document, schema("pc20-transcript.schema.json"))
    return list(document["segments"])


def parse_html(text: str) -> list[str]:
    tree = lxml_html.document_fromstring(text)
    return [" ".join(p.text_content().split()) for p in tree.iter("p")]


def check_folder(folder: Path, duration: float, *, from_stage: bool = True) -> Parsed:
    """Parse every output in `folder`; assert cues are monotonic and inside `duration`.

    `from_stage`: transcript.json was written by the transcribe stage, so its settings
    record is complete (hand-built transcripts in unit tests have none)."""
    document = json.loads((folder / "transcript.json").read_text(encoding="utf-8"))
    rules = schema("transcript.schema.json")
    if not from_stage:
        rules["properties"]["settings"] = {"type": "object"}
    jsonschema.validate(document, rules)
    parsed = Parsed(
        srt=parse_srt((folder / "transcript.srt").read_text(encoding="utf-8")),
        vtt=parse_vtt((folder / "transcript.vtt").read_text(encoding="utf-8")),
        pc20=parse_pc20((folder / "transcript.pc20.json").read_text(encoding="utf-8")),
        text_paragraphs=[p for p in (folder / "transcript.txt").read_text(
            encoding="utf-8").split("\n\n") if p.strip()],
        html_paragraphs=parse_html((folder / "transcript.html").read_text(encoding="utf-8")),
        transcript=document,
    )
    check_timing([(s, e) for s, e, _ in parsed.srt], duration)
    check_timing([(s, e) for s, e, _, _ in parsed.vtt], duration)
    check_timing([(float(s["startTime"]), float(s["endTime"])) for s in parsed.pc20], duration)
    if from_stage:  # the stage clamps recognizer times; a hand-built transcript may not
        segments = document["segments"]
        check_timing([(s["start"], s["end"]) for s in segments], duration, overlap=0.5)
        for segment in segments:
            check_timing([(w["start"], w["end"]) for w in segment["words"]], duration,
                         overlap=0.05)
    return parsed


def check_timing(spans: list[tuple[float, float]], duration: float, overlap: float = 0.0) -> None:
    """Each span starts at or after the previous one's end (less `overlap`) and lies inside
    [0, duration]."""
    previous_end = 0.0
    for start, end in spans:
        assert 0.0 <= start <= end <= duration + 1e-3, (start, end, duration)
        assert start >= previous_end - overlap - 1e-3, (start, previous_end)
        previous_end = max(previous_end, end)


def _seconds(stamp: str) -> float:
    hours, minutes, seconds = stamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)
