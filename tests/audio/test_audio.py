"""Reading recordings with real ffmpeg: decoding, fingerprints, and one-line errors for bad files."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile

from showrunner import atomic
from showrunner.audio import reading as audio
from showrunner.errors import AudioError
from showrunner.synth import Conversation


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", *args], check=True)


@pytest.fixture(scope="module")
def stereo_44k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two seconds of a 440 Hz tone, stereo at 44.1 kHz, as FLAC."""
    path = tmp_path_factory.mktemp("audio") / "tone.flac"
    t = np.arange(2 * 44100) / 44100
    tone = 0.4 * np.sin(2 * np.pi * 440 * t)
    soundfile.write(str(path), np.stack([tone, tone], axis=1), 44100)
    return path


def test_decode_gives_float32_mono_16k(stereo_44k: Path) -> None:
    samples = audio.decode(stereo_44k)
    assert samples.dtype == np.float32 and samples.ndim == 1
    assert abs(len(samples) - 2 * 16000) <= 16
    assert samples.flags.writeable  # usable in place, no copy needed
    # ffmpeg's stereo-to-mono mix of two equal channels is 3 dB up (each weighted 1/sqrt 2).
    assert float(np.max(np.abs(samples))) == pytest.approx(0.4 * 2 ** 0.5, rel=0.03)
    # Still a 440 Hz tone after resampling.
    spectrum = np.abs(np.fft.rfft(samples))
    assert abs(np.argmax(spectrum) * 16000 / len(samples) - 440) < 2


def test_decode_mp3_matches_the_wav(conversation: Conversation, tmp_path: Path) -> None:
    clip = tmp_path / "clip.wav"
    _ffmpeg("-i", str(conversation.wav), "-t", "5", str(clip))
    mp3 = tmp_path / "clip.mp3"
    _ffmpeg("-i", str(clip), "-b:a", "128k", str(mp3))
    wav_samples, mp3_samples = audio.decode(clip), audio.decode(mp3)
    assert abs(len(mp3_samples) - len(wav_samples)) < 0.1 * 16000  # encoder padding only
    assert audio.probe(mp3).codec == "mp3"
    assert audio.probe(clip).duration == pytest.approx(5.0, abs=0.01)


def test_sha256_is_of_the_bytes(stereo_44k: Path) -> None:
    assert atomic.sha256(stereo_44k) == hashlib.sha256(stereo_44k.read_bytes()).hexdigest()


def _silent_wav(path: Path, frames: int) -> None:
    soundfile.write(str(path), np.zeros(frames, dtype=np.float32), 16000, subtype="PCM_16")


BAD = {
    "empty file": ("raw.wav", lambda p: p.write_bytes(b""), "empty"),
    "corrupt file": ("raw.wav", lambda p: p.write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunk"
                                                         + bytes(range(256)) * 12),
                     "cannot be read as audio"),
    "text renamed .mp3": ("notes.mp3", lambda p: p.write_text("just some text\n"), "text file"),
    "image renamed .m4a": ("raw.m4a", lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200)),
                           "raw.m4a"),
    "random bytes as .ogg": ("raw.ogg", lambda p: p.write_bytes(bytes(range(1, 256)) * 40),
                             "raw.ogg"),
    "zero-length audio": ("raw.wav", lambda p: _silent_wav(p, 0), "zero length"),
    "missing file": ("gone.wav", lambda p: None, "not found"),
    "a folder": ("raw.wav", lambda p: p.mkdir(), "not a file"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_audio_is_one_line_naming_the_file_and_the_fix(case: str, tmp_path: Path) -> None:
    name, make, needle = BAD[case]
    path = tmp_path / name
    make(path)
    with pytest.raises(AudioError) as caught:
        audio.decode(path)
    line = caught.value.one_line()
    assert "\n" not in line and name in line and needle in line
    assert caught.value.hint  # says how to fix it


def test_video_without_sound_has_no_audio_stream(tmp_path: Path) -> None:
    video = tmp_path / "raw.mp4"
    _ffmpeg("-f", "lavfi", "-i", "color=c=red:s=32x32:d=1", "-c:v", "libx264", str(video))
    with pytest.raises(AudioError, match="no audio stream"):
        audio.decode(video)
