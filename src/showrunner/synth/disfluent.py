"""Speech with known disfluencies: fillers ('um', 'uh'), repeated words and long pauses.

A line's text marks them inline: `{um}` or `{uh}` is a filler spoken on its own, `{pause:1.6}`
is that many seconds of silence, and `{rep:the}` says 'the' once more before the next words
(a repeated word). Each piece is spoken separately and joined with a short natural gap, so
the ground truth records where every disfluency sounds, to the sample.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import soundfile
from scipy.signal import resample_poly

from .. import atomic
from .scripts import Line
from .speech import ESPEAK_RATE, GENERATOR_VERSION, Turn, Voice, _espeak_version, _speak_line

JOIN_GAP = 0.12  # seconds of silence between pieces of one line: a natural breath, not a pause
_MARK = re.compile(r"\{(um|uh|pause:[0-9.]+|rep:[^}]+)\}")


@dataclass(frozen=True)
class Disfluency:
    """Where a scripted disfluency sounds: kind is 'filler', 'repeat' or 'pause'."""

    kind: str
    start: float
    end: float
    text: str = ""


@dataclass(frozen=True)
class DisfluentConversation:
    """A generated recording, its turns and the true time of each disfluency."""

    wav: Path
    turns: tuple[Turn, ...]
    disfluencies: tuple[Disfluency, ...]
    fluent: tuple[Disfluency, ...]  # kind 'words': where each run of kept words sounds
    duration: float
    sample_rate: int


def pieces(text: str) -> list[tuple[str, str]]:
    """`text` as (kind, value) pieces: ('words', ...), ('filler', 'um'), ('pause', '1.6'),
    ('repeat', 'the')."""
    out: list[tuple[str, str]] = []
    at = 0
    for match in _MARK.finditer(text):
        if text[at:match.start()].strip():
            out.append(("words", text[at:match.start()].strip()))
        mark = match.group(1)
        kind, _, value = mark.partition(":")
        out.append(("filler", mark) if kind in ("um", "uh")
                   else ("pause" if kind == "pause" else "repeat", value))
        at = match.end()
    if text[at:].strip():
        out.append(("words", text[at:].strip()))
    return out


def plain_text(text: str) -> str:
    """What the line says without its marks (the fluent words, repeats included once)."""
    return " ".join(v for k, v in pieces(text) if k == "words")


# Tuned on TUNING; HELD_OUT is only measured (never used to choose a threshold).
TUNING: tuple[tuple[str, str], ...] = (
    ("host", "So {um} tell me how the bakery started."),
    ("guest", "Well {uh} it started in my {rep:my} kitchen {pause:1.8} about ten years ago."),
    ("host", "And {um} what did you bake first?"),
    ("guest", "Mostly bread. {uh} Rye bread and {um} a plain white loaf."),
    ("host", "Did you {rep:did you} sell it at the market?"),
    ("guest", "Yes, every Saturday. {pause:2.0} The first week I sold {uh} twelve loaves."),
    ("host", "That is {um} a good start."),
    ("guest", "It was {uh} enough to keep going {pause:1.5} and to buy a better oven."),
)
HELD_OUT: tuple[tuple[str, str], ...] = (
    ("host", "Let us {um} talk about the garden."),
    ("guest", "The garden {uh} gives us herbs {pause:1.7} and some tomatoes in summer."),
    ("host", "How {rep:how} much time does it {um} take each week?"),
    ("guest", "About {uh} three hours. {um} More in spring."),
    ("host", "Do you {uh} grow the flowers too?"),
    ("guest", "My neighbour does. {pause:2.2} She {um} sells them on Sundays."),
    ("host", "And the {rep:the} bees?"),
    ("guest", "The bees {uh} came last year {pause:1.6} and they {um} stayed."),
)


def disfluent_script(host: str, guest: str, *, held_out: bool = False) -> list[Line]:
    """A short host/guest talk with marked disfluencies (see the module's docstring)."""
    names = {"host": host, "guest": guest}
    return [Line(names[who], text) for who, text in (HELD_OUT if held_out else TUNING)]


def speak_disfluent(script: Sequence[Line], voices: Mapping[str, Voice], *,
                    pause: float = 0.8, sample_rate: int = 16000,
                    cache_dir: Path) -> DisfluentConversation:
    """Speak `script` (with marks) into a WAV; cached under `cache_dir` by a hash of the recipe."""
    recipe = {"version": GENERATOR_VERSION, "disfluent": 2, "espeak": _espeak_version(),
              "script": [asdict(line) for line in script], "pause": pause,
              "voices": {n: asdict(v) for n, v in sorted(voices.items())}, "rate": sample_rate}
    key = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:24]
    wav, truth = cache_dir / key / "conversation.wav", cache_dir / key / "truth.json"
    if not (wav.is_file() and truth.is_file()):
        _render(script, voices, pause, sample_rate, wav, truth)
    data = json.loads(truth.read_text())
    info = soundfile.info(str(wav))
    return DisfluentConversation(
        wav, tuple(Turn(**t) for t in data["turns"]),
        tuple(Disfluency(**d) for d in data["disfluencies"]),
        tuple(Disfluency(**d) for d in data["fluent"]),
        info.frames / info.samplerate, info.samplerate)


