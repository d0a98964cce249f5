"""The transcribe stage: an episode's recording -> transcript.json, .srt, .vtt, .pc20.json,
.txt and .html in the episode folder.

Order, all before anything is written: check and fingerprint the audio; skip when transcript.json
already records this audio and these settings; decode; recognize, with diarization (which needs
only the decoded audio) in a second thread; apply the corrections table; name the speakers
(`speakers.name_speakers`); then write every file atomically, transcript.json last.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import IO, Any, TypeVar

from .. import atomic, audio, transcripts
from ..errors import AudioError, ConfigError, ShowrunnerError
from ..layout import EPISODE_FILE, TRANSCRIPT_JSON
from ..model import Episode, Segment, Show, Transcript, TranscriptionSettings, clock
from ..schema import TRANSCRIPTION_SCHEMA
from . import coverage, multitrack, pieces, speakers
from .corrections import apply_corrections
from .engines import EngineInfo, TranscribeOptions, TranscriptionEngine, get_engine

__all__ = ["TranscribeResult", "recognition_options", "recognize", "resolve_settings",
           "settings_key", "transcribe_episode"]

STAGE_VERSION = 4  # 2: failed batched windows heard again; 3: looping ones; 4: repair twice
_T = TypeVar("_T")
# Settings that change what is recognized; `threads` only changes how fast.
_OUTPUT_SETTINGS = ("engine", "model", "language", "beam_size", "compute_type", "batched",
                    "batch_size", "vad", "word_timestamps")


@dataclass(frozen=True)
class TranscribeResult:
    """What `transcribe_episode` did: the transcript, whether it was already up to date, a line."""

    transcript: Transcript
    skipped: bool
    summary: str
    written: tuple[Path, ...] = ()


def transcribe_episode(show: Show, episode: Episode, *, overrides: dict[str, Any] | None = None,
                       force: bool = False, quiet: bool = False,
                       engine: TranscriptionEngine | None = None) -> TranscribeResult:
    """Transcribe the episode's recording unless transcript.json is already up to date.

    `overrides` are flag values (None = not given) that replace show.yaml's transcription
    settings; `engine` is an already loaded engine to use (it must match the settings).
    """
    settings = resolve_settings(show, overrides or {})
    fingerprint = _fingerprint(episode)
    key = settings_key(show, episode, settings)
    previous = None if force else _up_to_date(episode.folder, fingerprint, key)
    if previous is not None and _audio_path(episode).is_file():  # a multitrack mix may be gone
        return _skipped(episode, previous)
    speakers.check_voice_samples(show, episode.guests)  # now, not after minutes of work
    started = time.monotonic()
    engine_class = type(engine) if engine else get_engine(settings.engine, show.root / "show.yaml")
    finish = functools.partial(_finished, show=show, episode=episode, settings=settings,
                               key=key, fingerprint=fingerprint)
    if episode.tracks:  # each person's words from their own track: no diarization
        engine = engine or _new_engine(engine_class, settings, show.root)
        transcript = finish(_from_tracks(engine, show, episode, settings, quiet))
    else:
        transcript = _from_recording(engine, engine_class, show, episode, settings, quiet, finish)
    written = tuple(transcripts.write_all(transcript, episode.folder))
    return TranscribeResult(transcript, False, _summary(episode, transcript, started), written)


def _from_recording(engine: TranscriptionEngine | None,
                    engine_class: type[TranscriptionEngine], show: Show, episode: Episode,
                    settings: TranscriptionSettings, quiet: bool,
                    finish: Callable[[Transcript], Transcript]) -> Transcript:
    """Recognize the one recording, `finish` it, and name its speakers by diarization."""
    path = _audio_path(episode)
    samples = audio.decode_samples(path)  # on disk: each step reads only its stretch
    if not coverage.speech_stretches(samples):
        raise AudioError("is silent: there is no speech to transcribe", path=path,
                         hint="check that 'audio:' in episode.yaml names the right recording")
    engine = engine or _new_engine(engine_class, settings, show.root)
    _check_engine(engine, settings, show.root)  # before the voices are heard
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="diarize") as pool:
        # Diarization runs beside recognition (both let go of the GIL while they compute),
        # once the model is loaded: importing PyTorch alongside tripled the load.
        voices = pool.submit(_at_idle_priority, speakers.hear_voices, samples, show,
                             episode.guests)
        transcript = finish(_recognized(engine, samples, show, settings, path, quiet))
        return speakers.name_speakers(transcript, voices.result(), show, episode.guests)


def _at_idle_priority(work: Callable[..., _T], *args: Any) -> _T:
    """`work(*args)` at nice 19: Linux schedules threads one by one, so recognition keeps
    the cores it can use and this thread gets what it leaves."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    return work(*args)


