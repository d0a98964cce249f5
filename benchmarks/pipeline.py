"""The whole pipeline's real-time factor, its peak memory, and a no-op `make episode`."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from showrunner.synth import interview_script, speak
from showrunner.synth.speech import GUEST_VOICE, HOST_VOICE

from .common import VENV_BIN, table, timed_python

REPO = Path(__file__).resolve().parent.parent
HOST, GUEST = "Jason Reed", "Mary Chen"


def _demo_copy(root: Path, raw: Path | None) -> Path:
    show = root / "show"
    show.mkdir(parents=True)
    shutil.copyfile(REPO / "show.yaml", show / "show.yaml")
    shutil.copytree(REPO / "guests", show / "guests")
    episode = show / "episodes" / "rise-and-shine"
    episode.mkdir(parents=True)
    shutil.copyfile(REPO / "episodes/rise-and-shine/episode.yaml", episode / "episode.yaml")
    from showrunner.demo import prepare

    if raw is not None:
        shutil.copyfile(raw, episode / "raw.wav")
    prepare(show)
    return show


def _run_pipeline(show: Path) -> tuple[float, float]:
    code = ("from showrunner.cli import main\n"
            "import sys\n"
            f"sys.argv = ['showrunner', 'episode', 'rise-and-shine', '--quiet', '--show', {str(show)!r}]\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n")
    measured = timed_python(code)
    return measured.wall_s, measured.peak_mib


def section() -> str:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, script_rounds in (("demo conversation", None), ("60-minute conversation", 12)):
            raw = None
            if script_rounds:
                raw = speak(interview_script(HOST, GUEST, rounds=script_rounds),
                            {HOST: HOST_VOICE, GUEST: GUEST_VOICE}).wav
            show = _demo_copy(Path(tmp) / label.replace(" ", "-"), raw)
            import soundfile

            duration = soundfile.info(str(show / "episodes/rise-and-shine/raw.wav")).duration
            wall, peak = _run_pipeline(show)
            rows.append([label, f"{duration / 60:.1f} min", f"{wall:.1f} s",
                         f"{wall / duration:.3f}", f"{peak:.0f} MiB"])
            if script_rounds is None:
                noop = _noop_make(show)
                again, _ = _run_pipeline(show)
    return "\n".join([
        "## Whole pipeline",
        "",
        "`showrunner episode rise-and-shine` on the demo show's settings (transcribe with speaker "
        "names, split into 3 parts with produced MP3s, notes, pages, feed), in a fresh process.",
        "",
        table(["recording", "audio", "wall", "real-time factor", "peak memory"], rows),
        "",
        f"Unchanged episode: `make episode EP=rise-and-shine` took **{noop:.2f} s** "
        f"(target < 1 s) and `showrunner episode` alone {again:.2f} s; every stage reported "
        "'up to date'.",
    ])


def _noop_make(show: Path) -> float:
    """`make episode` on an unchanged episode: the second call (the first writes make's own
    stamp; showrunner already skips every stage in it)."""
    walls = []
    for _ in range(2):
        started = time.perf_counter()
        done = subprocess.run(["make", "-f", str(REPO / "Makefile"), "-C", str(show), "episode",
                               "EP=rise-and-shine", "--no-print-directory"],
                              capture_output=True, text=True, check=True,
                              env={"PATH": f"{VENV_BIN}:/usr/bin:/bin"})
        walls.append(time.perf_counter() - started)
        redone = [line for line in done.stdout.splitlines()
                  if ":" in line and "up to date" not in line and "unchanged" not in line
                  and not line.startswith(("make", "/"))]
        assert not redone, redone
    return walls[-1]
