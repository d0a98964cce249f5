"""`showrunner deploy`: public/ -> the target in show.yaml, sending only what changed.

Two phases, in this order:
  1. plan (reads only): check the feed names nothing public/ lacks; compare every file's
     content hash with what the target holds; order what differs: media and transcripts,
     then pages, then feed.xml; with --delete, the remote files public/ no longer has;
  2. send: step by step, the feed last, deletions after it; then notify, if the feed changed.
A dry run stops after 1. An interrupted run leaves the remote feed as it was; the next run
compares again and sends only what is still missing.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from ..layout import FEED_FILE
from ..model import Show
from .files import LocalFile
from .notify import notify
from .plan import Plan, human_size, make_plan
from .progress import Progress
from .send import send_plan
from .targets import target_for


@dataclass(frozen=True)
class DeployResult:
    """What a deploy did (or, for a dry run, would do)."""

    plan: Plan
    sent: tuple[str, ...]
    sent_size: int
    deleted: tuple[str, ...]
    notified: tuple[str, ...]
    warnings: tuple[str, ...]
    dry_run: bool
    seconds: float

    @property
    def summary(self) -> str:
        plan = self.plan
        if self.dry_run:
            head = (f"dry run, nothing sent: would send {len(plan.files)} file(s) "
                    f"({human_size(plan.size)}) to {plan.target}, "
                    f"{len(plan.deletions)} to delete")
        else:
            head = (f"deployed to {plan.target}: {len(self.sent)} file(s) sent "
                    f"({human_size(self.sent_size)}), {len(self.deleted)} deleted")
        parts = [head, f"{plan.unchanged} unchanged"]
        if plan.kept:
            parts.append(f"{plan.kept} remote file(s) not in public/ kept (--delete removes them)")
        if self.notified:
            parts.append("notified " + ", ".join(self.notified))
        return "; ".join(parts) + f" in {self.seconds:.1f} s"


def deploy_show(show: Show, *, dry_run: bool = False, delete: bool = False,
                quiet: bool = False, stream: IO[str] | None = None,
                on_sent: Callable[[LocalFile], None] | None = None) -> DeployResult:
    """Send public/ to the show's deploy target. `on_sent(file)` runs as each file is sent;
    progress is drawn on `stream` (default stderr) when it is a terminal."""
    started = time.monotonic()
    target = target_for(show)
    sent: list[LocalFile] = []
    with target.open():
        plan = make_plan(show, target, delete=delete)
        if dry_run:
            return DeployResult(plan, (), 0, (), (), (), True, time.monotonic() - started)
        progress = Progress(len(plan.files), plan.size, None if quiet else (stream or sys.stderr))

        def arrived(file: LocalFile) -> None:
            sent.append(file)
            progress.advance(file)
            if on_sent is not None:
                on_sent(file)

        with progress:
            send_plan(plan, target, arrived)
    notified: list[str] = []
    warnings: list[str] = []
    if show.deploy is not None and any(f.name == FEED_FILE for f in sent):
        notified, warnings = notify(show.deploy, show.feed_url, f"showrunner/{_version()}")
    return DeployResult(plan, tuple(f.name for f in sent), sum(f.size for f in sent),
                        plan.deletions, tuple(notified), tuple(warnings), False,
                        time.monotonic() - started)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("showrunner")
    except PackageNotFoundError:
        return "dev"
