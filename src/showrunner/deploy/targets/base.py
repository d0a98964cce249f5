"""The small interface every kind of deploy target implements; one subclass per kind."""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from ...model import DeploySettings, Show
from ..files import LocalFile

Sent = Callable[[LocalFile], None]


@dataclass(frozen=True)
class Remote:
    """What the target holds, compared with public/."""

    changed: tuple[LocalFile, ...]  # missing there, or there with other bytes
    extra: tuple[str, ...]  # there but not in public/ (hidden names are never listed)


class Target(ABC):
    """Where public/ goes. `compare` only reads; `send` replaces each file whole (a reader of
    the target sees the old file or the new one, never part), in the order given; `delete`
    removes files. Every method turns its failures into DeployError with a hint."""

    kind: ClassVar[str]  # the key under `deploy:` in show.yaml

    @classmethod
    @abstractmethod
    def from_settings(cls, settings: DeploySettings, show: Show) -> Target:
        """The target show.yaml describes (checks that need no network happen here)."""

    @abstractmethod
    def describe(self) -> str:
        """Where it is, as the summary prints it: `s3://bucket/prefix`, `user@host:/path`."""

    def open(self) -> contextlib.AbstractContextManager[None]:
        """Hold what the deploy's calls share (a connection) while the block runs."""
        return contextlib.nullcontext()

    @abstractmethod
    def compare(self, files: Sequence[LocalFile]) -> Remote:
        """Which of `files` the target lacks or holds different bytes of (by content hash),
        and which files it holds that public/ does not."""

    @abstractmethod
    def send(self, files: Sequence[LocalFile], sent: Sent) -> None:
        """Send `files` in order; call `sent(file)` as each one goes (progress). Every file
        is in place when `send` returns; before that, a file may still be on its way after
        its `sent` (rsync names each file as it sends it, before the server has it)."""

    @abstractmethod
    def delete(self, names: Sequence[str]) -> None:
        """Remove these files (names as `Remote.extra` gave them)."""
