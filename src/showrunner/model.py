"""The domain model every stage reads and writes: data only, behaviour lives in the stages."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from .episode_tracks import Track  # episode.yaml's `tracks:`, defined beside its section
from .import_record import Imported as Imported  # what an imported episode keeps of its feed
from .import_record import RemoteFile as RemoteFile
from .podcast_tags import EpisodeTags, ShowTags

TRANSCRIPT_SCHEMA_VERSION = 1


# ---------------------------------------------------------------- people


@dataclass(frozen=True)
class Link:
    """A labelled link: `label` is what a listener reads, `url` is http(s) or mailto."""

    label: str
    url: str


@dataclass(frozen=True)
class Person:
    """Someone who speaks on the show. `voice_sample` (a short clip) makes naming certain."""

    slug: str
    name: str
    linkedin: str | None = None
    voice_sample: Path | None = None

    @property
    def first_name(self) -> str:
        return self.name.split()[0] if self.name.split() else self.name


@dataclass(frozen=True)
class Host(Person):
    """A host of the show, listed in show.yaml."""

    email: str | None = None


@dataclass(frozen=True)
class Guest(Person):
    """A guest, kept once in guests/<slug>.yaml and reused by every appearance."""

    bio: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    photo: Path | None = None


# ---------------------------------------------------------------- show


@dataclass(frozen=True)
class CallToAction:
    """One of the show's standard calls to action ("Download the checklist")."""

    text: str
    url: str
    funding: bool = False  # also a podcast:funding link in the feed


@dataclass(frozen=True)
class AudioSettings:
    """How produced audio is finished: loudness target, bumpers, MP3 encoding."""

    loudness_lufs: float = -16.0
    true_peak_dbtp: float = -1.0
    intro: Path | None = None
    outro: Path | None = None
    welcome_back: Path | None = None
    crossfade_ms: int = 300
    bitrate: str = "128k"
    sample_rate: int = 44100
    channels: int = 1


@dataclass(frozen=True)
class TranscriptionSettings:
    """Recognizer settings; every field can be overridden by a `transcribe` flag."""

    engine: str = "faster-whisper"
    model: str = "tiny.en"
    language: str | None = "en"
    # Chosen by measurement (BENCHMARKS.md, "Transcribe"): int8 beam 5 is as accurate as
    # float32 for less CPU time, greedy loses 3 points of WER. Batched decoding with the
    # coverage check drops no stretch, and over eleven held-out talks keeps sequential's
    # WER and questions in 0.6x the wall time ("batched or sequential as the default").
    beam_size: int = 5
    compute_type: str = "int8"
    batched: bool = True
    batch_size: int = 8
    vad: bool = True
    threads: int = 0
    word_timestamps: bool = True
    disfluencies: bool = False  # see transcribe.stage.DISFLUENT_PROMPT
    diarizer: str = "resemblyzer"
    device: str = "cpu"  # "cuda" runs recognition on a GPU (`catalogue build --gpus`)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class NotesWriterSettings:
    """An optional OpenAI-compatible language-model endpoint that polishes the offline draft."""

    base_url: str
    model: str
    api_key_env: str = "OPENAI_API_KEY"
    timeout_s: float = 30.0


@dataclass(frozen=True)
class DeploySettings:
    """Where `showrunner deploy` sends public/: one of an S3 bucket (`s3_*`), a server over SSH
    (`rsync`, "user@host:/path") or a local `folder`; then whom to notify. No credentials."""

    kind: str  # "s3", "rsync" or "folder"
    s3_bucket: str | None = None
    s3_prefix: str = ""
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_profile: str | None = None
    rsync: str | None = None
    ssh_port: int | None = None
    ssh_identity: Path | None = None
    ssh_known_hosts: Path | None = None
    folder: Path | None = None
    websub_hub: str | None = None
    ping_url: str | None = None


@dataclass(frozen=True)
class Show:
    """show.yaml: feed metadata, hosts, calls to action, audio and transcription defaults."""

    root: Path
    title: str
    description: str
    website: str
    feed_url: str
    language: str
    author: str
    owner_name: str
    owner_email: str
    artwork: Path | None
    category: str
    subcategory: str | None = None
    explicit: bool = False
    copyright: str | None = None
    show_type: str = "episodic"
    locked: bool = True
    podcast_guid: str | None = None
    hosts: tuple[Host, ...] = ()
    calls_to_action: tuple[CallToAction, ...] = ()
    closing_calls_to_action: tuple[CallToAction, ...] = ()
    subscribe: tuple[Link, ...] = ()  # podcast apps' pages for the show, on the home page
    audio: AudioSettings = field(default_factory=AudioSettings)
    transcription: TranscriptionSettings = field(default_factory=TranscriptionSettings)
    glossary: tuple[str, ...] = ()
    corrections: tuple[tuple[str, str], ...] = ()
    notes_writer: NotesWriterSettings | None = None
    public_dir: Path | None = None
    deploy: DeploySettings | None = None
    tags: ShowTags = field(default_factory=ShowTags)

    @property
    def episodes_dir(self) -> Path:
        return self.root / "episodes"

    @property
    def guests_dir(self) -> Path:
        return self.root / "guests"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def public(self) -> Path:
        return self.public_dir or self.root / "public"

    @property
    def host(self) -> Host:
        return self.hosts[0]


# ---------------------------------------------------------------- episode


@dataclass(frozen=True)
class Series:
    """One long conversation published as parts: this episode is part `part` of `of`."""

    name: str
    part: int
    of: int


