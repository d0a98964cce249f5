"""Who said what: separate the voices of an episode and give each one a name from episode.yaml.

Order: read and check the enrolled voice samples (so a bad one fails before any slow work);
diarize into as many voices as show.yaml has hosts plus episode.yaml has guests; give every
recognized word the voice speaking at its time; split segments where the voice changes; name
the voices (enrolled samples first, then the stated heuristic); record how each name was decided
in `transcript.speakers`. A solo episode (one host, no guest) skips diarization entirely:
clustering one voice into two would invent a second speaker.
"""

from __future__ import annotations

import bisect
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..audio import Mono
from ..errors import AudioError, ConfigError
from ..model import Episode, Guest, Segment, Show, SpeakerDecision, Transcript
from .engines.diarization import (
    SAMPLE_RATE,
    Diarization,
    Diarizer,
    VoiceTurn,
    get_diarizer,
    speech_regions,
)

__all__ = ["MIN_SAMPLE_SPEECH", "HeardVoices", "Person", "check_voice_samples", "hear_voices",
           "label_speakers", "name_speakers", "people", "read_voice_sample"]

MIN_SAMPLE_SPEECH = 2.0  # seconds of speech an enrolled sample needs for a reliable voiceprint
MAX_SAMPLE_SECONDS = 120.0  # more adds nothing to a voiceprint


@dataclass(frozen=True)
class Person:
    """Someone who may speak in the episode: a host or a guest, with their voice sample."""

    name: str
    role: str
    voice_sample: Path | None = None
    declared_in: str = "show.yaml"
    shown_sample: str = ""  # the sample's path as show.yaml or the guest file writes it

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else self.name


def people(show: Show, guests: Sequence[Guest]) -> list[Person]:
    """The hosts (show.yaml order) then the episode's guests (episode.yaml order)."""
    return [*(Person(h.name, "host", h.voice_sample, "show.yaml",
                     _shown(h.voice_sample, show.root)) for h in show.hosts),
            *(Person(g.name, "guest", g.voice_sample, f"guests/{g.slug}.yaml",
                     _shown(g.voice_sample, show.root)) for g in guests)]


def check_voice_samples(show: Show, guests: Sequence[Guest]) -> None:
    """Read every enrolled voice sample the episode will use, so that a bad one fails before
    recognition starts; a solo episode uses none."""
    cast = people(show, guests)
    if len(cast) > 1:
        for person in cast:
            if person.voice_sample is not None:
                read_voice_sample(person)


def _shown(path: Path | None, root: Path) -> str:
    if path is None:
        return ""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def label_speakers(transcript: Transcript, audio: np.ndarray, show: Show, episode: Episode,
                   guests: tuple[Guest, ...], diarizer: Diarizer | None = None) -> Transcript:
    """The transcript with a person's name on every word and segment, segments split where the
    speaker changes, and `speakers` saying how each name was decided.

    `audio` is the whole episode, float32 mono 16 kHz; `diarizer` defaults to show.yaml's
    `transcription.diarizer`. The same as `name_speakers(transcript, hear_voices(...))`.
    """
    return name_speakers(transcript, hear_voices(audio, show, guests, diarizer), show, guests)


@dataclass(frozen=True)
class HeardVoices:
    """What the audio alone says about the voices: who speaks when, and the enrolled samples'
    voiceprints (by index into `people`). Needs no transcript, so it can run beside recognition."""

    diarization: Diarization
    prints: dict[int, np.ndarray]


def hear_voices(audio: Mono, show: Show, guests: tuple[Guest, ...],
                diarizer: Diarizer | None = None) -> HeardVoices | None:
    """Diarize `audio` into as many voices as the episode has people, and voiceprint their
    enrolled samples; None for a solo episode, which needs no diarization."""
    cast = people(show, guests)
    if len(cast) == 1:
        return None
    samples = {index: read_voice_sample(person) for index, person in enumerate(cast)
               if person.voice_sample is not None}
    diarizer = diarizer or get_diarizer(show.transcription.diarizer)()
    diarization = diarizer.diarize(audio, speakers=len(cast))
    prints = {index: diarizer.voiceprint(sample) for index, sample in samples.items()}
    return HeardVoices(diarization, prints)


def name_speakers(transcript: Transcript, heard: HeardVoices | None, show: Show,
                  guests: tuple[Guest, ...]) -> Transcript:
    """`label_speakers` once the voices are heard (`hear_voices`)."""
    cast = people(show, guests)
    if heard is None:
        return _solo(transcript, cast[0])
    if not heard.diarization.turns:
        return transcript  # no speech found: nothing to name
    segments = _split(transcript.segments, _VoiceIndex(heard.diarization.turns))
    names, decisions = _name_voices(heard.diarization, cast, heard.prints, segments)
    named = tuple(_named(segment, names) for segment in segments)
    settings = {**transcript.settings, "diarization": heard.diarization.settings}
    return transcript.with_segments(named, speakers=tuple(decisions), settings=settings)


# ---------------------------------------------------------------- voice samples


