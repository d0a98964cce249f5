"""Mastering a block at a time: the same loudness, limiter, joins and silences as on whole
arrays, and memory that does not grow with the length of the recording."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest

from showrunner.audio import loudness, streamed
from showrunner.audio.mastering import Audio, _crossfade
from showrunner.audio.pcm import Pcm, Programme, blocks, decode_to_disk
from showrunner.split.cutplan import Silence

RATE = 44100
REPO = Path(__file__).resolve().parents[2]


def _talk_like(seconds: float, channels: int = 2, seed: int = 7) -> np.ndarray:
    """Noise shaped like speech: syllables (4 Hz), phrases and pauses, a few loud clicks."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    syllables = np.abs(np.sin(2 * np.pi * 4 * t)) ** 2
    phrases = (np.sin(2 * np.pi * 0.2 * t) > -0.3).astype(np.float32)
    signal = rng.standard_normal((t.size, channels)) * (0.08 * syllables * phrases)[:, None]
    signal[rng.integers(0, t.size, 40)] = 0.95
    return signal.astype(np.float32)


def _pcm(samples: np.ndarray) -> Pcm:
    file = tempfile.TemporaryFile()  # noqa: SIM115 — kept open by the Pcm
    file.write(np.ascontiguousarray(samples, dtype=np.float32).tobytes())
    file.flush()
    return Pcm(file, RATE, samples.shape[1], 0, samples.shape[0])


def test_streamed_loudness_equals_pyloudnorm_on_the_whole_programme() -> None:
    speech = _talk_like(75.0) * np.float32([1.0, 0.6])
    meter = streamed.Meter(RATE, 2)
    for start in range(0, speech.shape[0], 12_345):  # blocks that split the 100 ms steps
        meter.add(speech[start:start + 12_345])
    whole = pyloudnorm.Meter(RATE).integrated_loudness(speech.astype(np.float64))
    assert meter.loudness() == pytest.approx(whole, abs=1e-6)  # the target is 0.1 LU
    assert streamed.measure(_pcm(speech))[0] == pytest.approx(whole, abs=1e-6)


def test_streamed_limiter_and_rounds_give_the_in_memory_samples() -> None:
    speech = _talk_like(40.0, channels=1)
    signal = Audio(speech, RATE)
    measured = streamed.measure(signal)
    cache = streamed.PeakCache(signal)
    expected, reduction = loudness.limit(speech, RATE, -1.5, gain_db=6.0)
    limiter = streamed.Limited(signal, cache, measured[1], -1.5, 6.0)
    assert np.array_equal(np.concatenate(list(limiter)), expected)
    assert limiter.deepest_db == pytest.approx(reduction) and reduction > 1.0
    plan = streamed.normalise(signal, cache, measured, target_lufs=-16.0, ceiling_dbtp=-1.5)
    whole = loudness.normalise(speech, RATE, target_lufs=-16.0, ceiling_dbtp=-1.5)
    assert (plan.gain_db, plan.loudness) == pytest.approx((whole.gain_db, whole.loudness))
    out = np.concatenate(list(streamed.Limited(signal, cache, measured[1], -1.5, plan.gain_db)))
    assert loudness.true_peak(out, RATE) <= -1.5 + 0.05
    assert loudness.integrated_loudness(out, RATE) == pytest.approx(-16.0, abs=0.1)
    cache.close()


def test_a_programme_joins_exactly_as_concatenating_arrays_did() -> None:
    intro, body, outro = _talk_like(3.0, 1, 1), _talk_like(9.0, 1, 2), _talk_like(0.4, 1, 3)
    pieces = [Audio(intro, RATE), _pcm(body).between(1.0, 8.5), Audio(outro, RATE)]
    fade = int(0.3 * RATE)
    programme = Programme(pieces, fade, _crossfade)
    # What mastering.join did before: concatenate, mixing each overlap with pydub's crossfade.
    out = intro
    for piece, start in zip(pieces[1:], programme.starts[1:], strict=True):
        whole = piece.read(0, piece.frames)
        n = out.shape[0] - start
        out = np.concatenate([out[:start], _crossfade(out[start:], whole[:n], RATE), whole[n:]])
    assert programme.frames == out.shape[0]
    assert np.array_equal(np.concatenate(list(blocks(programme, 0.77))), out)