class _Tape:
    """Audio appended piece by piece, with the cursor in samples."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.chunks: list[np.ndarray] = [np.zeros(int(0.5 * rate), dtype=np.float32)]
        self.cursor = len(self.chunks[0])

    def add(self, samples: np.ndarray) -> tuple[float, float]:
        start = self.cursor / self.rate
        self.chunks.append(samples.astype(np.float32))
        self.cursor += len(samples)
        return round(start, 3), round(self.cursor / self.rate, 3)

    def silence(self, seconds: float) -> tuple[float, float]:
        return self.add(np.zeros(int(round(seconds * self.rate)), dtype=np.float32))


def _render(script: Sequence[Line], voices: Mapping[str, Voice], pause: float,
            sample_rate: int, wav: Path, truth: Path) -> None:
    tape = _Tape(sample_rate)
    turns: list[Turn] = []
    events: list[Disfluency] = []
    fluent: list[Disfluency] = []
    with tempfile.TemporaryDirectory(prefix="showrunner-disfluent-") as tmp:
        def say(text: str, voice: Voice) -> np.ndarray:
            speech = _speak_line(text, voice, Path(tmp) / "piece.wav")
            return resample_poly(speech, sample_rate, ESPEAK_RATE).astype(np.float32) \
                if sample_rate != ESPEAK_RATE else speech
        for line in script:
            begin = tape.cursor / sample_rate
            for index, (kind, value) in enumerate(pieces(line.text)):
                if index:
                    tape.silence(JOIN_GAP)
                if kind == "pause":
                    start, end = tape.silence(float(value) - 2 * JOIN_GAP)
                    events.append(Disfluency("pause", round(start - JOIN_GAP, 3),
                                             round(end + JOIN_GAP, 3)))
                    continue
                start, end = tape.add(say(value, voices[line.speaker]))
                (events if kind != "words" else fluent).append(
                    Disfluency(kind, start, end, value))
            turns.append(Turn(line.speaker, plain_text(line.text), round(begin, 3),
                              round(tape.cursor / sample_rate, 3), line.topic))
            tape.silence(pause)
    audio = np.concatenate(tape.chunks)
    audio = (0.5 * audio / max(1e-6, float(np.max(np.abs(audio))))).astype(np.float32)
    with atomic.replacing(wav) as handle:
        soundfile.write(handle, audio, sample_rate, format="WAV", subtype="PCM_16")
    atomic.write_text(truth, json.dumps({"turns": [asdict(t) for t in turns],
                                         "disfluencies": [asdict(e) for e in events],
                                         "fluent": [asdict(e) for e in fluent]}, indent=1))
