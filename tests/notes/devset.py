"""The notes development set (tests/data/notes_dev): a YAML file as a ground-truth Transcript
plus its reference notes.

Timing (ground truth): words at 2.5 words/second (0.4 s each), 0.4 s pause between turns,
one Segment per turn with speaker = the speaker's full name.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from showrunner.model import Segment, Transcript, Word

DATA = Path(__file__).resolve().parent.parent / "data" / "notes_dev"
WORD_SECONDS = 0.4
TURN_PAUSE = 0.4


@dataclass(frozen=True)
class Episode:
    slug: str
    split: str
    kind: str
    hosts: tuple[str, ...]
    guests: tuple[str, ...]
    transcript: Transcript
    hook: str
    bullets: tuple[str, ...]
    boundaries: tuple[float, ...]  # start of every reference segment except the first
    segment_topics: tuple[object, ...]  # topic index (or None) of each reference segment
    turn_segments: tuple[int, ...] = ()  # the reference segment of each turn

    @property
    def host(self) -> str:
        return self.hosts[0]

    @property
    def speaker_guests(self) -> tuple[str, ...]:
        """Everyone but the first host (a panel's second host counts as a voice to name)."""
        return tuple(self.hosts[1:]) + tuple(self.guests)


def files(split: str) -> list[Path]:
    """The files of one split ('dev' or 'test'), read by their split line only."""
    chosen = []
    for path in sorted(DATA.glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("split:"):
                    if line.split(":", 1)[1].split("#")[0].strip() == split:
                        chosen.append(path)
                    break
    return chosen


def load(path: Path | str) -> Episode:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    t = 0.0
    segments: list[Segment] = []
    boundaries: list[float] = []
    topics: list[object] = []
    turn_segments: list[int] = []
    for k, seg in enumerate(raw["segments"]):
        topics.append(seg.get("topic"))
        for j, (speaker, text) in enumerate(seg["turns"]):
            if j == 0 and k > 0:
                boundaries.append(round(t, 3))
            tokens = str(text).split()
            words = []
            start = t
            for token in tokens:
                words.append(Word(round(t, 3), round(t + WORD_SECONDS, 3), token, 1.0, speaker))
                t += WORD_SECONDS
            segments.append(Segment(round(start, 3), round(t, 3), " ".join(tokens), speaker,
                                    tuple(words)))
            turn_segments.append(k)
            t += TURN_PAUSE
    transcript = Transcript(segments=tuple(segments), duration=round(t, 3), engine="notes_dev")
    ref = raw["reference"]
    return Episode(slug=raw["slug"], split=raw["split"], kind=raw["kind"],
                   hosts=tuple(raw["hosts"]), guests=tuple(raw.get("guests") or ()),
                   transcript=transcript, hook=ref["hook"], bullets=tuple(ref["bullets"]),
                   boundaries=tuple(boundaries), segment_topics=tuple(topics),
                   turn_segments=tuple(turn_segments))


if __name__ == "__main__":
    for p in files(sys.argv[1] if len(sys.argv) > 1 else "dev"):
        e = load(p)
        print(f"{e.slug:28} {e.kind:9} {e.transcript.duration/60:5.1f} min  "
              f"{len(e.transcript.segments):3} turns  boundaries={[round(b) for b in e.boundaries]}")
