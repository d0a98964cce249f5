"""Files and bytes sent, as one line redrawn on stderr, only when stderr is a terminal."""

from __future__ import annotations

from typing import IO

from .files import LocalFile
from .plan import human_size


class Progress:
    def __init__(self, files: int, size: int, stream: IO[str] | None) -> None:
        self.files, self.size = files, size
        self.stream = stream if stream is not None and stream.isatty() else None
        self.done_files = self.done_size = 0

    def __enter__(self) -> Progress:
        self._draw()
        return self

    def __exit__(self, *_: object) -> None:
        if self.stream is not None:
            self.stream.write("\n")
            self.stream.flush()

    def advance(self, file: LocalFile) -> None:
        self.done_files += 1
        self.done_size += file.size
        self._draw()

    def _draw(self) -> None:
        if self.stream is None:
            return
        self.stream.write(f"\rdeploying: {self.done_files}/{self.files} files, "
                          f"{human_size(self.done_size)} of {human_size(self.size)}\x1b[K")
        self.stream.flush()
