"""Helpers shared by the benchmark sections: child-process timing with peak memory."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from showrunner.synth import Conversation

VENV_BIN = Path(sys.executable).parent


def save_ground_truth(conversation: Conversation, path: Path) -> None:
    """A transcript.json from the script's ground truth, words spread evenly over each turn,
    for benchmarks of the stages after recognition (recognition is measured on its own)."""
    from showrunner import transcripts
    from showrunner.model import Segment, Transcript, Word

    segments = []
    for turn in conversation.turns:
        texts = turn.text.split()
        step = (turn.end - turn.start) / len(texts)
        words = tuple(Word(turn.start + i * step, turn.start + (i + 1) * step, text, 1.0,
                           turn.speaker) for i, text in enumerate(texts))
        segments.append(Segment(turn.start, turn.end, turn.text, turn.speaker, words))
    transcripts.save_json(Transcript(tuple(segments), conversation.duration,
                                     engine="ground truth"), path)


@dataclass(frozen=True)
class Measured:
    wall_s: float
    peak_mib: float
    output: str
    cpu_s: float = 0.0  # user + system time of the child and the processes it waited for


def timed_python(code: str, cwd: Path | None = None) -> Measured:
    """Run Python `code` in a fresh interpreter; it reports its own wall time and peak RSS.

    Peak RSS is the child's VmHWM: getrusage's ru_maxrss is carried across fork and exec, so
    a child of a large parent would report at least the parent's size.
    """
    wrapper = (
        "import time, json, resource\n"
        "_t = time.perf_counter()\n"
        f"{code}\n"
        "_hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "_cpu = sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF), "
        "resource.getrusage(resource.RUSAGE_CHILDREN)))\n"
        "print(json.dumps({'wall': time.perf_counter() - _t, "
        "'peak': int(_hwm.split()[1]) / 1024, 'cpu': _cpu}))\n"
    )
    done = subprocess.run([sys.executable, "-c", wrapper], cwd=cwd, capture_output=True,
                          text=True, check=False, env=dict(os.environ, HF_HUB_OFFLINE="1"))
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    import json

    last = json.loads(done.stdout.strip().splitlines()[-1])
    return Measured(last["wall"], last["peak"], done.stdout, last["cpu"])


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


RESAMPLES = 5000


def paired_gap(recordings: Sequence[tuple[Sequence[str], str, str]]) -> str:
    """WER of transcript A minus transcript B in points, with a 95 % paired-bootstrap interval.

    Each item is one recording's (script turns, A's text, B's text). Both transcripts are of
    the same audio, so a turn's two error counts (under the one alignment the WER uses) are
    resampled together, turns within their own recording (RESAMPLES times, seeded: the same
    transcripts give the same interval). An interval spanning 0 is a gap the recordings
    cannot tell from chance."""
    import numpy as np
    from tests.speech_accuracy import errors_by_line

    rng = np.random.default_rng(0)
    gaps, words = np.zeros(RESAMPLES), np.zeros(RESAMPLES)
    total_gap = total_words = 0
    for script, ours, theirs in recordings:
        a, b = (np.array(errors_by_line(script, text)) for text in (ours, theirs))
        gap, count = a[:, 0] - b[:, 0], a[:, 1]
        picks = rng.integers(0, len(count), (RESAMPLES, len(count)))
        gaps += gap[picks].sum(axis=1)
        words += count[picks].sum(axis=1)
        total_gap, total_words = total_gap + gap.sum(), total_words + count.sum()
    low, high = np.percentile(100 * gaps / words, [2.5, 97.5])
    return f"{100 * total_gap / max(total_words, 1):+.1f} [{low:+.1f}, {high:+.1f}]"
