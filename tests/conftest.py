"""Shared fixtures: generated real speech (cached by script hash) and show folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from showrunner.synth import Conversation, interview_script, solo_script, speak
from showrunner.synth.speech import GUEST_VOICE, HOST_VOICE, SECOND_GUEST_VOICE

from .helpers import make_show

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
def solo() -> Conversation:
    """The host alone."""
    return speak(solo_script(HOST), {HOST: HOST_VOICE})


@pytest.fixture
def show(tmp_path: Path) -> Path:
    """A minimal valid show folder."""
    return make_show(tmp_path / "show")
