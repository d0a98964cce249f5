"""One loader for every kind of engine registered as a Python entry point (transcription
engines, diarizers): a third-party engine registers the same way the built-in ones do."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path
from typing import TypeVar

from ...errors import EngineError

Kind = TypeVar("Kind", bound=type)


def registered_names(group: str) -> list[str]:
    """Every name registered in the entry-point `group`, sorted."""
    return sorted({entry.name for entry in importlib.metadata.entry_points(group=group)})


def load_registered(group: str, name: str, base: Kind, *, kind: str, setting: str,
                    install_hint: str | None = None,
                    configured_in: Path | None = None) -> Kind:
    """The class registered as `name` in `group`, a subclass of `base`; a one-line EngineError
    naming `configured_in` (the file that chose it) when it is unknown, broken or of the wrong
    kind. `setting` is where the producer picks another, e.g. 'transcription.diarizer'."""
    found = {entry.name: entry for entry in importlib.metadata.entry_points(group=group)}
    known = ", ".join(sorted(found)) or "none (reinstall showrunner: pip install -e .)"
    if name not in found:
        raise EngineError(f"unknown {kind} '{name}'", path=configured_in,
                          hint=f"set {setting} to one of: {known}")
    try:
        loaded = found[name].load()
    except ImportError as exc:
        raise EngineError(f"{kind} '{name}' cannot be imported ({exc})", path=configured_in,
                          hint=install_hint or f"install the package that provides it, or set "
                                               f"{setting} to one of: {known}") from exc
    if not (isinstance(loaded, type) and issubclass(loaded, base)):
        raise EngineError(f"entry point '{name}' in {group} is not a {base.__name__}",
                          hint=f"fix the {kind}'s package registration")
    return loaded  # type: ignore[return-value]
