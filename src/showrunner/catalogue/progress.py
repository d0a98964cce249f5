"""One progress display across a catalogue build: episodes done out of the total, hours of
audio, and an ETA from the audio still to go (rich, on a terminal); one line per episode
otherwise, so a log file shows what happened."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from ..model import Episode
from .build import EpisodeOutcome, audio_seconds


class CatalogueProgress:
    """`start(pending)` once, then `done(outcome)` per episode; `lines` holds what to print."""

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream
        self.total = 0
        self.finished = 0
        self._bar: Any = None
        self._task: Any = None

    def start(self, pending: list[Episode]) -> None:
        self.total = len(pending)
        seconds = sum(audio_seconds(e) for e in pending)
        if self.stream is None or not pending or not self.stream.isatty():
            return
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self._bar = Progress(
            TextColumn("{task.fields[episodes]}"), BarColumn(),
            TextColumn("{task.fields[hours]}"), TimeRemainingColumn(),
            console=Console(file=self.stream), transient=True)
        self._task = self._bar.add_task("catalogue", total=max(seconds, 1.0),
                                        episodes=self._episodes(), hours=self._hours(0, seconds))
        self._bar.start()

    def done(self, outcome: EpisodeOutcome) -> None:
        self.finished += 1
        line = f"{outcome.episode_id}: " + (f"failed: {outcome.error}" if outcome.error
                                            else f"built ({outcome.ran} stage(s) ran)")
        if self._bar is None:
            if self.stream is not None:
                print(f"[{self.finished}/{self.total}] {line}", file=self.stream, flush=True)
            return
        self._bar.console.print(line)
        self._bar.update(self._task, advance=outcome.seconds, episodes=self._episodes())
        task = self._bar.tasks[0]
        self._bar.update(self._task, hours=self._hours(task.completed, task.total))

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()

    def _episodes(self) -> str:
        return f"{self.finished}/{self.total} episodes"

    @staticmethod
    def _hours(done: float, total: float | None) -> str:
        return f"{done / 3600:.1f}/{(total or 0) / 3600:.1f} h of audio"


@contextmanager
def catalogue_progress(quiet: bool) -> Iterator[CatalogueProgress]:
    progress = CatalogueProgress(None if quiet else sys.stderr)
    try:
        yield progress
    finally:
        progress.stop()
