"""show.yaml's `tidy:` section: which kinds of cut `tidy` proposes and the longest pause kept.

```yaml
tidy:
  kinds: [filler, repeat, pause]
  max_pause: 0.8      # seconds; a longer silence is shortened to this
```
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .layout import SHOW_FILE
from .schema import Field, ListOf, Obj, Problem, validate
from .yamlread import load

KINDS = ("filler", "repeat", "pause")

TIDY_SCHEMA = Obj({
    "kinds": ListOf(Field("choice", choices=KINDS), example="[filler, repeat, pause]"),
    "max_pause": Field("float", minimum=0.2, maximum=10.0),
})


@dataclass(frozen=True)
class TidySettings:
    kinds: tuple[str, ...] = KINDS
    max_pause: float = 0.8


def tidy_settings(root: Path) -> TidySettings:
    """The `tidy:` section of the show's show.yaml (defaults when it has none)."""
    path = root / SHOW_FILE
    raw: Any = load(path.read_text(encoding="utf-8")) or {}
    section = raw.get("tidy") if isinstance(raw, dict) else None
    if section is None:
        return TidySettings()
    problems: list[Problem] = []
    clean = validate({"tidy": section}, Obj({"tidy": TIDY_SCHEMA}), problems)
    if problems:
        raise ConfigError(problems[0].describe(), path=path)
    tidy = clean.get("tidy") or {}
    return TidySettings(tuple(tidy.get("kinds", KINDS)), float(tidy.get("max_pause", 0.8)))
