"""A small validator for the show's YAML files: every problem becomes one producer-readable line.

Schemas are trees of `Field`, `Obj`, `ListOf` and `MapOf`. `validate` walks raw YAML and
returns plain Python values, collecting every problem before the caller aborts.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ALLOWED_URL_SCHEMES = ("http://", "https://", "mailto:")


@dataclass(frozen=True)
class Field:
    """A scalar setting. `kind`: text, int, float, bool, date, moment (date and time with its
    offset), url, email, path or choice."""

    kind: str = "text"
    required: bool = False
    example: str = ""
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    multiline: bool = False


@dataclass(frozen=True)
class Obj:
    """A mapping with known keys; an unknown key is an error naming the nearest valid one."""

    fields: dict[str, Any]
    required: bool = False
    example: str = ""


@dataclass(frozen=True)
class ListOf:
    item: Any
    required: bool = False
    example: str = ""
    accept_single: bool = False


@dataclass(frozen=True)
class MapOf:
    value: Field = field(default_factory=Field)
    required: bool = False
    example: str = ""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one field."""

    where: str
    what: str
    fix: str
    line: int | None = None

    def describe(self) -> str:
        at = f"line {self.line}: " if self.line else ""
        name = f"'{self.where}' " if self.where else ""
        return f"{at}{name}{self.what} — {self.fix}"


