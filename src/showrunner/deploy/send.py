"""The send step: carry out a plan, step by step; the feed goes last, deletions after it."""

from __future__ import annotations

from .. import atomic
from .files import FEED, changed_error
from .plan import Plan
from .targets import Sent, Target


def send_plan(plan: Plan, target: Target, sent: Sent) -> None:
    """Send each step only after the one before it is in place, then delete.

    Interrupted anywhere (Ctrl-C, a lost connection, a kill), the remote feed is the previous
    one, and every file that feed names is still there: the next deploy sends what is left."""
    for index, step in enumerate(plan.steps):
        if index == FEED:
            for file in step:  # rebuilt since the plan: it may name files not sent
                if atomic.sha256(file.path) != file.sha256:
                    raise changed_error(file)
        if step:
            target.send(step, sent)
    if plan.deletions:
        target.delete(plan.deletions)
