"""Speak a script with espeak-ng in distinct voices; cache the audio by a hash of the script."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import soundfile
from scipy.signal import resample_poly

from .. import atomic
from ..errors import EngineError
from .scripts import Line

GENERATOR_VERSION = 2
ESPEAK_RATE = 22050


@dataclass(frozen=True)
class Voice:
    """An espeak-ng voice: `variant` like 'en-us+m3', pitch 0-99, speed in words per minute."""

    variant: str
    pitch: int = 50
    speed: int = 165


HOST_VOICE = Voice("en-us+m3", pitch=35, speed=165)
GUEST_VOICE = Voice("en-gb+f4", pitch=75, speed=170)
SECOND_GUEST_VOICE = Voice("en-us+m7", pitch=60, speed=150)
DEFAULT_VOICES = (HOST_VOICE, GUEST_VOICE, SECOND_GUEST_VOICE)


@dataclass(frozen=True)
class Turn:
    """Ground truth for one spoken line: who, what, and when it sounds in the audio."""

    speaker: str
    text: str
    start: float
    end: float
    topic: int | None = None


@dataclass(frozen=True)
class Conversation:
    """A generated recording and its ground truth."""

    wav: Path
    turns: tuple[Turn, ...]
    duration: float
    sample_rate: int
    mp3: Path | None = None

    @property
    def speakers(self) -> list[str]:
        return list(dict.fromkeys(turn.speaker for turn in self.turns))

    def speaker_at(self, time: float) -> str | None:
        """The speaker whose turn covers `time`, or None in a pause."""
        for turn in self.turns:
            if turn.start <= time <= turn.end:
                return turn.speaker
        return None

    def nearest_speaker(self, time: float) -> str:
        """The speaker of the turn nearest to `time` (for word midpoints at a turn's edge)."""
        return min(self.turns, key=lambda t: 0.0 if t.start <= time <= t.end
                   else min(abs(time - t.start), abs(time - t.end))).speaker


def default_cache_dir() -> Path:
    """$SHOWRUNNER_SPEECH_CACHE, else ~/.cache/showrunner/speech."""
    env = os.environ.get("SHOWRUNNER_SPEECH_CACHE")
    if env:
        return Path(env)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "showrunner" / "speech"


def speak(script: Sequence[Line], voices: Mapping[str, Voice] | None = None, *,
          pause: float = 0.8, sample_rate: int = 16000, mp3: bool = False,
          cache_dir: Path | None = None) -> Conversation:
    """Speak `script` into a WAV (and MP3), one voice per speaker, `pause` seconds between turns.

    Cached under `cache_dir` by a hash of everything that shapes the audio.
    """
    voices = dict(voices or _assign_voices(script))
    missing = {line.speaker for line in script} - set(voices)
    if missing:
        raise ValueError(f"no voice for speaker(s): {', '.join(sorted(missing))}")
    key = _cache_key(script, voices, pause, sample_rate)
    folder = (cache_dir or default_cache_dir()) / key
    wav, truth = folder / "conversation.wav", folder / "truth.json"
    if not (wav.is_file() and truth.is_file()):
        _render(script, voices, pause, sample_rate, wav, truth)
    turns = tuple(Turn(**item) for item in json.loads(truth.read_text())["turns"])
    info = soundfile.info(str(wav))
    conversation = Conversation(wav=wav, turns=turns, duration=info.frames / info.samplerate,
                                sample_rate=info.samplerate)
    if mp3:
        mp3_path = folder / "conversation.mp3"
        if not mp3_path.is_file():
            with atomic.temporary_path(mp3_path) as tmp:
                _run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(wav),
                      "-codec:a", "libmp3lame", "-b:a", "64k", str(tmp)])
        conversation = Conversation(wav, turns, conversation.duration, info.samplerate, mp3_path)
    return conversation


def _assign_voices(script: Sequence[Line]) -> dict[str, Voice]:
    speakers = list(dict.fromkeys(line.speaker for line in script))
    if len(speakers) > len(DEFAULT_VOICES):
        raise ValueError(f"at most {len(DEFAULT_VOICES)} default voices; pass voices=")
    return dict(zip(speakers, DEFAULT_VOICES, strict=False))


def _cache_key(script: Sequence[Line], voices: Mapping[str, Voice], pause: float,
               sample_rate: int) -> str:
    recipe = {
        "version": GENERATOR_VERSION,
        "espeak": _espeak_version(),
        "script": [asdict(line) for line in script],
        "voices": {name: asdict(voice) for name, voice in sorted(voices.items())},
        "pause": pause,
        "sample_rate": sample_rate,
    }
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:24]


def _render(script: Sequence[Line], voices: Mapping[str, Voice], pause: float,
            sample_rate: int, wav: Path, truth: Path) -> None:
    gap = np.zeros(int(round(pause * sample_rate)), dtype=np.float32)
    pieces: list[np.ndarray] = [np.zeros(int(0.5 * sample_rate), dtype=np.float32)]
    cursor = len(pieces[0])
    turns = []
    with tempfile.TemporaryDirectory(prefix="showrunner-speak-") as tmp:
        for index, line in enumerate(script):
            speech = _speak_line(line.text, voices[line.speaker], Path(tmp) / f"{index}.wav")
            speech = resample_poly(speech, sample_rate, ESPEAK_RATE).astype(np.float32) \
                if sample_rate != ESPEAK_RATE else speech
            start = cursor / sample_rate
            cursor += len(speech)
            turns.append(Turn(line.speaker, line.text, round(start, 3),
                              round(cursor / sample_rate, 3), line.topic))
            pieces += [speech, gap]
            cursor += len(gap)
    audio = np.concatenate(pieces)
    audio = (0.5 * audio / max(1e-6, float(np.max(np.abs(audio))))).astype(np.float32)
    with atomic.replacing(wav) as handle:
        soundfile.write(handle, audio, sample_rate, format="WAV", subtype="PCM_16")
    atomic.write_text(truth, json.dumps({"turns": [asdict(t) for t in turns]}, indent=1))


def _speak_line(text: str, voice: Voice, out: Path) -> np.ndarray:
    _run(["espeak-ng", "-v", voice.variant, "-p", str(voice.pitch), "-s", str(voice.speed),
          "-w", str(out), "--", text])
    samples, rate = soundfile.read(str(out), dtype="float32")
    if rate != ESPEAK_RATE:
        raise EngineError(f"espeak-ng wrote {rate} Hz audio, expected {ESPEAK_RATE} Hz")
    # Trim espeak's own leading/trailing silence so the ground truth marks the speech itself.
    loud = np.flatnonzero(np.abs(samples) > 0.01 * max(1e-6, float(np.max(np.abs(samples)))))
    return samples[loud[0]: loud[-1] + 1] if loud.size else samples


def _espeak_version() -> str:
    if not shutil.which("espeak-ng"):
        raise EngineError("espeak-ng is not installed",
                          hint="run 'make install' (or: apt-get install espeak-ng)")
    out = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True, check=False)
    return out.stdout.strip()


def _run(command: list[str]) -> None:
    try:
        subprocess.run(command, check=True, capture_output=True)
    except FileNotFoundError as exc:
        raise EngineError(f"{command[0]} is not installed",
                          hint=f"run 'make install' (or: apt-get install {command[0]})") from exc
    except subprocess.CalledProcessError as exc:
        raise EngineError(f"{command[0]} failed: {exc.stderr.decode(errors='replace')[:200]}") from exc
