"""A local folder (a web server's document root, a mounted share): files are compared by
sha256 and each is replaced atomically (temp file beside it, then rename)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ... import atomic
from ...errors import ConfigError, DeployError
from ...layout import SHOW_FILE
from ...model import DeploySettings, Show
from ..files import LocalFile, hidden, read_checked
from .base import Remote, Sent, Target


class FolderTarget(Target):
    kind = "folder"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def from_settings(cls, settings: DeploySettings, show: Show) -> FolderTarget:
        assert settings.folder is not None
        folder, public = settings.folder.resolve(), show.public.resolve()
        if folder == public or folder in public.parents or public in folder.parents:
            raise ConfigError(f"'deploy.folder' is {settings.folder}, which overlaps public/ "
                              f"({show.public})", path=show.root / SHOW_FILE,
                              hint="deploy to a folder outside the show's public/ folder")
        return cls(settings.folder)

    def describe(self) -> str:
        return str(self.folder)

    def compare(self, files: Sequence[LocalFile]) -> Remote:
        changed = tuple(f for f in files if not self._holds(f))
        names = {f.name for f in files}
        extra = tuple(name for name in self._listing() if name not in names)
        return Remote(changed, extra)

    def send(self, files: Sequence[LocalFile], sent: Sent) -> None:
        for file in files:
            atomic.write_bytes(self.folder / file.name, read_checked(file))
            sent(file)

    def delete(self, names: Sequence[str]) -> None:
        for name in names:
            path = self.folder / name
            try:
                path.unlink(missing_ok=True)
                _remove_empty_parents(path.parent, self.folder)
            except OSError as exc:
                raise DeployError(f"cannot delete: {exc.strerror or exc}", path=path,
                                  hint="make the folder writable, then deploy again") from exc

    def _holds(self, file: LocalFile) -> bool:
        there = self.folder / file.name
        try:
            return there.stat().st_size == file.size and atomic.sha256(there) == file.sha256
        except OSError:
            return False

    def _listing(self) -> list[str]:
        found = []
        for folder, dirs, names in os.walk(self.folder):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for base in names:
                name = (Path(folder) / base).relative_to(self.folder).as_posix()
                if not hidden(name):
                    found.append(name)
        return sorted(found)


def _remove_empty_parents(folder: Path, top: Path) -> None:
    while folder != top and top in folder.parents and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
