"""Notes + render: wall time and peak memory of `showrunner notes` and `showrunner render`,
each in a cold child process, with the two ways of finding topics.

Inputs: the golden two-minute transcript (recognized by faster-whisper tiny.en from generated
speech) and a ten-minute transcript built from the generator's ground truth (words spread
evenly over each turn; recognition is measured in the transcribe section).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from showrunner.synth import interview_script, speak
from showrunner.synth.speech import GUEST_VOICE, HOST_VOICE

from .common import save_ground_truth, table, timed_python

HOST, GUEST = "Jason Reed", "Mary Chen"
REPO = Path(__file__).resolve().parent.parent
EPISODE = "title: Rising Early\nnumber: 1\ndate: 2026-11-02\nguests: [mary-chen]\n"


def _show(root: Path, transcript_source: Path | None, rounds: int = 0) -> Path:
    from tests.helpers import add_episode, make_show

    show = make_show(root / "show")
    folder = add_episode(show, "E1", EPISODE)
    if transcript_source is not None:
        shutil.copyfile(transcript_source, folder / "transcript.json")
    else:
        _ground_truth(rounds, folder / "transcript.json")
    return show


def _ground_truth(rounds: int, path: Path) -> None:
    save_ground_truth(speak(interview_script(HOST, GUEST, rounds=rounds),
                            {HOST: HOST_VOICE, GUEST: GUEST_VOICE}), path)


def _cli(show: Path, *args: str, method: str = "") -> tuple[float, float]:
    env = f"import os; os.environ['SHOWRUNNER_TOPICS'] = {method!r}\n" if method else ""
    code = (f"{env}from click.testing import CliRunner\nfrom showrunner.cli import main\n"
            f"r = CliRunner().invoke(main, [*{list(args)!r}, '--show', {str(show)!r}])\n"
            "assert r.exit_code == 0, r.output\n")
    measured = timed_python(code, cwd=REPO)
    return measured.wall_s, measured.peak_mib


def section() -> str:
    golden = REPO / "tests" / "golden" / "notes" / "transcript.json"
    rows = []
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        for label, source, rounds in (("2.1 min, recognized", golden, 0),
                                      ("10 min, ground truth", None, 2)):
            for method in ("", "tf-idf"):
                show = _show(Path(tmp) / f"{rounds}{method}", source, rounds)
                notes_s, notes_mib = _cli(show, "notes", "E1", method=method)
                render_s, render_mib = _cli(show, "render", "E1")
                name = "all-MiniLM-L6-v2" if not method else "TF-IDF"
                rows.append([label, name, f"{notes_s:.2f}", f"{notes_mib:.0f}",
                             f"{render_s:.2f}", f"{render_mib:.0f}"])
    return "\n".join([
        "## notes and render",
        "",
        "`showrunner notes` (topics, chapters.json, notes.md) then `showrunner render` (the "
        "page), each in a fresh interpreter, so the times include importing Python packages "
        "and, for MiniLM, loading the sentence-embedding model (torch). TF-IDF is the "
        "fallback used when sentence-transformers is not installed.",
        "",
        table(["transcript", "topic vectors", "notes wall s", "notes peak MiB",
               "render wall s", "render peak MiB"], rows),
        "",
        f"Load average when it started: {load:.1f} on {os.cpu_count()} cores.",
    ])


if __name__ == "__main__":
    print(section())
