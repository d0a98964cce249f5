"""Reading a recording: check it, fingerprint it, probe and decode it with ffmpeg.

Every failure is an AudioError naming the file and the fix, raised before anything is written.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from ..errors import AudioError, EngineError

SAMPLE_RATE = 16000
_RE_EXPORT = "re-export the recording as WAV, MP3, M4A or FLAC and copy it into the episode folder"


@dataclass(frozen=True)
class AudioInfo:
    """What ffprobe says about a recording."""

    path: Path
    container: str
    codec: str
    duration: float
    sample_rate: int
    channels: int


def check(path: Path) -> None:
    """Cheap checks before any work: the file exists, is not empty and is not text."""
    path = Path(path)
    if not path.exists():
        raise AudioError("audio file not found", path=path,
                         hint="copy the recording into the episode folder and name it in "
                              "episode.yaml's 'audio:'")
    if not path.is_file():
        raise AudioError("is not a file", path=path, hint="name the recording itself in "
                                                          "episode.yaml's 'audio:'")
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise AudioError(f"cannot be read ({exc.strerror})", path=path,
                         hint="check the file's permissions") from exc
    if not head:
        raise AudioError("audio file is empty (0 bytes)", path=path,
                         hint="copy the recording again; the copy may not have finished")
    if _looks_like_text(head):
        raise AudioError("is a text file, not audio", path=path, hint=_RE_EXPORT)


def probe(path: Path) -> AudioInfo:
    """Container, codec, duration, rate and channels of the first audio stream."""
    path = Path(path)
    check(path)
    result = _tool(["ffprobe", "-v", "error", "-print_format", "json", "-show_format",
                    "-show_streams", str(path)])
    if result.returncode != 0:
        raise AudioError(f"cannot be read as audio ({_last_line(result.stderr, path)})", path=path,
                         hint=f"the file is corrupt or not a format ffmpeg reads; {_RE_EXPORT}")
    report = json.loads(result.stdout or "{}")
    stream = next((s for s in report.get("streams", []) if s.get("codec_type") == "audio"), None)
    if stream is None:
        raise AudioError("has no audio stream", path=path,
                         hint=f"this is not a sound recording; {_RE_EXPORT}")
    container = str(report.get("format", {}).get("format_name", "unknown"))
    duration = _float(stream.get("duration")) or _float(report.get("format", {}).get("duration"))
    return AudioInfo(path, container, str(stream.get("codec_name", "unknown")), duration,
                     int(_float(stream.get("sample_rate"))), int(stream.get("channels") or 0))


def decode(path: Path, sample_rate: int = SAMPLE_RATE, channels: int = 1) -> np.ndarray:
    """The first audio stream as float32 at `sample_rate`, decoded by ffmpeg: shape (n,) for
    mono, (n, channels) otherwise."""
    with tempfile.TemporaryFile() as samples:
        frames = decode_to_file(path, samples, sample_rate, channels)
        samples.seek(0)
        # Read into a bytearray (not bytes) so the samples can be used in place, without a copy.
        data = bytearray(frames * channels * 4)
        samples.readinto(data)
    audio = np.frombuffer(data, dtype=np.float32)
    return audio if channels == 1 else audio.reshape(-1, channels)


def decode_to_file(path: Path, out: IO[bytes], sample_rate: int = SAMPLE_RATE,
                   channels: int = 1) -> int:
    """Decode the first audio stream into `out` (an open file) as raw float32 frames at
    `sample_rate`; ffmpeg writes the file itself, so no sample passes through Python. Returns
    the number of frames."""
    path = Path(path)
    probe(path)
    command = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-i", str(path),
               "-map", "0:a:0", "-vn", "-ac", str(channels), "-ar", str(sample_rate),
               "-f", "f32le", "-acodec", "pcm_f32le", "pipe:1"]
    start = out.seek(0, 2)
    with tempfile.TemporaryFile() as errors:
        _require(command[0])
        code = subprocess.run(command, stdout=out, stderr=errors, stdin=subprocess.DEVNULL,
                              check=False).returncode
        errors.seek(0)
        message = errors.read().decode("utf-8", "replace")
    if code != 0:
        raise AudioError(f"ffmpeg cannot decode it ({_last_line(message, path)})", path=path,
                         hint=f"the file is corrupt or unsupported; {_RE_EXPORT}")
    frames = (out.seek(0, 2) - start) // (4 * channels)
    if frames == 0:
        raise AudioError("holds no audio (zero length)", path=path,
                         hint=f"the recording is empty; {_RE_EXPORT}")
    return frames


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not just a character cut at the end of the sample
            return False
        text = head[:exc.start].decode("utf-8")
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return bool(text) and printable / len(text) > 0.95


def _tool(command: list[str]) -> subprocess.CompletedProcess[str]:
    _require(command[0])
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _require(tool: str) -> None:
    if shutil.which(tool) is None:
        raise EngineError(f"{tool} is not installed",
                          hint="run 'make install' (or: apt-get install ffmpeg)")


def _last_line(text: str, path: Path) -> str:
    # ffmpeg's last error line is its verdict; it often repeats the file name, already shown.
    lines = [line.strip().removeprefix(f"{path}: ") for line in text.splitlines() if line.strip()]
    return lines[-1][:160] if lines else "no detail from ffmpeg"


def _float(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
