"""Peak memory of one whole `showrunner episode` (recognition, speakers, split into 4 parts,
mastering, notes, render) as the recording grows from 60 to 180 minutes.

The recordings are the 10-minute generated conversation (two espeak-ng voices) played 6 and
18 times over, as in the `scaling` section; unlike there, nothing is given a ground truth, so
every stage runs, recognition included. Each run is a fresh process; peak RSS is its VmHWM.
Slow: about half an hour on two cores (WHOLE_PLAYS=1 for a quick check).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from showrunner.synth import Line, interview_script, speak
from showrunner.synth.speech import GUEST_VOICE, HOST_VOICE

from .common import Measured, table, timed_python
from .scaling import GUEST, HOST, REPO, _tiled

PLAYS = tuple(int(t) for t in os.environ.get("WHOLE_PLAYS", "6,18").split(","))
PARTS = 4
TARGET_MIB = 1.5 * 1024
EPISODE = ("title: A Long Talk\nnumber: 1\ndate: 2026-03-02\nguests: [mary-chen]\n"
           f"audio: raw.wav\nparts: {PARTS}\n")


def _show(root: Path, wav: Path, bumper: Path) -> Path:
    from tests.helpers import SHOW_YAML, add_episode, make_show

    show = make_show(root, show_yaml=SHOW_YAML + "audio:\n  welcome_back: audio/wb.wav\n")
    (show / "audio").mkdir()
    shutil.copyfile(bumper, show / "audio" / "wb.wav")
    add_episode(show, "talk", EPISODE, wav)
    return show


def _episode(show: Path) -> Measured:
    code = ("from click.testing import CliRunner\nfrom showrunner.cli import main\n"
            "r = CliRunner().invoke(main, ['episode', 'talk', '--no-feed', '--quiet', "
            f"'--show', {str(show)!r}])\n"
            "assert r.exit_code == 0, r.output\n"
            f"import pathlib; assert len(list(pathlib.Path({str(show)!r}).glob("
            f"'episodes/talk*/notes.md'))) == {PARTS}\n")
    return timed_python(code, cwd=REPO)


def section() -> str:
    base = speak(interview_script(HOST, GUEST, rounds=2), {HOST: HOST_VOICE, GUEST: GUEST_VOICE})
    bumper = speak([Line(HOST, "Welcome back to Test Kitchen.")], {HOST: HOST_VOICE}, pause=0.3)
    runs: list[tuple[float, Measured]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for plays in PLAYS:
            talk = _tiled(base, plays, Path(tmp))
            show = _show(Path(tmp) / f"show-{plays}", talk.wav, bumper.wav)
            runs.append((talk.duration / 60, _episode(show)))
            talk.wav.unlink()
            shutil.rmtree(show)
    rows: list[list[object]] = [
        [f"{minutes:.0f}", f"{m.wall_s:.0f}", f"{m.cpu_s:.0f}", f"{m.wall_s / (minutes * 60):.3f}",
         f"{m.peak_mib:.0f}"] for minutes, m in runs]
    lines = ["## Whole episode: peak memory against length", "",
             f"One `showrunner episode` in a fresh process: recognition (tiny.en) with speakers, "
             f"a split into {PARTS} parts, mastering, notes and render, on the 10-minute "
             "two-voice conversation played over and over.", "",
             table(["minutes", "wall s", "CPU s", "wall / audio", "peak MiB"], rows), ""]
    if len(runs) >= 2:
        (_, first), (_, last) = runs[0], runs[-1]
        growth = last.peak_mib / first.peak_mib - 1
        met = last.peak_mib <= TARGET_MIB and growth <= 0.15
        lines.append(f"Peak RSS grows {growth * 100:+.1f} % from {runs[0][0]:.0f} to "
                     f"{runs[-1][0]:.0f} minutes and is {last.peak_mib / 1024:.2f} GiB at the "
                     f"longest. Target (issue #18: ≤ 1.5 GiB at 180 minutes, ≤ 15 % growth "
                     f"from 60): **{'met' if met else 'not met'}**.")
    return "\n".join(lines)