def _fingerprint(episode: Episode) -> str:
    """sha256 of the recording, or of every track (slug, file, content) of a multitrack one."""
    if not episode.tracks:
        path = _audio_path(episode)
        audio.check(path)
        return atomic.sha256(path)
    record = [[t.slug, t.file, atomic.sha256(episode.folder / t.file)
               if (episode.folder / t.file).is_file() else None] for t in episode.tracks]
    return hashlib.sha256(json.dumps(record).encode()).hexdigest()


def _finished(transcript: Transcript, show: Show, episode: Episode,
              settings: TranscriptionSettings, key: str, fingerprint: str) -> Transcript:
    transcript = replace(transcript, audio_sha256=fingerprint,
                         settings=_settings_record(show, episode, settings, key, transcript))
    return apply_corrections(transcript, show.corrections)


def _from_tracks(engine: TranscriptionEngine, show: Show, episode: Episode,
                 settings: TranscriptionSettings, quiet: bool) -> Transcript:
    """Align the tracks, write their levelled mix (the episode's audio from now on), and
    recognize it, each word named by its track (see `multitrack`)."""
    _check_engine(engine, settings, show.root)
    paths = {t.name: episode.folder / t.file for t in episode.tracks}
    samples, notes = audio.read_tracks(paths)
    aligned = audio.align_tracks(samples, audio.SAMPLE_RATE, paths=paths, notes=notes)
    audio.write_mix(paths, aligned.offsets, _audio_path(episode))
    options = recognition_options(settings, show.glossary)
    transcript = multitrack.transcribe_tracks(
        audio.level_tracks(aligned), lambda mix: recognize(engine, mix, options, quiet=quiet),
        lambda clip: recognize(engine, clip, options))  # seconds long: no progress bar
    if not transcript.segments:
        raise AudioError("no speech was recognized in any track", path=episode.folder,
                         hint="check the files under 'tracks:' in episode.yaml")
    return transcript


def _recognized(engine: TranscriptionEngine, samples: audio.Mono, show: Show,
                settings: TranscriptionSettings, path: Path, quiet: bool) -> Transcript:
    options = recognition_options(settings, show.glossary)
    transcript = recognize(engine, samples, options, quiet=quiet)
    if not transcript.segments:
        raise AudioError(f"no speech was recognized in {clock(transcript.duration)} of audio",
                         path=path, hint="check that this is the right recording; if it is, "
                                         "try --no-vad or a larger model")
    return transcript


def load_engine(show: Show, overrides: dict[str, Any] | None = None) -> TranscriptionEngine:
    """The engine show.yaml's settings (with flag `overrides`) name, loaded once: a worker
    that transcribes many episodes passes it to every `transcribe_episode` call."""
    settings = resolve_settings(show, overrides or {})
    return _new_engine(get_engine(settings.engine, show.root / "show.yaml"), settings, show.root)


def _new_engine(engine_class: type[TranscriptionEngine], settings: TranscriptionSettings,
                root: Path) -> TranscriptionEngine:
    return engine_class(_model_reference(settings.model, root), compute_type=settings.compute_type,
                        threads=settings.threads, device=settings.device)


def _skipped(episode: Episode, previous: Transcript) -> TranscribeResult:
    """Nothing to recognize again; only a deleted format file is written back."""
    written = _write_missing(previous, episode.folder)
    note = f" (rewrote {len(written)} missing file(s))" if written else ""
    return TranscribeResult(previous, True, f"{episode.id}: transcript is up to date{note}; "
                            "--force transcribes again", tuple(written))


def resolve_settings(show: Show, overrides: dict[str, Any]) -> TranscriptionSettings:
    """show.yaml's transcription settings with the given flag values applied, checked."""
    known = {f.name for f in fields(TranscriptionSettings)}
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"unknown transcription setting(s): {', '.join(sorted(unknown))}")
    settings = replace(show.transcription,
                       **{k: v for k, v in overrides.items() if v is not None})
    where = show.root / "show.yaml"
    compute_types = TRANSCRIPTION_SCHEMA.fields["compute_type"].choices
    if settings.compute_type not in compute_types:
        raise ConfigError(f"compute type '{settings.compute_type}' is not one of "
                          f"{', '.join(compute_types)}", path=where,
                          hint="set transcription.compute_type (or --compute-type) to int8 "
                               "or float32")
    for name in ("beam_size", "batch_size", "threads"):
        value, field = getattr(settings, name), TRANSCRIPTION_SCHEMA.fields[name]
        low, high = int(field.minimum), int(field.maximum)
        if not low <= value <= high:
            raise ConfigError(f"transcription.{name} is {value}, outside {low}..{high}",
                              path=where, hint=f"use a value from {low} to {high}")
    return settings