def read_voice_sample(person: Person) -> np.ndarray:
    """The person's enrolled sample as float32 mono 16 kHz speech; a one-line error when it is
    missing, unreadable or holds under MIN_SAMPLE_SPEECH seconds of speech."""
    path = person.voice_sample
    assert path is not None
    whose = f"voice sample of {person.name} (voice_sample in {person.declared_in})"
    fix = f"record 5 to 30 seconds of {person.name} speaking alone (WAV, FLAC or MP3)"
    if not path.is_file():
        raise ConfigError(f"{whose} not found", path=path,
                          hint=f"fix the path in {person.declared_in}, or {fix}")
    samples = _decode(path, whose, fix)
    speech = sum(end - start for start, end in speech_regions(samples))
    if speech < MIN_SAMPLE_SPEECH:
        raise AudioError(f"{whose} holds {speech:.1f} s of speech, at least "
                         f"{MIN_SAMPLE_SPEECH:.0f} s are needed", path=path,
                         hint=f"{fix}, and point voice_sample in {person.declared_in} at it")
    return samples


def _decode(path: Path, whose: str, fix: str) -> np.ndarray:
    # ffmpeg reads every format a producer is likely to have, and resamples on the way.
    command = ["ffmpeg", "-nostdin", "-v", "error", "-t", str(MAX_SAMPLE_SECONDS),
               "-i", str(path), "-f", "f32le", "-ac", "1", "-ar", str(SAMPLE_RATE), "-"]
    try:
        result = subprocess.run(command, capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise AudioError(f"ffmpeg is not installed, so the {whose} cannot be read", path=path,
                         hint="install ffmpeg (apt-get install ffmpeg, brew install ffmpeg)"
                         ) from exc
    samples = np.frombuffer(result.stdout, dtype="<f4")
    if result.returncode != 0 or samples.size == 0:
        reason = (result.stderr.decode(errors="replace").strip().splitlines() or ["no audio"])[-1]
        reason = reason.replace(str(path), "").strip(" :") or "no audio"
        raise AudioError(f"{whose} cannot be read as audio ({reason[:120]})", path=path,
                         hint=f"re-export it as WAV, FLAC or MP3, or {fix}")
    return samples.astype(np.float32)


# ---------------------------------------------------------------- voices on words


class _VoiceIndex:
    """Which voice speaks over a span of time: the one with the most overlap, else the nearest."""

    def __init__(self, turns: Sequence[VoiceTurn]) -> None:
        self.turns = sorted(turns, key=lambda turn: turn.start)
        self.starts = [turn.start for turn in self.turns]

    def voice(self, start: float, end: float) -> int:
        overlap: dict[int, float] = {}
        index = bisect.bisect_right(self.starts, end)
        for turn in reversed(self.turns[max(0, index - 50):index]):
            shared = min(end, turn.end) - max(start, turn.start)
            if shared > 0:
                overlap[turn.voice] = overlap.get(turn.voice, 0.0) + shared
            if turn.end < start - 30:
                break
        if overlap:
            return max(overlap, key=lambda voice: overlap[voice])
        middle = (start + end) / 2
        near = self.turns[max(0, index - 1):index + 1]
        return min(near, key=lambda t: min(abs(middle - t.start), abs(middle - t.end))).voice


def _split(segments: Sequence[Segment], index: _VoiceIndex) -> list[tuple[Segment, int]]:
    """Each segment cut into runs of one voice; `speaker` is filled in once voices have names."""
    pieces: list[tuple[Segment, int]] = []
    for segment in segments:
        if not segment.words:
            pieces.append((segment, index.voice(segment.start, segment.end)))
            continue
        voices = [index.voice(word.start, word.end) for word in segment.words]
        edges = [0, *(i for i in range(1, len(voices)) if voices[i] != voices[i - 1]),
                 len(voices)]
        for a, b in zip(edges[:-1], edges[1:], strict=True):
            words = segment.words[a:b]
            start = segment.start if a == 0 else words[0].start
            end = segment.end if b == len(voices) else words[-1].end
            text = segment.text if len(edges) == 2 else " ".join(w.text for w in words)
            pieces.append((Segment(start, end, text, None, words), voices[a]))
    return pieces


def _named(piece: tuple[Segment, int], names: dict[int, str]) -> Segment:
    segment, voice = piece
    name = names.get(voice)
    words = tuple(replace(word, speaker=name) for word in segment.words)
    return replace(segment, speaker=name, words=words)


def _solo(transcript: Transcript, host: Person) -> Transcript:
    named = tuple(replace(segment, speaker=host.name,
                          words=tuple(replace(w, speaker=host.name) for w in segment.words))
                  for segment in transcript.segments)
    decision = SpeakerDecision(host.name, "voice 1", "only voice",
                               "one host and no guest in episode.yaml: no diarization needed")
    return transcript.with_segments(named, speakers=(decision,))


# ---------------------------------------------------------------- names for voices


@dataclass(frozen=True)
class _Voice:
    """What the transcript says about one voice: when it first speaks, what it says."""

    index: int
    seconds: float
    first: float
    questions: int
    text: str
    cue: str  # the words just before this voice first speaks

    @property
    def label(self) -> str:
        return f"voice {self.index + 1}"


def _name_voices(diarization: Diarization, cast: list[Person], prints: dict[int, np.ndarray],
                 pieces: list[tuple[Segment, int]]) -> tuple[dict[int, str],
                                                             list[SpeakerDecision]]:
    """Voice -> name, and the decision record: enrolled samples first, then heuristics."""
    voices = _voices(diarization, pieces)
    names: dict[int, str] = {}
    decisions: list[SpeakerDecision] = []
    if not voices:
        return names, decisions
    for person, voice, detail in _by_sample(cast, prints, diarization, voices):
        names[voice.index] = person.name
        decisions.append(SpeakerDecision(person.name, voice.label, "enrolled sample", detail))
    left_people = [p for p in cast if p.name not in names.values()]
    left_voices = [v for v in voices if v.index not in names]
    for person, voice, detail in _by_heuristic(left_people, left_voices, voices[0]):
        names[voice.index] = person.name
        decisions.append(SpeakerDecision(person.name, voice.label, "heuristic", detail))
    decisions.sort(key=lambda d: next(i for i, p in enumerate(cast) if p.name == d.name))
    return names, decisions


def _voices(diarization: Diarization, pieces: list[tuple[Segment, int]]) -> list[_Voice]:
    """The voices that actually say something, in the order they first speak."""
    found: list[_Voice] = []
    for voice in range(diarization.voices):
        own = [(i, segment) for i, (segment, v) in enumerate(pieces) if v == voice]
        if not own:
            continue
        first = own[0][0]
        text = " ".join(segment.text for _, segment in own)
        cue = pieces[first - 1][0].text if first > 0 else ""
        found.append(_Voice(voice, diarization.seconds(voice), own[0][1].start,
                            text.count("?"), text, cue))
    return sorted(found, key=lambda v: v.first)


def _by_sample(cast: list[Person], prints: dict[int, np.ndarray], diarization: Diarization,
               voices: list[_Voice]) -> list[tuple[Person, _Voice, str]]:
    """Enrolled people matched to voices by voiceprint similarity (best total match)."""
    from scipy.optimize import linear_sum_assignment

    if not prints or not voices:
        return []
    who = sorted(prints)
    similarity = np.array([[float(prints[p] @ diarization.voiceprints[v.index]) for v in voices]
                           for p in who])
    rows, cols = linear_sum_assignment(-similarity)
    matched = []
    for row, col in zip(rows, cols, strict=True):
        others = [s for j, s in enumerate(similarity[row]) if j != col]
        runner_up = f", next best voice {max(others):.2f}" if others else ""
        person = cast[who[row]]
        matched.append((person, voices[col], f"{person.shown_sample} in {person.declared_in}: "
                        f"similarity {similarity[row, col]:.2f}{runner_up}"))
    return matched


def _by_heuristic(left_people: list[Person], left_voices: list[_Voice],
                  opener: _Voice) -> list[tuple[Person, _Voice, str]]:
    """The best total match of cues: a host opens the show and asks most of the questions;
    a guest introduces themself or is named just before first speaking; otherwise guests are
    taken to speak first in episode.yaml's order."""
    from scipy.optimize import linear_sum_assignment

    if not left_people or not left_voices:
        return []
    questions = sum(v.questions for v in left_voices)
    guests = [p for p in left_people if p.role == "guest"]
    answering = [v for v in left_voices if 2 * v.questions <= questions]
    scored = [[_cues(person, voice, questions, opener, guests, answering)
               for voice in left_voices] for person in left_people]
    score = np.array([[sum(points for points, _ in cues) for cues in row] for row in scored])
    rows, cols = linear_sum_assignment(-score)
    return [(left_people[r], left_voices[c],
             "; ".join(reason for _, reason in scored[r][c]) or "the voice left over")
            for r, c in zip(rows, cols, strict=True)]


def _cues(person: Person, voice: _Voice, questions: int, opener: _Voice, guests: list[Person],
          answering: list[_Voice]) -> list[tuple[float, str]]:
    """(points, reason) for every cue that links `person` to `voice`."""
    cues: list[tuple[float, str]] = []
    if _introduces(voice.text, person):
        cues.append((3.0, f"says \"I'm {person.first_name}\""))
    if person.role == "host":
        if questions:
            cues.append((2.0 * voice.questions / questions,
                         f"asks {voice.questions} of the {questions} questions"))
        if voice is opener:
            cues.append((1.0, "opens the show"))
        return cues
    if voice is not opener and re.search(rf"\b{re.escape(person.first_name)}\b", voice.cue,
                                         re.IGNORECASE):
        cues.append((1.0, f"is named (\"{person.first_name}\") just before first speaking"))
    if voice in answering and answering.index(voice) == guests.index(person):
        place = _ORDINALS[min(guests.index(person), len(_ORDINALS) - 1)]
        cues.append((0.5, f"the {place} guest in episode.yaml, the {place} answering voice "
                          f"to speak"))
    return cues


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "next")


def _introduces(text: str, person: Person) -> bool:
    name = re.escape(person.first_name)
    return re.search(rf"\b(I'm|I am|my name is|this is)\s+{name}\b", text, re.IGNORECASE) \
        is not None
