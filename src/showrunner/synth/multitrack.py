"""A generated multitrack recording: each person's turns on their own track, as a
double-ender records them.

Every track holds its person's voice plus the others' voices faintly (bleed, `bleed_db`),
may start late (`offsets`, seconds) and be quieter (`gains_db`). Backchannels (short lines
said over another person's turn) make real overlaps. The clean mixed single-track recording
of the same conversation comes with it, for comparison. Built from `speak` (cached), and
cached itself by a hash of its recipe.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import soundfile

from .. import atomic
from .scripts import Line
from .speech import Conversation, Turn, Voice, default_cache_dir, speak

MULTITRACK_VERSION = 1


@dataclass(frozen=True)
class Backchannel:
    """`line` said over turn number `over` of the script, starting `at` of the way into it."""

    over: int
    line: Line
    at: float = 0.4


def interview_backchannels(host: str, guest: str) -> tuple[Backchannel, ...]:
    """The two overlaps said over `interview_script`'s answers: the host agreeing over turn 3,
    the guest over turn 4. "Yes, exactly right.", not "Yes, exactly.": tiny.en heard the shorter
    one under the guest's bleed as other words."""
    return (Backchannel(3, Line(host, "Yes, exactly right.")),
            Backchannel(4, Line(guest, "Right, that makes sense.")))


@dataclass(frozen=True)
class Multitrack:
    """The tracks (person -> WAV), the clean mix, and the truth on the first track's clock."""

    tracks: dict[str, Path]
    mixed: Path
    turns: tuple[Turn, ...]
    offsets: dict[str, float]
    gains_db: dict[str, float]
    sample_rate: int

    def script_text(self) -> list[str]:
        """The spoken lines in time order (overlaps by start time)."""
        return [turn.text for turn in self.turns]

    def said_by(self, word: str, start: float, end: float, near: float = 0.5) -> set[str]:
        """Who says `word` in a turn that runs within `near` seconds of [start, end]: one
        name where a recognized word's right speaker is known, more (or none) where it is
        not. The whole span, not its middle: a recognizer may stretch a turn's last word
        0.9 s into the pause, its middle then nearer the next turn than its own."""
        wanted = plain_word(word)
        return {turn.speaker for turn in self.turns
                if turn.start - near <= end and start <= turn.end + near
                and wanted in {plain_word(w) for w in turn.text.split()}}


def plain_word(text: str) -> str:
    """A word as names are judged by: lower case, letters, digits and apostrophes only."""
    return re.sub(r"[^a-z0-9']", "", text.lower())


def speak_multitrack(script: Sequence[Line], voices: Mapping[str, Voice], *,
                     backchannels: Sequence[Backchannel] = (), bleed_db: float = -25.0,
                     offsets: Mapping[str, float] | None = None,
                     gains_db: Mapping[str, float] | None = None,
                     cache_dir: Path | None = None) -> Multitrack:
    """Speak `script` (and the backchannels) into one track per speaker; see the module."""
    offsets, gains = dict(offsets or {}), dict(gains_db or {})
    main = speak(script, voices, cache_dir=cache_dir)
    extra = speak([b.line for b in backchannels], voices, cache_dir=cache_dir) \
        if backchannels else None
    recipe = {"version": MULTITRACK_VERSION, "main": main.wav.parent.name,
              "extra": extra.wav.parent.name if extra else None,
              "backchannels": [asdict(b) for b in backchannels], "bleed_db": bleed_db,
              "offsets": offsets, "gains": gains}
    key = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:24]
    folder = (cache_dir or default_cache_dir()) / f"multitrack-{key}"
    speakers = list(dict.fromkeys(line.speaker for line in script))
    paths = {name: folder / f"track-{index}.wav" for index, name in enumerate(speakers)}
    truth = folder / "truth.json"
    if not truth.is_file():
        _render(main.wav, main.turns, extra, backchannels, speakers, paths, folder / "mixed.wav",
                truth, bleed_db, offsets, gains)
    turns = tuple(Turn(**t) for t in json.loads(truth.read_text())["turns"])
    return Multitrack(paths, folder / "mixed.wav", turns,
                      {s: offsets.get(s, 0.0) for s in speakers},
                      {s: gains.get(s, 0.0) for s in speakers}, main.sample_rate)


def _render(wav: Path, turns: tuple[Turn, ...], extra: Conversation | None, backchannels: Sequence[Backchannel],
            speakers: list[str], paths: dict[str, Path], mixed: Path, truth: Path,
            bleed_db: float, offsets: dict[str, float], gains: dict[str, float]) -> None:
    base, rate = soundfile.read(str(wav), dtype="float32")
    voices = {s: _masked(base, rate, [t for t in turns if t.speaker == s]) for s in speakers}
    all_turns = list(turns)
    if extra is not None:
        all_turns += _overlay(extra, backchannels, turns, voices, rate)
    bleed = 10 ** (bleed_db / 20)
    for name in speakers:
        others = np.sum([voices[o] for o in speakers if o != name], axis=0)
        track = (voices[name] + bleed * others) * 10 ** (gains.get(name, 0.0) / 20)
        track = np.concatenate([np.zeros(int(round(offsets.get(name, 0.0) * rate)),
                                         dtype=np.float32), track])
        _write(paths[name], track.astype(np.float32), rate)
    _write(mixed, np.sum(list(voices.values()), axis=0).astype(np.float32), rate)
    all_turns.sort(key=lambda t: (t.start, t.end))
    atomic.write_text(truth, json.dumps({"turns": [asdict(t) for t in all_turns]}, indent=1))


def _masked(samples: np.ndarray, rate: int, turns: list[Turn]) -> np.ndarray:
    out = np.zeros_like(samples)
    for turn in turns:
        lo, hi = int(turn.start * rate), min(len(samples), int(np.ceil(turn.end * rate)))
        out[lo:hi] = samples[lo:hi]
    return out


def _overlay(extra: Conversation, backchannels: Sequence[Backchannel], turns: tuple[Turn, ...],
             voices: dict[str, np.ndarray], rate: int) -> list[Turn]:
    """Each backchannel's speech added into its speaker's voice over the chosen turn."""
    samples, extra_rate = soundfile.read(str(extra.wav), dtype="float32")
    assert extra_rate == rate
    placed = []
    for said, item in zip(extra.turns, backchannels, strict=True):
        clip = samples[int(said.start * rate): int(np.ceil(said.end * rate))]
        over = turns[item.over]
        start = over.start + item.at * (over.end - over.start)
        lo = int(round(start * rate))
        target = voices[item.line.speaker]
        clip = clip[: max(0, len(target) - lo)]
        target[lo: lo + len(clip)] += clip
        placed.append(Turn(item.line.speaker, item.line.text, round(start, 3),
                           round(start + len(clip) / rate, 3), over.topic))
    return placed


def _write(path: Path, samples: np.ndarray, rate: int) -> None:
    with atomic.replacing(path) as handle:
        soundfile.write(handle, samples, rate, format="WAV", subtype="FLOAT")
