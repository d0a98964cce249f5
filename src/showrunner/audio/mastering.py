"""Finished audio for one episode: the show's intro, the "welcome back" bumper, the conversation
and the outro, joined with short crossfades, brought to the show's loudness target and exported
as an MP3 with ID3v2.4 tags (title, show, episode number, artwork, chapters).

`split` masters each part with it; the pipeline masters a single episode with it.
Order: transcribe must run first when chapters are to come from the transcript.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
from pydub import AudioSegment

from .. import atomic
from ..digest import loaded_settings
from ..errors import AudioError, EngineError
from ..layout import TRANSCRIPT_JSON, mastered_audio
from ..model import Chapter, Episode, Show, clock
from . import reading as audio
from . import streamed
from .pcm import Audio, Pcm, Programme, Signal, decode_to_disk, positions
from .tags import write_tags

# MP3 encoding can raise inter-sample peaks a little; the limiter aims this far under the
# show's ceiling, and lowers its aim further if the decoded MP3 still goes over.
MP3_HEADROOM_DB = 0.5
_ENCODE_TRIES = 3
LOUDNESS_TOLERANCE_LU = 0.2  # the MP3 is encoded again if it lands further than this off target


@dataclass(frozen=True)
class ShowClips:
    """The show's recorded clips that frame a conversation, decoded (None = not configured)."""

    intro: Audio | None
    welcome_back: Audio | None
    outro: Audio | None
    crossfade: float

    def lead_in(self, *, welcome_back: bool) -> float:
        """About how far into the finished file the conversation starts."""
        before = [c for c in (self.intro, self.welcome_back if welcome_back else None) if c]
        return sum(c.duration - self.crossfade for c in before)

    def added(self, *, welcome_back: bool) -> float:
        """About how many seconds the clips add to the conversation."""
        outro = self.outro.duration - self.crossfade if self.outro else 0.0
        return self.lead_in(welcome_back=welcome_back) + outro

    def pieces(self, body: Signal, *, welcome_back: bool) -> list[Signal]:
        """The order of a finished file: intro, welcome-back bumper, conversation, outro."""
        bumper = self.welcome_back if welcome_back else None
        return [a for a in (self.intro, bumper, body, self.outro) if a is not None]

    def layout(self, body: Signal, *, welcome_back: bool) -> tuple[float, float]:
        """Exactly where the conversation starts in the finished file, and the file's length,
        in seconds (known before any audio is joined)."""
        pieces = self.pieces(body, welcome_back=welcome_back)
        starts, total = positions([p.frames for p in pieces],
                                  int(round(self.crossfade * body.rate)))
        return starts[_index(pieces, body)] / body.rate, total / body.rate


@dataclass(frozen=True)
class MasteredAudio:
    """A finished MP3 and what was measured on it after decoding it again."""

    path: Path
    duration: float
    loudness: float  # LUFS, integrated
    true_peak: float  # dBTP, 4x oversampled
    offset: float  # where the conversation starts in the file (after intro and bumper)
    chapters: tuple[Chapter, ...]

    @property
    def summary(self) -> str:
        return (f"{self.path.name}: {clock(self.duration)}, {self.loudness:.1f} LUFS, "
                f"true peak {self.true_peak:.1f} dBTP, {len(self.chapters)} chapters")


def load_audio(path: Path, *, rate: int, channels: int) -> Audio:
    """Decode any audio file ffmpeg reads to float samples at `rate` Hz and `channels`."""
    samples = audio.decode(path, sample_rate=rate, channels=channels)
    return Audio(samples.reshape(-1, channels), rate)


def load_clips(show: Show, *, welcome_back: bool) -> ShowClips:
    """Decode the show's intro, outro and (when wanted) welcome-back bumper; check the artwork.

    A clip named in show.yaml that is missing or unreadable is an error, before anything is
    written; a clip that is not configured is simply left out.
    """
    settings = show.audio

    def clip(path: Path | None, key: str) -> Audio | None:
        if path is None:
            return None
        if not path.is_file():
            raise AudioError(f"the {key.replace('_', '-')} clip named in show.yaml (audio.{key}) "
                             "is missing", path=path,
                             hint=f"put the clip there or remove 'audio.{key}' from show.yaml")
        return load_audio(path, rate=settings.sample_rate, channels=settings.channels)

    if show.artwork is not None and not show.artwork.is_file():
        raise AudioError("the artwork named in show.yaml is missing", path=show.artwork,
                         hint="put a square JPEG or PNG there or fix 'artwork:' in show.yaml")
    return ShowClips(intro=clip(settings.intro, "intro"),
                     welcome_back=clip(settings.welcome_back, "welcome_back") if welcome_back
                     else None,
                     outro=clip(settings.outro, "outro"),
                     crossfade=settings.crossfade_ms / 1000)


