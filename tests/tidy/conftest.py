"""The held-out talk with known disfluencies, spoken and transcribed once for the tidy tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from showrunner.synth import (
    DisfluentConversation,
    default_cache_dir,
    disfluent_script,
    speak_disfluent,
)
from showrunner.synth.speech import GUEST_VOICE, HOST_VOICE
from showrunner.tidy import Cut
from showrunner.tidy.cutlist import read

from ..conftest import GUEST, HOST
from ..helpers import SHOW_YAML, add_episode, make_show, run

TIDY_YAML = SHOW_YAML.replace("transcription:\n", "transcription:\n  disfluencies: true\n") + \
    "tidy:\n  kinds: [filler, repeat, pause]\n  max_pause: 0.8\n"


@pytest.fixture(scope="session")
def held_out() -> DisfluentConversation:
    return speak_disfluent(disfluent_script(HOST, GUEST, held_out=True),
                           {HOST: HOST_VOICE, GUEST: GUEST_VOICE}, cache_dir=default_cache_dir())


@pytest.fixture(scope="session")
def transcribed(tmp_path_factory: pytest.TempPathFactory, held_out: DisfluentConversation) -> Path:
    """A show whose episode 'talk' is the held-out talk, transcribed by the real CLI."""
    show = make_show(tmp_path_factory.mktemp("tidy") / "show", show_yaml=TIDY_YAML)
    add_episode(show, "talk", "title: Talk\nnumber: 1\nguests: [mary-chen]\naudio: raw.wav\n",
                held_out.wav)
    result = run(["transcribe", "talk", "--quiet"], show)
    assert result.exit_code == 0, result.output + result.stderr
    return show


@pytest.fixture
def show(tmp_path: Path, transcribed: Path) -> Path:
    """A fresh copy of the transcribed show, for a test that writes cuts.yaml."""
    return Path(shutil.copytree(transcribed, tmp_path / "show"))


def tidy_talk(show: Path, *flags: str) -> tuple[str, list[Cut]]:
    """`showrunner tidy talk` through the CLI: its output and the cuts.yaml it left."""
    result = run(["tidy", "talk", *flags], show)
    assert result.exit_code == 0, result.output + result.stderr
    return result.output, read(show / "episodes" / "talk" / "cuts.yaml")
