"""Helpers shared by the benchmark sections: child-process timing with peak memory."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Measured:
    wall_s: float
    peak_mib: float
    output: str


def measure(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None,
            ) -> Measured:
    """Run `command` as a child; its wall time and peak RSS (children's maxrss delta)."""
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/env", *command], cwd=cwd, capture_output=True, text=True,
                          env=dict(os.environ, **(env or {})), check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{command} failed: {done.stderr[-2000:]}")
    # ru_maxrss of children is the max over all waited-for children; run the heavy ones first
    # or read it from the child itself where it matters (see python_peak).
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return Measured(wall, peak, done.stdout)


def timed_python(code: str, cwd: Path | None = None) -> Measured:
    """Run Python `code` in a fresh interpreter; it reports its own wall time and peak RSS."""
    wrapper = (
        "import resource, time, json\n"
        "_t = time.perf_counter()\n"
        f"{code}\n"
        "print(json.dumps({'wall': time.perf_counter() - _t, "
        "'peak': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n"
    )
    done = subprocess.run([sys.executable, "-c", wrapper], cwd=cwd, capture_output=True,
                          text=True, check=False, env=dict(os.environ, HF_HUB_OFFLINE="1"))
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    import json

    last = json.loads(done.stdout.strip().splitlines()[-1])
    return Measured(last["wall"], last["peak"], done.stdout)


def table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