def master_episode(show: Show, episode: Episode, source: Path | Audio | Pcm, out: Path, *,
                   chapters: Sequence[Chapter] = (), chapters_from: str = "source",
                   welcome_back: bool = False, clips: ShowClips | None = None) -> MasteredAudio:
    """Produce the finished MP3 `out` for `episode` from `source` (a file or decoded audio).

    `chapters` (the episode's chapters.json) become the ID3 chapters. They are timed from the
    start of `source` (`chapters_from="source"`), and moved by whatever is put before it, or
    already timed to the finished file (`"output"`, as a split part's are). With
    `welcome_back` (a part after the first) the show's bumper follows the intro. Loudness and
    true peak are measured on the MP3 decoded again. The audio is read a block at a time (a
    file is decoded to a temporary file first), so memory does not grow with its length.
    """
    settings = show.audio
    clips = clips or load_clips(show, welcome_back=welcome_back)
    body = source if isinstance(source, Audio | Pcm) else \
        decode_to_disk(source, rate=settings.sample_rate, channels=settings.channels,
                       folder=out.parent)
    pieces = clips.pieces(body, welcome_back=welcome_back)
    programme = Programme(pieces, int(round(clips.crossfade * body.rate)), _crossfade)
    offset = programme.starts[_index(pieces, body)] / body.rate
    marks = place_chapters(chapters, offset if chapters_from == "source" else 0.0,
                           programme.duration)
    with atomic.temporary_path(out) as tmp:
        duration, level, peak = _export(programme, tmp, show)
        write_tags(tmp, show, episode, marks, duration=duration)
    return MasteredAudio(out, duration, level, peak, offset, marks)


def join(pieces: Sequence[Audio], crossfade: float) -> tuple[Audio, list[float]]:
    """Concatenate `pieces`, crossfading each join over `crossfade` seconds (pydub); return the
    joined audio and the time at which each piece's own start lands in it."""
    rate = pieces[0].rate
    programme = Programme(pieces, int(round(crossfade * rate)), _crossfade)
    joined = np.array(programme.read(0, programme.frames), dtype=np.float32)
    return Audio(joined, rate), [start / rate for start in programme.starts]


def place_chapters(chapters: Sequence[Chapter], offset: float,
                   duration: float) -> tuple[Chapter, ...]:
    """Chapters in the finished file: moved by `offset`, the first at 0, none within a second
    of the end, no two at the same time."""
    moved = sorted((Chapter(round(c.start + offset, 3), c.title) for c in chapters),
                   key=lambda c: c.start)
    kept: list[Chapter] = []
    for chapter in moved:
        start = 0.0 if not kept else chapter.start
        if start < duration - 1.0 and (not kept or start >= kept[-1].start + 1.0):
            kept.append(Chapter(start, chapter.title))
    return tuple(kept)


def conversation_start(show: Show, episode: Episode) -> float:
    """Where a single episode's recording (what its transcript is timed on) starts in its
    mastered MP3: after the show's intro. 0 for a split part (its transcript is timed to its
    MP3 already) and for an episode with no mastered MP3 (listeners get the recording)."""
    intro = show.audio.intro
    if episode.source or intro is None or not intro.is_file() \
            or not mastered_audio(episode).is_file():
        return 0.0
    clip = load_audio(intro, rate=show.audio.sample_rate, channels=show.audio.channels)
    return clip.duration - min(show.audio.crossfade_ms / 1000, clip.duration / 2)


# ---------------------------------------------------------------- internals


