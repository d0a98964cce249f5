"""Soak: 50 consecutive `showrunner episode` runs on the demo show, many killed at random."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from showrunner.demo import prepare
from showrunner.synth import TOPICS, interview_script, speak
from showrunner.synth.speech import GUEST_VOICE, HOST_VOICE

from .conftest import GUEST, HOST
from .helpers import copy_demo_show, run

RUNS = 50


@pytest.mark.slow
def test_fifty_interrupted_runs(tmp_path: Path) -> None:
    (tmp_path / "demo").mkdir()
    show = copy_demo_show(tmp_path / "demo")
    # The demo show's settings with a shorter recording, so that runs can finish between kills.
    talk = speak(interview_script(HOST, GUEST, TOPICS[:3]), {HOST: HOST_VOICE, GUEST: GUEST_VOICE})
    shutil.copyfile(talk.wav, show / "episodes/rise-and-shine/raw.wav")
    prepare(show)
    chance = random.Random(20261123)
    edits: dict[Path, str] = {}
    finished = killed = 0
    for number in range(RUNS):
        # A third of the runs go undisturbed and finish what earlier kills left undone; the rest
        # redo everything (--force) and are killed at a random moment of that work.
        undisturbed = number % 3 == 0
        child = subprocess.Popen(
            [sys.executable, "-m", "showrunner.cli", "episode", "rise-and-shine", "--quiet",
             *([] if undisturbed else ["--force"]), "--show", str(show)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            _, stderr = child.communicate(timeout=None if undisturbed
                                          else chance.uniform(0.3, 8.0))
            assert child.returncode == 0, stderr
            finished += 1
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            killed += 1
        for notes in show.glob("episodes/rise-and-shine-*/notes.md"):
            if notes not in edits:  # the host edits each part's notes once they exist
                edits[notes] = f"\nHost edit after run {number} in {notes.parent.name}.\n"
                notes.write_text(notes.read_text() + edits[notes])
    print(f"\nsoak: {finished} runs finished, {killed} killed")
    result = run(["episode", "rise-and-shine", "--quiet"], show)
    assert result.exit_code == 0, result.output + result.stderr
    assert run(["validate", str(show / "public/feed.xml")]).exit_code == 0
    assert len(edits) == 3
    for notes, edit in edits.items():
        assert edit in notes.read_text(), notes
    assert killed >= 20 and finished >= 17