# transcription.disfluencies: a prompt written with fillers keeps the recognizer writing them
# (for `tidy`): without it tiny.en wrote 0 of 9 scripted fillers of tidy's held-out speech,
# with it 8 (tests/tidy).
DISFLUENT_PROMPT = ("Umm, let me think like, hmm... Okay, here's what I'm, like, thinking. "
                    "Uh, um, so, uh.")


def recognition_options(settings: TranscriptionSettings,
                        glossary: Sequence[str] = ()) -> TranscribeOptions:
    """Engine options from the settings, with the show's glossary passed as recognizer hints."""
    # The glossary goes in as the initial prompt only: as faster-whisper `hotwords` (which
    # prompt every window) it raised tiny.en's word error rate from 13 % to 45 % here.
    hint = ", ".join(glossary) + "." if glossary else None
    if settings.disfluencies:
        hint = f"{DISFLUENT_PROMPT} {hint or ''}".strip()
    return TranscribeOptions(language=settings.language, beam_size=settings.beam_size,
                             batched=settings.batched, batch_size=settings.batch_size,
                             vad=settings.vad, word_timestamps=settings.word_timestamps,
                             initial_prompt=hint)


def recognize(engine: TranscriptionEngine, samples: audio.Mono, options: TranscribeOptions, *,
              quiet: bool = True) -> Transcript:
    """Run `engine` over float32 mono 16 kHz `samples` into a Transcript (no speakers yet),
    with a progress bar over audio time on a terminal unless `quiet`."""
    duration = len(samples) / audio.SAMPLE_RATE
    infos: list[EngineInfo] = []

    def heard() -> Iterator[Segment]:
        whole = engine.reads_in_pieces(options)  # then given the recording, on disk
        for first, end in [(0, len(samples))] if whole else pieces.pieces(samples):
            found, info = engine.transcribe(samples if whole else samples[first:end], options)
            infos.append(info)
            yield from (pieces.shifted(s, first / audio.SAMPLE_RATE) if first else s
                        for s in found)

    with _Progress(duration, None if quiet else sys.stderr) as advance:
        collected = list(advance(heard()))
    info = replace(infos[0], duration=duration,
                   speech_duration=sum(i.speech_duration for i in infos))
    collected, repaired = coverage.repair(engine, samples, collected, options)
    clamped = (_clamped(segment, duration) for segment in collected)
    return Transcript(segments=tuple(s for s in clamped if s is not None), duration=duration,
                      language=info.language or "en", engine=info.engine, model=str(info.model),
                      settings={"engine_used": _engine_record(info),
                                "repaired": [list(gap) for gap in repaired]})


def settings_key(show: Show, episode: Episode, settings: TranscriptionSettings) -> str:
    """sha256 over everything that shapes the transcript besides the audio itself."""
    recipe = {
        "stage": STAGE_VERSION,
        **{name: getattr(settings, name) for name in _OUTPUT_SETTINGS},
        "diarizer": settings.diarizer, "glossary": list(show.glossary),
        "corrections": [list(pair) for pair in show.corrections],
        "speakers": _speaker_recipe(show, episode),
        # Only a GPU run records its device: transcripts made before the setting stay current.
        **({"device": settings.device} if settings.device != "cpu" else {}),
        **({"disfluencies": True} if settings.disfluencies else {}),
    }
    return hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()


# ---------------------------------------------------------------- helpers


def _audio_path(episode: Episode) -> Path:
    if episode.audio_path is None:
        raise ConfigError("episode.yaml names no recording", path=episode.folder / EPISODE_FILE,
                          hint="add 'audio: raw.wav' (the recording's file name in the "
                               "episode folder)")
    return episode.audio_path


def _up_to_date(folder: Path, fingerprint: str, key: str) -> Transcript | None:
    path = folder / TRANSCRIPT_JSON
    if not path.is_file():
        return None
    try:
        previous = transcripts.load(path)
    except ShowrunnerError:
        return None  # a damaged transcript.json is simply redone
    same = previous.audio_sha256 == fingerprint and previous.settings.get("cache_key") == key
    return previous if same else None