def _export(programme: Programme, tmp: Path, show: Show) -> tuple[float, float, float]:
    """Normalise, encode to `tmp` and decode it again, until the decoded MP3 is on target.

    LAME changes the level a little (about -0.45 dB at 128 kbit/s CBR), so that change is
    measured on an excerpt first and allowed for; a file still off target is done again with
    the aim corrected. Each step is a pass over the programme a block at a time; the encoder
    is fed by the limiter's last round when that round lands on target. Returns the decoded
    MP3's duration, loudness and true peak.
    """
    settings = show.audio
    shift = _encoder_gain(programme, settings.bitrate)
    headroom = MP3_HEADROOM_DB
    cache = streamed.PeakCache(programme, tmp.parent)
    try:
        measured = streamed.measure(programme)
        for _ in range(_ENCODE_TRIES):
            ceiling = settings.true_peak_dbtp - headroom - shift
            try:
                plan = streamed.normalise(
                    programme, cache, measured, ceiling_dbtp=ceiling,
                    target_lufs=settings.loudness_lufs - shift,
                    sink=lambda blocks: _encode(blocks, programme, tmp, settings.bitrate))
            except ValueError as exc:
                raise AudioError(f"cannot be mastered: {exc}", path=tmp.parent,
                                 hint="check the recording is not silent") from exc
            if not plan.encoded:
                _encode(streamed.Limited(programme, cache, measured[1], ceiling, plan.gain_db),
                        programme, tmp, settings.bitrate)
            duration, level, peak = _measure_mp3(tmp, programme.rate, programme.channels)
            if peak <= settings.true_peak_dbtp and \
                    abs(level - settings.loudness_lufs) <= LOUDNESS_TOLERANCE_LU:
                break
            shift += level - settings.loudness_lufs
            if peak > settings.true_peak_dbtp:
                headroom += peak - settings.true_peak_dbtp + 0.2
    finally:
        cache.close()
    return duration, level, peak


def _encoder_gain(programme: Signal, bitrate: str, seconds: float = 20.0) -> float:
    """How many dB the MP3 encoder changes the level, measured on an excerpt (pipes only)."""
    middle, half = programme.frames // 2, int(seconds * programme.rate / 2)
    excerpt = programme.read(max(0, middle - half), middle + half)
    power = float(np.mean(np.square(excerpt, dtype=np.float64)))
    if power == 0.0:
        return 0.0
    channels, rate = str(excerpt.shape[1]), str(programme.rate)
    mp3 = _ffmpeg(["ffmpeg", "-nostdin", "-v", "error", "-f", "f32le", "-ar", rate, "-ac", channels,
                   "-i", "pipe:0", "-c:a", "libmp3lame", "-b:a", bitrate, "-f", "mp3", "pipe:1"],
                  Path("<mp3 encoder>"), stdin=np.ascontiguousarray(excerpt).tobytes())
    raw = _ffmpeg(["ffmpeg", "-nostdin", "-v", "error", "-f", "mp3", "-i", "pipe:0", "-f", "f32le",
                   "-ac", channels, "-ar", rate, "pipe:1"], Path("<mp3 decoder>"), stdin=mp3)
    decoded = np.frombuffer(raw, dtype=np.float32)
    return 10 * float(np.log10(max(float(np.mean(np.square(decoded, dtype=np.float64))), 1e-12)
                               / power))


def _encode(blocks: Iterable[np.ndarray], signal: Signal, out: Path, bitrate: str) -> None:
    """Encode `blocks` (float32 frames of `signal`'s rate and channels) to the MP3 `out`
    through ffmpeg's pipe, one block at a time."""
    command = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "f32le", "-ar", str(signal.rate),
               "-ac", str(signal.channels), "-i", "pipe:0", "-c:a", "libmp3lame", "-b:a", bitrate,
               "-id3v2_version", "0", "-write_id3v1", "0", "-f", "mp3", str(out)]
    with tempfile.TemporaryFile() as errors:
        process = _popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors)
        assert process.stdin is not None
        try:
            for block in blocks:
                process.stdin.write(np.ascontiguousarray(block, dtype=np.float32).data.cast("B"))
        except BrokenPipeError:
            pass  # ffmpeg stopped: its message says why
        finally:
            process.stdin.close()
        _finished(process, errors, out)