@dataclass(frozen=True)
class Episode:
    """episodes/<id>/episode.yaml."""

    id: str
    folder: Path
    title: str
    number: int | None = None
    date: dt.date | None = None
    guests: tuple[Guest, ...] = ()  # resolved from the slugs in episode.yaml when loaded
    audio: str | None = None  # layout.MIXED_AUDIO for a multitrack episode (`tracks`)
    tracks: tuple[Track, ...] = ()
    series: Series | None = None
    status: str = "draft"
    hook: str | None = None
    topics: tuple[str, ...] = ()
    guid: str | None = None
    season: int | None = None
    explicit: bool | None = None
    episode_type: str = "full"
    parts: int | None = None
    source: str | None = None
    imported: Imported | None = None
    extra: dict[str, str] = field(default_factory=dict)
    tags: EpisodeTags = field(default_factory=EpisodeTags)

    @property
    def guest_slugs(self) -> tuple[str, ...]:
        return tuple(guest.slug for guest in self.guests)

    @property
    def audio_path(self) -> Path | None:
        return self.folder / self.audio if self.audio else None

    @property
    def released(self) -> bool:
        return self.status == "released"

    @property
    def display_title(self) -> str:
        """`E58: Finding the Grain – Part 2 of 3`, as the show's pages print it."""
        prefix = f"E{self.number}: " if self.number is not None else ""
        return prefix + self.title


# ---------------------------------------------------------------- transcript


@dataclass(frozen=True)
class Chapter:
    """A chapter mark: where it starts in the episode's audio and its title."""

    start: float
    title: str


@dataclass(frozen=True)
class Word:
    """A recognized word with its timing; `speaker` is a name once speakers are assigned."""

    start: float
    end: float
    text: str
    probability: float = 1.0
    speaker: str | None = None


@dataclass(frozen=True)
class Segment:
    """A stretch of one speaker's speech, as recognized."""

    start: float
    end: float
    text: str
    speaker: str | None = None
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class Correction:
    """A corrections-table entry applied after recognition: `count` replacements made."""

    wrong: str
    right: str
    count: int


@dataclass(frozen=True)
class SpeakerDecision:
    """How a voice got its name: by an enrolled sample, a heuristic, or as the only voice."""

    name: str
    voice: str
    method: str
    detail: str = ""


@dataclass(frozen=True)
class Transcript:
    """transcript.json: the recognized speech with timings and speaker names."""

    segments: tuple[Segment, ...]
    duration: float
    language: str = "en"
    engine: str = ""
    model: str = ""
    audio_sha256: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    corrections: tuple[Correction, ...] = ()
    speakers: tuple[SpeakerDecision, ...] = ()
    schema_version: int = TRANSCRIPT_SCHEMA_VERSION

    @property
    def words(self) -> list[Word]:
        return [word for segment in self.segments for word in segment.words]

    @property
    def text(self) -> str:
        return " ".join(segment.text.strip() for segment in self.segments if segment.text.strip())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict in transcript.json's layout."""
        return {
            "schema_version": self.schema_version,
            "engine": self.engine,
            "model": self.model,
            "audio_sha256": self.audio_sha256,
            "settings": self.settings,
            "duration": round(self.duration, 3),
            "language": self.language,
            "speakers": [asdict(decision) for decision in self.speakers],
            "corrections": [asdict(correction) for correction in self.corrections],
            "segments": [_segment_dict(segment) for segment in self.segments],
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Transcript:
        """Inverse of `to_dict`; raises KeyError/TypeError/ValueError on malformed input."""
        return cls(
            segments=tuple(_segment_from(item) for item in raw["segments"]),
            duration=float(raw["duration"]),
            language=str(raw.get("language") or "en"),
            engine=str(raw.get("engine", "")),
            model=str(raw.get("model", "")),
            audio_sha256=str(raw.get("audio_sha256", "")),
            settings=dict(raw.get("settings") or {}),
            corrections=tuple(Correction(str(c["wrong"]), str(c["right"]), int(c["count"]))
                              for c in raw.get("corrections") or ()),
            speakers=tuple(SpeakerDecision(str(s["name"]), str(s["voice"]), str(s["method"]),
                                           str(s.get("detail", "")))
                           for s in raw.get("speakers") or ()),
            schema_version=int(raw.get("schema_version", TRANSCRIPT_SCHEMA_VERSION)),
        )

    def with_segments(self, segments: tuple[Segment, ...], **changes: Any) -> Transcript:
        return replace(self, segments=segments, **changes)


def _segment_dict(segment: Segment) -> dict[str, Any]:
    return {
        "start": round(segment.start, 3),
        "end": round(segment.end, 3),
        "speaker": segment.speaker,
        "text": segment.text,
        "words": [
            {"start": round(w.start, 3), "end": round(w.end, 3), "text": w.text,
             "probability": round(w.probability, 4), "speaker": w.speaker}
            for w in segment.words
        ],
    }


def _segment_from(raw: dict[str, Any]) -> Segment:
    words = tuple(Word(float(w["start"]), float(w["end"]), str(w["text"]),
                       float(w.get("probability", 1.0)),
                       None if w.get("speaker") is None else str(w["speaker"]))
                  for w in raw.get("words") or ())
    speaker = raw.get("speaker")
    return Segment(float(raw["start"]), float(raw["end"]), str(raw["text"]),
                   None if speaker is None else str(speaker), words)


def clock(seconds: float, *, tenths: bool = False, floor: bool = False) -> str:
    """`754.6` -> `12:35` (`1:02:03` past an hour). A moment, such as a chapter start, is
    `floor`ed to the second it falls in (`12:34`); `tenths` gives `12:34.6`."""
    seconds = max(0.0, float(seconds))
    whole = int(seconds) if tenths or floor else int(round(seconds))
    minutes, secs = divmod(whole, 60)
    text = f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}" if minutes >= 60 else \
        f"{minutes}:{secs:02d}"
    return text + f".{int((seconds - whole) * 10)}" if tenths else text
