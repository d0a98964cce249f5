"""Multitrack recordings: alignment, levelling, mixing and bad tracks, on generated
double-ender tracks (real espeak-ng speech, -25 dB bleed, guest 0.3 s late, 8 dB quieter)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile
from scipy.signal import resample_poly

from showrunner import audio
from showrunner.audio.loudness import integrated_loudness, normalise, true_peak
from showrunner.errors import AudioError
from showrunner.synth.multitrack import Multitrack

from ..conftest import GUEST, HOST

RATE = audio.SAMPLE_RATE


@pytest.fixture(scope="module")
def aligned(multitrack: Multitrack) -> audio.AlignedTracks:
    samples, notes = audio.read_tracks(multitrack.tracks)
    return audio.align_tracks(samples, RATE, paths=multitrack.tracks, notes=notes)


def test_the_offset_is_found_within_10_ms(aligned: audio.AlignedTracks) -> None:
    assert aligned.offsets[HOST] == 0.0
    assert abs(aligned.offsets[GUEST] - 0.3) <= 0.010
    assert len({len(s) for s in aligned.samples.values()}) == 1
    assert aligned.notes == ()


def test_an_early_track_is_found_too(multitrack: Multitrack) -> None:
    host = audio.decode(multitrack.tracks[HOST])
    guest = audio.decode(multitrack.tracks[GUEST])[int(1.5 * RATE):]  # now 1.2 s early
    assert audio.find_offset(host, guest, RATE) == pytest.approx(-1.2, abs=0.010)


def test_levelling_brings_a_quiet_guest_to_the_host(multitrack: Multitrack,
                                                   aligned: audio.AlignedTracks) -> None:
    # The two espeak voices differ by themselves; the guest's track is 8 dB under that.
    clean = audio.decode(multitrack.mixed)
    natural = _loudness_of(clean, multitrack, HOST) - _loudness_of(clean, multitrack, GUEST)
    raw = {name: integrated_loudness(s, RATE) for name, s in aligned.samples.items()}
    assert raw[HOST] - raw[GUEST] == pytest.approx(natural + 8.0, abs=1.0)
    mixed = audio.mix_tracks(audio.level_tracks(aligned))
    # Each voice measured in the mix, over the turns where it speaks alone.
    loudness = {name: _loudness_of(mixed, multitrack, name) for name in (HOST, GUEST)}
    assert abs(loudness[HOST] - loudness[GUEST]) <= 1.0, loudness


def test_the_mastered_mix_meets_the_target(aligned: audio.AlignedTracks) -> None:
    mixed = audio.mix_tracks(audio.level_tracks(aligned))
    # The limiter aims under the show's -1 dBTP by the headroom mastering keeps for the MP3.
    mastered = normalise(mixed[:, None], RATE, target_lufs=-16.0, ceiling_dbtp=-1.5)
    assert integrated_loudness(mastered.samples, RATE) == pytest.approx(-16.0, abs=0.3)
    assert true_peak(mastered.samples, RATE) <= -1.0


def test_the_noise_gate_silences_the_bleed(aligned: audio.AlignedTracks,
                                           multitrack: Multitrack) -> None:
    gated = audio.level_tracks(aligned, gate_db=-40.0).samples[GUEST]
    host_alone = multitrack.turns[0]  # the host's welcome: only bleed on the guest's track
    lo, hi = int((host_alone.start + 0.2) * RATE), int((host_alone.end - 0.2) * RATE)
    assert float(np.max(np.abs(gated[lo:hi]))) == 0.0
    ungated = audio.level_tracks(aligned).samples[GUEST]
    assert float(np.max(np.abs(ungated[lo:hi]))) > 0.0


def test_tracks_that_share_nothing_are_one_clear_error(multitrack: Multitrack) -> None:
    host = audio.decode(multitrack.tracks[HOST])
    noise = np.random.default_rng(7).normal(0, 0.05, len(host)).astype(np.float32)
    with pytest.raises(AudioError, match="cannot find the offset of track 'noise'") as caught:
        audio.align_tracks({HOST: host, "noise": noise}, RATE,
                           paths={"noise": Path("noise.wav")})
    assert caught.value.path == Path("noise.wav")


def test_a_missing_track_names_the_file(multitrack: Multitrack, tmp_path: Path) -> None:
    paths = {HOST: multitrack.tracks[HOST], GUEST: tmp_path / "mary.wav"}
    with pytest.raises(AudioError, match="track 'Mary Chen' not found") as caught:
        audio.read_tracks(paths)
    assert caught.value.path == tmp_path / "mary.wav"


def test_a_stereo_track_names_the_file(multitrack: Multitrack, tmp_path: Path) -> None:
    samples, rate = soundfile.read(str(multitrack.tracks[GUEST]), dtype="float32")
    stereo = tmp_path / "both.wav"
    soundfile.write(str(stereo), np.stack([samples, samples], axis=1), rate)
    with pytest.raises(AudioError, match="has 2 channels") as caught:
        audio.read_tracks({HOST: multitrack.tracks[HOST], GUEST: stereo})
    assert caught.value.path == stereo


def test_other_rates_and_lengths_are_resampled_and_padded_with_a_note(
        multitrack: Multitrack, tmp_path: Path) -> None:
    samples, rate = soundfile.read(str(multitrack.tracks[GUEST]), dtype="float32")
    other = tmp_path / "mary-44k.wav"
    soundfile.write(str(other), resample_poly(samples[: len(samples) - 3 * rate], 441, 160),
                    44100)
    paths = {HOST: multitrack.tracks[HOST], GUEST: other}
    loaded, notes = audio.read_tracks(paths)
    result = audio.align_tracks(loaded, RATE, paths=paths, notes=notes)
    assert any("44100 Hz: resampled" in note for note in result.notes)
    assert any("shorter: padded" in note for note in result.notes)
    assert abs(result.offsets[GUEST] - 0.3) <= 0.010
    assert len({len(s) for s in result.samples.values()}) == 1


def _loudness_of(mixed: np.ndarray, multitrack: Multitrack, speaker: str) -> float:
    """Loudness of the mix over `speaker`'s turns that overlap nobody else's."""
    turns = multitrack.turns
    alone = [t for t in turns if t.speaker == speaker and not any(
        o is not t and o.start < t.end and t.start < o.end for o in turns)]
    return integrated_loudness(
        np.concatenate([mixed[int(t.start * RATE): int(t.end * RATE)] for t in alone]), RATE)
