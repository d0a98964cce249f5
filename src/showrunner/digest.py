"""What a stage's output depends on, as one digest: the up-to-date check of `showrunner episode`.

Each stage declares its inputs (`stage_inputs` in its package): files, whose contents count,
and loaded settings. The pipeline digests them and skips a stage whose digest is unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from .model import Episode, Show
from .templating import default_templates_dir


def loaded_settings(show: Show, episode: Episode) -> list[Any]:
    """The show's and episode's settings as loaded (guests resolved), for a digest."""
    # The loaded settings, not the YAML bytes: comments, key order and the ids the feed stores
    # on first publication (guid, podcast:guid) do not make a stage redo its work; nor does
    # how the show folder was named (`--show .` or an absolute path) or where it was moved.
    values = [replace(show, podcast_guid=None), replace(episode, guid=None)]
    return portable(values, show.root.resolve())


def portable(value: Any, root: Path) -> Any:
    """`value` with every Path made relative to the show folder, for a stable digest."""
    if isinstance(value, Path):
        resolved = value.resolve()
        return str(resolved.relative_to(root)) if resolved.is_relative_to(root) else str(value)
    if is_dataclass(value) and not isinstance(value, type):
        return [type(value).__name__,
                [(f.name, portable(getattr(value, f.name), root)) for f in fields(value)]]
    if isinstance(value, list | tuple):
        return [portable(each, root) for each in value]
    if isinstance(value, dict):
        return {key: portable(each, root) for key, each in value.items()}
    return value


def template_files(show: Show, kind: str) -> list[Path]:
    folders = [default_templates_dir(), show.templates_dir]
    return sorted(p for folder in folders if folder.is_dir() for p in folder.iterdir()
                  if kind in p.name or p.suffix == ".css")


def inputs_digest(inputs: Iterable[Any]) -> str:
    """sha256 over values and over the content of every file among them (missing = absent)."""
    sha = hashlib.sha256()
    for item in inputs:
        _feed(sha, item)
    return sha.hexdigest()


def _feed(sha: Any, item: Any) -> None:
    if isinstance(item, Path):
        sha.update(f"path:{item.name}:".encode())
        if item.is_file():
            with open(item, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    sha.update(block)
        else:
            sha.update(b"<absent>")
    elif isinstance(item, list | tuple):
        sha.update(b"[")
        for each in item:
            _feed(sha, each)
        sha.update(b"]")
    elif isinstance(item, dict):
        _feed(sha, sorted(item.items(), key=lambda kv: str(kv[0])))
    else:
        sha.update(repr(item).encode())
