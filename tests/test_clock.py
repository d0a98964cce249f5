"""No test may depend on today's date: the date-sensitive tests also pass five years ahead.

The tests marked `clock` (every module that publishes, dates, splits or backs up episodes) run
again in a child pytest under libfaketime with the system clock moved five years on. A
marker test inside that child proves the clock really was moved, so the check cannot pass by
running on today's clock.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys

import pytest

from .helpers import REPO

AHEAD = "+5y"
REFERENCE = "SHOWRUNNER_CLOCK_REFERENCE"  # the parent's today, set only for the child run


@pytest.mark.clock
@pytest.mark.skipif(REFERENCE not in os.environ, reason="runs only inside the faketime check")
def test_the_clock_really_is_ahead() -> None:
    reference = dt.date.fromisoformat(os.environ[REFERENCE])
    assert (dt.date.today() - reference).days >= 4 * 365
    assert (dt.datetime.now(dt.UTC).date() - reference).days >= 4 * 365


@pytest.mark.slow
@pytest.mark.skipif(REFERENCE in os.environ, reason="already inside the faketime check")
def test_date_sensitive_tests_pass_five_years_ahead() -> None:
    faketime = shutil.which("faketime")
    assert faketime, "faketime is missing: `make test` installs it (Debian package faketime)"
    env = dict(os.environ, **{REFERENCE: dt.date.today().isoformat()})
    done = subprocess.run(
        [faketime, "-f", AHEAD, sys.executable, "-m", "pytest", "-m", "clock", "-q", "-rA",
         "-p", "no:cacheprovider", "tests"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=1800, check=False)
    output = done.stdout + done.stderr
    tail = "\n".join(output.strip().splitlines()[-30:])
    assert done.returncode == 0, tail
    assert "PASSED tests/test_clock.py::test_the_clock_really_is_ahead" in output, tail