def _write_missing(transcript: Transcript, folder: Path) -> list[Path]:
    written = []
    for name, render in transcripts.FORMATS.items():
        if not (folder / name).is_file():
            atomic.write_text(folder / name, render(transcript))
            written.append(folder / name)
    return written


def _model_reference(model: str, root: Path) -> str:
    # A relative model folder in show.yaml means relative to the show folder.
    if model.startswith("package:") or Path(model).expanduser().is_absolute():
        return model
    if "/" in model or model.startswith(".") or (root / model).is_dir():
        return str(root / model)
    return model


def _check_engine(engine: TranscriptionEngine, settings: TranscriptionSettings, root: Path) -> None:
    wanted = _model_reference(settings.model, root)
    if engine.name != settings.engine or engine.model not in (settings.model, wanted):
        raise ValueError(f"the engine given is {engine.name} with {engine.model}, but the "
                         f"settings ask for {settings.engine} with {settings.model}")
    engine.language_for(settings.language, root / "show.yaml")


def _clamped(segment: Segment, duration: float) -> Segment | None:
    # Recognizers can stamp the last word a little past the end of the audio.
    if segment.start >= duration:
        return None
    words = tuple(replace(w, start=min(w.start, duration), end=min(w.end, duration))
                  for w in segment.words)
    return replace(segment, start=max(segment.start, 0.0), end=min(segment.end, duration),
                   words=words)


def _engine_record(info: EngineInfo) -> dict[str, Any]:
    return {"name": info.engine, "model": info.model, "speech_duration": round(
        info.speech_duration, 3), "options": info.options}


def _settings_record(show: Show, episode: Episode, settings: TranscriptionSettings, key: str,
                     transcript: Transcript) -> dict[str, Any]:
    return {**settings.as_dict(), "diarizer": settings.diarizer,
            "glossary": list(show.glossary),
            "corrections": [list(pair) for pair in show.corrections],
            "speakers": _speaker_recipe(show, episode),
            **transcript.settings, "cache_key": key}


def _speaker_recipe(show: Show, episode: Episode) -> list[Any]:
    # Names come from show.yaml and episode.yaml; an enrolled voice sample changes the mapping.
    guests = episode.guests
    samples = [p for p in [h.voice_sample for h in show.hosts] +
               [g.voice_sample for g in guests] if p is not None]
    return [[h.name for h in show.hosts], list(episode.guest_slugs),
            [atomic.sha256(p) if p.is_file() else str(p) for p in samples]]


def _summary(episode: Episode, transcript: Transcript, started: float) -> str:
    names = sorted({s.speaker for s in transcript.segments if s.speaker})
    who = f", {len(names)} speaker(s)" if names else ""
    words = sum(len(s.text.split()) for s in transcript.segments)
    minutes, seconds = divmod(int(round(transcript.duration)), 60)
    return (f"{episode.id}: transcribed {minutes}:{seconds:02d} of audio into {words} words"
            f"{who} in {time.monotonic() - started:.0f} s with {transcript.engine} "
            f"({transcript.model}) -> {episode.folder}/transcript.*")


class _Progress:
    """A one-line progress bar over audio time on stderr, only when stderr is a terminal."""

    def __init__(self, total: float, stream: IO[str] | None) -> None:
        self.total = max(total, 1e-6)
        self.stream = stream if stream is not None and stream.isatty() else None
        self.started = time.monotonic()

    def __enter__(self) -> Any:
        return self.advance

    def __exit__(self, *_: object) -> None:
        if self.stream is not None:
            self.stream.write("\n")
            self.stream.flush()

    def advance(self, segments: Iterable[Segment]) -> Iterator[Segment]:
        self._draw(0.0)
        for segment in segments:
            self._draw(segment.end)
            yield segment
        self._draw(self.total)

    def _draw(self, done: float) -> None:
        if self.stream is None:
            return
        share = min(max(done / self.total, 0.0), 1.0)
        bar = "#" * int(share * 30)
        elapsed = time.monotonic() - self.started
        self.stream.write(f"\rtranscribing [{bar:<30}] {share:4.0%} of {clock(self.total)} "
                          f"audio, {elapsed:.0f} s")
        self.stream.flush()


def stage_inputs(show: Show, episode: Episode) -> list[Any]:
    """What the transcript depends on, for the up-to-date check (see `digest`)."""
    voices = [h.voice_sample for h in show.hosts] + [g.voice_sample for g in episode.guests]
    tracks = [[t.slug, episode.folder / t.file] for t in episode.tracks]
    return [tracks or episode.audio_path, show.transcription.as_dict(), show.glossary,
            show.corrections, [h.name for h in show.hosts], episode.guest_slugs, voices]
