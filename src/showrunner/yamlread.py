"""Reading YAML: fast and safe (libyaml via PyYAML) for a file that will not be written back,
round-trip (ruamel.yaml) for one that will be edited, or to word an error with its line.

`config` reads show.yaml, guest files and episode.yaml with it: a feed of 500 unchanged
episodes spent half its time in the round-trip parser, which keeps comments and line numbers
that only an edit (or an error message) needs. The values are the round-trip parser's (YAML
1.2: `yes`, `no`, `on` and `off` stay text, `1:30` stays text); a document whose meaning the
two parsers could read differently (duplicate keys, a `%YAML` directive, octal or
leading-zero integers, tags) is reported as `None`, so the caller parses it round-trip.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .errors import ConfigError

try:
    _Base: Any = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Base = yaml.SafeLoader


class _Unsure(Exception):
    """The document holds something the round-trip parser might read differently."""


class _Loader(_Base):
    yaml_implicit_resolvers: dict[Any, Any] = {}

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        keys = [self.construct_object(key, deep=True) for key, _ in node.value]
        if len({repr(k) for k in keys}) != len(keys):
            raise _Unsure("duplicate key")
        return super().construct_mapping(node, deep=deep)

    def construct_undefined(self, node: Any) -> Any:
        raise _Unsure(f"tag {node.tag}")


def _unsure(loader: Any, node: Any) -> Any:
    raise _Unsure(f"scalar {node.value!r}")


# YAML 1.2's core schema, as ruamel.yaml's resolver spells it.
_RESOLVERS = [
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("float", r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""", "-+0123456789."),
    ("int", r"^(?:[-+]?(?:0|[1-9][0-9]*))$", "-+0123456789"),
    ("unsure", r"""^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+
        |[-+]?0x[0-9a-fA-F_]+)$""", "-+0123456789"),
    ("null", r"^(?:~|null|Null|NULL|)$", "~nN"),
    ("timestamp", r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?
        (?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?
        (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""", "0123456789"),
    ("unsure", r"^(?:<<|=)$", "<="),
]
for _kind, _pattern, _first in _RESOLVERS:
    _Loader.add_implicit_resolver(f"tag:yaml.org,2002:{_kind}", re.compile(_pattern, re.X),
                                  [*_first, ""] if _kind == "null" else list(_first))
_Loader.add_constructor("tag:yaml.org,2002:unsure", _unsure)
_Loader.add_constructor(None, _Loader.construct_undefined)


def load(text: str) -> Any:
    """The plain data of a YAML document, or None when only the round-trip parser should
    read it (a syntax error included: it words the error with its line)."""
    if text.lstrip().startswith("%"):
        return None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 — a safe loader
    except (yaml.YAMLError, _Unsure, ValueError, TypeError):
        return None


# ---------------------------------------------------------------- round trip


def round_trip_parser() -> YAML:
    """ruamel.yaml's round-trip parser (comments, quotes and line numbers kept)."""
    parser = YAML(typ="rt")
    parser.preserve_quotes = True
    parser.width = 4096
    # The indentation show.yaml and episode.yaml are written in ("hosts:\n  - name: …"), so a
    # command that stores an id does not reformat the producer's file.
    parser.indent(mapping=2, sequence=4, offset=2)
    return parser


def read_text(path: Path, what: str, fix_missing: str) -> str:
    """The file as UTF-8 text; a one-line error when it is missing or unreadable."""
    if not path.is_file():
        raise ConfigError(f"{what} not found", path=path, hint=fix_missing)
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"is not UTF-8 text (byte {exc.start})", path=path,
                          hint="save the file as UTF-8") from exc
    except OSError as exc:
        raise ConfigError(f"cannot be read: {exc.strerror}", path=path,
                          hint="check the file's permissions") from exc


def round_trip(text: str, path: Path) -> Any:
    """Parse round-trip; a syntax error becomes a one-line error naming the line."""
    try:
        return round_trip_parser().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f"line {mark.line + 1}: " if mark is not None else ""
        problem = exc.problem or exc.context or "invalid YAML"
        start = exc.context_mark
        if start is not None and mark is not None and start.line != mark.line:
            problem += f" ({exc.context or 'in what'}, which starts on line {start.line + 1})"
        raise ConfigError(f"{line}YAML syntax error: {problem}", path=path,
                          hint="fix the indentation or quoting on that line "
                               "(quote text that contains ': ' or starts with a symbol)") from exc
    except YAMLError as exc:
        raise ConfigError(f"YAML error: {str(exc).splitlines()[0] if str(exc) else exc}",
                          path=path, hint="fix or remove the offending character") from exc
