"""Shared fixtures: generated real speech (cached by script hash) and show folders."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from showrunner.synth import Conversation, interview_script, solo_script, speak
from showrunner.synth.multitrack import Multitrack, interview_backchannels, speak_multitrack
from showrunner.synth.speech import GUEST_VOICE, HOST_VOICE, SECOND_GUEST_VOICE

from .helpers import add_episode, make_show, run

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

HOST, GUEST, GUEST2 = "Jason Reed", "Mary Chen", "Omar Haddad"


@pytest.fixture(scope="session")
def conversation() -> Conversation:
    """About five minutes, 36 turns, host and guest in two espeak-ng voices, eight topics."""
    return speak(interview_script(HOST, GUEST), {HOST: HOST_VOICE, GUEST: GUEST_VOICE})


@pytest.fixture(scope="session")
def long_conversation() -> Conversation:
    """About ten minutes: the eight topics twice."""
    return speak(interview_script(HOST, GUEST, rounds=2), {HOST: HOST_VOICE, GUEST: GUEST_VOICE})


@pytest.fixture(scope="session")
def three_voices() -> Conversation:
    """Host and two guests in three distinct voices."""
    return speak(interview_script(HOST, GUEST, second_guest=GUEST2),
                 {HOST: HOST_VOICE, GUEST: GUEST_VOICE, GUEST2: SECOND_GUEST_VOICE})


@pytest.fixture(scope="session")
def multitrack() -> Multitrack:
    """About 50 s, one track per person as a double-ender records it: -25 dB bleed of the
    other voice, the guest's track 0.3 s late and 8 dB quieter, two overlapping backchannels."""
    lines = interview_script(HOST, GUEST)
    return speak_multitrack(lines[:6] + lines[-2:], {HOST: HOST_VOICE, GUEST: GUEST_VOICE},
                            backchannels=interview_backchannels(HOST, GUEST),
                            bleed_db=-25.0, offsets={GUEST: 0.3}, gains_db={GUEST: -8.0})


@pytest.fixture(scope="session")
def solo() -> Conversation:
    """The host alone."""
    return speak(solo_script(HOST), {HOST: HOST_VOICE})


@pytest.fixture(scope="session")
def transcribed_conversation(tmp_path_factory: pytest.TempPathFactory,
                             conversation: Conversation) -> Path:
    """The episode folder of `conversation`, transcribed once per session by the real CLI
    (recognition and speaker naming); copy its transcript.* files into a show to use them.

    Decoded sequentially: the topic and split tests built on it expect what that hears here.
    Batched decoding (the default) hears this conversation's "burnout" as "work out" and one
    host question as a statement; over eleven other conversations it loses no more words and
    no more questions than sequential (BENCHMARKS.md, "batched or sequential as the default"),
    and tests/transcribe/test_batched.py runs it through the stage."""
    show = make_show(tmp_path_factory.mktemp("transcribed") / "show")
    folder = add_episode(show, "talk", "title: Talk\nnumber: 1\nguests: [mary-chen]\n"
                                       "audio: raw.wav\n", conversation.wav)
    result = run(["transcribe", "talk", "--quiet", "--no-batched"], show)
    assert result.exit_code == 0, result.output + result.stderr
    return folder


def with_transcript(show: Path, episode_yaml: str, conversation: Conversation,
                    transcribed: Path) -> Path:
    """Episode 'talk' in `show`: the conversation's audio and its session transcript."""
    folder = add_episode(show, "talk", episode_yaml, conversation.wav)
    for path in transcribed.glob("transcript*"):
        shutil.copyfile(path, folder / path.name)
    return show


@pytest.fixture
def show(tmp_path: Path) -> Path:
    """A minimal valid show folder."""
    return make_show(tmp_path / "show")