def test_silences_found_block_by_block_are_those_of_the_whole_array(tmp_path: Path) -> None:
    speech = _talk_like(70.0, channels=2)
    wav = tmp_path / "talk.wav"
    import soundfile

    soundfile.write(str(wav), speech, RATE, subtype="FLOAT")
    decoded = decode_to_disk(wav, rate=RATE, channels=2, folder=tmp_path)
    assert decoded.frames == speech.shape[0]
    assert np.array_equal(Silence(decoded).quiet, Silence(Audio(speech, RATE)).quiet)
    assert [p.name for p in tmp_path.iterdir()] == ["talk.wav"]  # no decoded copy left behind


def _master_in_child(minutes: float, folder: Path) -> float:
    """Peak RSS (MiB) of a fresh process that masters `minutes` of generated talk (sox)."""
    wav = folder / f"talk-{minutes:g}.wav"
    subprocess.run(["sox", "-n", "-r", str(RATE), "-c", "1", "-b", "16", str(wav), "synth",
                    str(minutes * 60), "pinknoise", "tremolo", "4", "90", "tremolo", "0.2", "60",
                    "vol", "0.3"], check=True)
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from tests.helpers import make_show, add_episode\n"
        "from showrunner.config import load_show, load_episode\n"
        "from showrunner.audio import master_episode\n"
        "root = Path(sys.argv[1]); show = make_show(root / 'show')\n"
        "add_episode(show, 'E1', 'title: Long\\nnumber: 1\\naudio: raw.wav\\n', Path(sys.argv[2]))\n"
        "loaded = load_show(show); episode = load_episode(loaded, 'E1')\n"
        "done = master_episode(loaded, episode, episode.folder / 'raw.wav', episode.folder / 'E1.mp3')\n"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "print(json.dumps({'peak': int(hwm.split()[1]) / 1024, 'duration': done.duration,\n"
        "                  'loudness': done.loudness, 'true_peak': done.true_peak}))\n")
    root = folder / f"show-{minutes:g}"
    done = subprocess.run([sys.executable, "-c", code, str(root), str(wav)], cwd=REPO,
                          capture_output=True, text=True, check=True)
    facts = json.loads(done.stdout.strip().splitlines()[-1])
    assert facts["duration"] == pytest.approx(minutes * 60, abs=0.05)
    assert facts["loudness"] == pytest.approx(-16.0, abs=0.2) and facts["true_peak"] <= -1.0
    return float(facts["peak"])


def test_mastering_memory_does_not_grow_with_length(tmp_path: Path) -> None:
    short, long = _master_in_child(1.0, tmp_path), _master_in_child(6.0, tmp_path)
    # Six minutes at 44.1 kHz are 60 MiB of float32 samples more than one minute: holding
    # the programme even once would show; a block at a time, the peak stays where it was.
    assert long / short < 1.1, (short, long)


def test_samples_on_disk_slice_like_the_decoded_array(tmp_path: Path) -> None:
    import soundfile

    from showrunner.audio import SAMPLE_RATE, decode, decode_samples

    wav = tmp_path / "talk.wav"
    soundfile.write(str(wav), _talk_like(3.0, channels=1), RATE, subtype="FLOAT")
    whole, on_disk = decode(wav), decode_samples(wav, folder=tmp_path)
    assert len(on_disk) == len(whole) == 3 * SAMPLE_RATE
    for stretch in (slice(None), slice(100, 5000), slice(-300, None), slice(47000, 60000),
                    slice(500, 100), slice(None, -1)):
        assert np.array_equal(on_disk[stretch], whole[stretch]), stretch
    assert np.array_equal(np.asarray(on_disk), whole)
    assert np.asarray(on_disk, dtype=np.float64).dtype == np.float64
    with pytest.raises(ValueError, match="steps of one"):
        on_disk[::2]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["talk.wav"]  # decoded copy unnamed