def validate(raw: Any, schema: Obj, problems: list[Problem]) -> dict[str, Any]:
    """Check `raw` against `schema`; return cleaned values, appending to `problems`."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        problems.append(Problem("", f"should be a mapping of settings, not {_kind_of(raw)}",
                                "write 'key: value' lines at the top level", 1))
        return {}
    return _obj(raw, schema, "", problems, None)


def _obj(raw: dict[Any, Any], schema: Obj, where: str, problems: list[Problem],
         line: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in raw:
        if str(key) not in schema.fields:
            near = difflib.get_close_matches(str(key), list(schema.fields), n=1, cutoff=0.6)
            fix = f"did you mean '{_join(where, near[0])}'?" if near else \
                f"remove it; valid settings here are: {', '.join(schema.fields)}"
            problems.append(Problem(_join(where, str(key)), "is not a known setting", fix,
                                    _line_of(raw, key, line)))
    for name, spec in schema.fields.items():
        path = _join(where, name)
        key_line = _line_of(raw, name, line)
        if name not in raw or raw[name] is None:
            if getattr(spec, "required", False):
                example = getattr(spec, "example", "")
                fix = f"add it, e.g. {name}: {example}" if example else f"add '{name}:'"
                problems.append(Problem(path, "is missing", fix, line))
            continue
        out[name] = _value(raw[name], spec, path, problems, key_line)
    return out


def _value(raw: Any, spec: Any, where: str, problems: list[Problem], line: int | None) -> Any:
    if isinstance(spec, Obj):
        if not isinstance(raw, dict):
            problems.append(Problem(where, f"should be a mapping, not {_kind_of(raw)}",
                                    f"write it as nested 'key: value' lines{_eg(spec)}", line))
            return None
        return _obj(raw, spec, where, problems, line)
    if isinstance(spec, ListOf):
        if spec.accept_single and not isinstance(raw, list):
            raw = [raw]
        if not isinstance(raw, list):
            problems.append(Problem(where, f"should be a list, not {_kind_of(raw)}",
                                    f"write one '- item' per line{_eg(spec)}", line))
            return None
        return [_value(item, spec.item, f"{where}[{i}]", problems, line)
                for i, item in enumerate(raw)]
    if isinstance(spec, MapOf):
        if not isinstance(raw, dict):
            problems.append(Problem(where, f"should be a mapping, not {_kind_of(raw)}",
                                    f"write 'key: value' lines{_eg(spec)}", line))
            return None
        return {str(k): _value(v, spec.value, f"{where}.{k}", problems, _line_of(raw, k, line))
                for k, v in raw.items()}
    return _scalar(raw, spec, where, problems, line)


class _Bad(Exception):
    def __init__(self, what: str, fix: str):
        super().__init__(what)
        self.what, self.fix = what, fix


def _scalar(raw: Any, spec: Field, where: str, problems: list[Problem],
            line: int | None) -> Any:
    check = _CHECKS.get(spec.kind, _text)
    try:
        return check(raw, spec)
    except _Bad as bad:
        problems.append(Problem(where, bad.what, bad.fix, line))
        return None


def _example(spec: Field) -> str:
    return f", e.g. {spec.example}" if spec.example else ""


def _bool(raw: Any, spec: Field) -> bool:
    if isinstance(raw, bool):
        return raw
    raise _Bad(f"should be true or false, not {_shown(raw)}", "write true or false")


def _number(raw: Any, spec: Field) -> int | float:
    whole = spec.kind == "int"
    if isinstance(raw, bool) or not isinstance(raw, int | float) or \
            (whole and not float(raw).is_integer()):
        raise _Bad(f"should be {'a whole number' if whole else 'a number'}, not {_shown(raw)}",
                   f"write a number{_example(spec)}")
    value = int(raw) if whole else float(raw)
    if spec.minimum is not None and value < spec.minimum:
        raise _Bad(f"is {value}, below the minimum {spec.minimum:g}", f"use {spec.minimum:g} or more")
    if spec.maximum is not None and value > spec.maximum:
        raise _Bad(f"is {value}, above the maximum {spec.maximum:g}", f"use {spec.maximum:g} or less")
    return value


def _date(raw: Any, spec: Field) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise _Bad(f"should be a date, not {_shown(raw)}",
                   "write it as YYYY-MM-DD, e.g. 2026-03-10") from None


def _moment(raw: Any, spec: Field) -> dt.datetime:
    """A moment with its UTC offset, written as ISO 8601 (`2026-03-10T09:30:00+01:00`)."""
    try:
        value = raw if isinstance(raw, dt.datetime) else dt.datetime.fromisoformat(str(raw))
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise _Bad(f"should be a date and time with its UTC offset, not {_shown(raw)}",
                   "write it as 'YYYY-MM-DDTHH:MM:SS+00:00' in quotes")
    return value


def _text(raw: Any, spec: Field) -> str:
    if isinstance(raw, dict | list) or raw is None:
        raise _Bad(f"should be text, not {_kind_of(raw)}", f"write a single value{_example(spec)}")
    text = str(raw).lower() if isinstance(raw, bool) else str(raw)
    control = _control_character(text, spec.multiline)
    if control:
        raise _Bad(f"contains a control character ({control})", "remove it from the text")
    if not text.strip() and (spec.required or spec.kind == "path"):
        raise _Bad("is empty", f"write a value{_example(spec)}")
    return text


def _choice(raw: Any, spec: Field) -> str:
    text = _text(raw, spec)
    if text not in spec.choices:
        near = difflib.get_close_matches(text, list(spec.choices), n=1)
        hint = f"did you mean '{near[0]}'? " if near else ""
        raise _Bad(f"is {_shown(text)}, not one of {', '.join(spec.choices)}",
                   f"{hint}use one of: {', '.join(spec.choices)}")
    return text


def _url(raw: Any, spec: Field) -> str:
    text = _text(raw, spec)
    if not text.startswith(ALLOWED_URL_SCHEMES):
        raise _Bad(f"is {_shown(text)}, not an http(s) or mailto link",
                   "write a full link starting with https://")
    return text


def _email(raw: Any, spec: Field) -> str:
    text = _text(raw, spec)
    if not _EMAIL.match(text):
        raise _Bad(f"is {_shown(text)}, not an email address", "write it as name@example.com")
    return text


_CHECKS = {"bool": _bool, "int": _number, "float": _number, "date": _date, "choice": _choice,
           "url": _url, "email": _email, "moment": _moment}


def _control_character(text: str, multiline: bool) -> str | None:
    for ch in text:
        if ch in "\n\t" and multiline:
            continue
        if ch in "\n\t\r" and not multiline:
            if ch == "\n":
                return "a line break"
            continue
        if unicodedata.category(ch) == "Cc":
            return "NUL" if ch == "\0" else f"U+{ord(ch):04X}"
    return None


def _line_of(mapping: Any, key: Any, default: int | None) -> int | None:
    try:
        return int(mapping.lc.key(key)[0]) + 1
    except (AttributeError, KeyError, TypeError):
        return default


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _eg(spec: Any) -> str:
    return f", e.g. {spec.example}" if getattr(spec, "example", "") else ""


def _kind_of(raw: Any) -> str:
    if isinstance(raw, dict):
        return "a mapping"
    if isinstance(raw, list):
        return "a list"
    if raw is None:
        return "nothing"
    return _shown(raw)


def _shown(raw: Any) -> str:
    text = repr(raw) if isinstance(raw, str) else str(raw)
    return text if len(text) <= 40 else text[:37] + "..."


# The transcription settings: show.yaml's checks, and the CLI's flag choices and ranges.
TRANSCRIPTION_SCHEMA = Obj({
    "engine": Field(example="faster-whisper"),
    "model": Field(example="tiny.en"),
    "language": Field(example="en"),
    "beam_size": Field("int", minimum=1, maximum=20),
    "compute_type": Field("choice", choices=("default", "auto", "int8", "int8_float32",
                                             "int8_float16", "float16", "float32")),
    "batched": Field("bool"),
    "batch_size": Field("int", minimum=1, maximum=64),
    "vad": Field("bool"),
    "threads": Field("int", minimum=0, maximum=256),
    "word_timestamps": Field("bool"),
    "disfluencies": Field("bool"),
    "diarizer": Field(example="resemblyzer"),
    "device": Field("choice", choices=("cpu", "cuda")),
})
