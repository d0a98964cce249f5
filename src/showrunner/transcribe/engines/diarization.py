"""Speaker diarization: who speaks when, as anonymous voices. Naming them is `speakers.py`'s job.

Built-in diarizers register themselves in pyproject.toml under
`[project.entry-points."showrunner.diarizers"]`, exactly as a third-party one would.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ...audio import Mono
from .registry import load_registered, registered_names

__all__ = ["DIARIZER_GROUP", "SAMPLE_RATE", "Diarization", "Diarizer", "VoiceTurn",
           "diarizer_names", "get_diarizer", "speech_regions"]

DIARIZER_GROUP = "showrunner.diarizers"
SAMPLE_RATE = 16000
VAD_FRAME_S = 0.03


@dataclass(frozen=True)
class VoiceTurn:
    """A stretch of audio in which one voice speaks; `voice` indexes `Diarization.voiceprints`."""

    start: float
    end: float
    voice: int


@dataclass(frozen=True)
class Diarization:
    """Who speaks when: time-ordered turns, and one L2-normalised voiceprint per voice.

    Voiceprints are comparable with `Diarizer.voiceprint` of an enrolled sample (cosine).
    """

    turns: tuple[VoiceTurn, ...]
    voiceprints: tuple[np.ndarray, ...]
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def voices(self) -> int:
        return len(self.voiceprints)

    def seconds(self, voice: int) -> float:
        """How long `voice` speaks in total."""
        return sum(turn.end - turn.start for turn in self.turns if turn.voice == voice)


class Diarizer(abc.ABC):
    """Separates the voices in a recording. Subclasses load their model once, in `__init__`."""

    name: ClassVar[str] = ""

    @abc.abstractmethod
    def diarize(self, audio: Mono, speakers: int | None = None) -> Diarization:
        """Split float32 mono 16 kHz `audio` into voice turns.

        `speakers` is the expected number of voices; None means estimate it.
        """

    @abc.abstractmethod
    def voiceprint(self, audio: np.ndarray) -> np.ndarray:
        """An L2-normalised embedding of one person's voice sample (float32 mono 16 kHz)."""


def diarizer_names() -> list[str]:
    """Every registered diarizer, sorted."""
    return registered_names(DIARIZER_GROUP)


def get_diarizer(name: str) -> type[Diarizer]:
    """The diarizer class registered as `name`; a one-line EngineError when unknown or broken."""
    return load_registered(DIARIZER_GROUP, name, Diarizer, kind="diarizer",
                           setting="transcription.diarizer in show.yaml")


def speech_regions(audio: Mono, *, min_pause: float = 0.3,
                   min_speech: float = 0.12) -> list[tuple[float, float]]:
    """Where someone speaks, in seconds: webrtcvad's 30 ms decisions, smoothed.

    Pauses shorter than `min_pause` are bridged, since a voice changes at a pause far more often
    than inside a breath; blips shorter than `min_speech` are dropped.
    """
    import webrtcvad

    hop = int(VAD_FRAME_S * SAMPLE_RATE)
    frames = len(audio) // hop
    vad = webrtcvad.Vad(2)
    voiced = np.zeros(frames, dtype=bool)
    # A minute at a time: int16 copies of a whole hour-long recording would cost ~350 MB.
    block = 2000
    for first in range(0, frames, block):
        last = min(frames, first + block)
        pcm = (np.clip(audio[first * hop:last * hop], -1.0, 1.0) * 32767).astype("<i2")
        if np.max(np.abs(pcm)) < 64:
            continue  # digital silence: webrtcvad would flag dither as speech
        raw = pcm.tobytes()
        voiced[first:last] = [vad.is_speech(raw[i * hop * 2:(i + 1) * hop * 2], SAMPLE_RATE)
                              for i in range(last - first)]
    return _runs(voiced, min_pause, min_speech)


def _runs(voiced: np.ndarray, min_pause: float, min_speech: float) -> list[tuple[float, float]]:
    edges = np.flatnonzero(np.diff(np.concatenate(([0], voiced.astype(np.int8), [0]))))
    runs = [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]
    merged: list[list[int]] = []
    for start, end in runs:
        if merged and (start - merged[-1][1]) * VAD_FRAME_S < min_pause:
            merged[-1][1] = end
        else:
            merged.append([start, end])
    return [(round(a * VAD_FRAME_S, 3), round(b * VAD_FRAME_S, 3)) for a, b in merged
            if (b - a) * VAD_FRAME_S >= min_speech]