def _measure_mp3(path: Path, rate: int, channels: int) -> tuple[float, float, float]:
    """Decode the MP3 again as it streams through ffmpeg: (duration in seconds, integrated
    loudness by `streamed.Meter`, true peak by ffmpeg's ebur128 meter)."""
    command = ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-v", "info", "-i", str(path),
               "-af", "ebur128=peak=true:framelog=verbose", "-ac", str(channels),
               "-ar", str(rate), "-f", "f32le", "pipe:1"]
    meter, width, rest = streamed.Meter(rate, channels), 4 * channels, b""
    with tempfile.TemporaryFile() as errors:
        process = _popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=errors)
        output = process.stdout
        assert output is not None
        for data in iter(lambda: output.read(1 << 20), b""):
            data = rest + data
            whole = len(data) // width * width
            meter.add(np.frombuffer(data[:whole], dtype=np.float32).reshape(-1, channels))
            rest = data[whole:]
        report = _finished(process, errors, path)
    peaks = re.findall(r"Peak:\s+(-?[\d.]+|-inf) dBFS", report)
    if not peaks:
        raise EngineError("ffmpeg's ebur128 meter reported no true peak",
                          hint="install an ffmpeg with the ebur128 filter (4.0 or later)")
    return meter.frames / rate, meter.loudness(), float(peaks[-1])


def _popen(command: list[str], **streams: Any) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(command, **streams)
    except FileNotFoundError as exc:
        raise EngineError("ffmpeg is not installed", hint="run 'make install' "
                          "(or: apt-get install ffmpeg)") from exc


def _finished(process: subprocess.Popen[bytes], errors: IO[bytes], path: Path) -> str:
    """Wait for ffmpeg; its messages, or a one-line error when it failed."""
    code = process.wait()
    errors.seek(0)
    report = errors.read().decode(errors="replace")
    if code != 0:
        detail = " ".join(report.split())[-160:]
        raise AudioError(f"ffmpeg cannot read or write this audio ({detail})", path=path,
                         hint="check it is an audio file (wav, mp3, m4a, flac); re-export it "
                              "if it is damaged")
    return report


def _ffmpeg(command: list[str], path: Path, stdin: bytes | memoryview | None = None) -> bytes:
    try:
        done = subprocess.run(command, input=stdin, capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise EngineError("ffmpeg is not installed", hint="run 'make install' "
                          "(or: apt-get install ffmpeg)") from exc
    if done.returncode != 0:
        detail = " ".join(done.stderr.decode(errors="replace").split())[:160]
        raise AudioError(f"ffmpeg cannot read or write this audio ({detail})", path=path,
                         hint="check it is an audio file (wav, mp3, m4a, flac); re-export it "
                              "if it is damaged")
    return done.stdout


def _crossfade(tail: np.ndarray, head: np.ndarray, rate: int) -> np.ndarray:
    """pydub's crossfade of two equally long stretches (the end of one piece fading out, the
    start of the next fading in, overlaid), at 32-bit precision."""
    fading = _segment(tail, rate).fade(to_gain=-120.0, start=0, end=float("inf"))
    rising = _segment(head, rate).fade(from_gain=-120.0, start=0, end=float("inf"))
    mixed = fading.overlay(rising)
    return (np.frombuffer(mixed.raw_data, dtype=np.int32).reshape(-1, tail.shape[1])
            / 2.0 ** 31).astype(np.float32)


def _segment(samples: np.ndarray, rate: int) -> AudioSegment:
    ints = (np.clip(samples, -1.0, 1.0 - 2.0 ** -31) * 2.0 ** 31).astype(np.int32)
    return AudioSegment(data=ints.tobytes(), sample_width=4, frame_rate=rate,
                        channels=samples.shape[1])


def _index(pieces: Sequence[Signal], body: Signal) -> int:
    return next(i for i, piece in enumerate(pieces) if piece is body)


def stage_inputs(show: Show, episode: Episode) -> list[Any]:
    """What a single episode's finished MP3 depends on (its chapters come from the transcript),
    for the up-to-date check (see `digest`)."""
    return [episode.audio_path, episode.folder / TRANSCRIPT_JSON, loaded_settings(show, episode),
            show.audio.intro, show.audio.outro, show.artwork]
