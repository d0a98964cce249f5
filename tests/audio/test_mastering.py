"""Finished audio: loudness, true peak and limiter, crossfaded joins, MP3 export with ID3 tags.

Levels are checked with ffmpeg's own EBU R128 meter as well as ours, so the two can't agree by
sharing a mistake.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import soundfile
from mutagen.id3 import ID3

from showrunner.audio import loudness
from showrunner.audio.mastering import Audio, join, load_audio, load_clips, master_episode
from showrunner.config import load_episode, load_show
from showrunner.errors import AudioError
from showrunner.model import Chapter
from showrunner.synth import TOPICS, Conversation, Line, interview_script, speak
from showrunner.synth.speech import GUEST_VOICE, HOST_VOICE

from ..conftest import GUEST, HOST
from ..helpers import SHOW_YAML, add_episode, make_show

RATE = 44100


@pytest.fixture(scope="module")
def talk() -> Conversation:
    """About 45 seconds: one topic, host and guest."""
    return speak(interview_script(HOST, GUEST, TOPICS[:1]), {HOST: HOST_VOICE, GUEST: GUEST_VOICE})


def _ebur128(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) by ffmpeg's ebur128 filter."""
    report = subprocess.run(["ffmpeg", "-nostats", "-i", str(path), "-af", "ebur128=peak=true",
                             "-f", "null", "-"], capture_output=True, text=True, check=True).stderr
    level = float(re.findall(r"I:\s+(-?[\d.]+) LUFS", report)[-1])
    peak = float(re.findall(r"Peak:\s+(-?[\d.]+|-inf) dBFS", report)[-1])
    return level, peak


def _wav(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    soundfile.write(str(path), samples, rate, subtype="FLOAT")
    return path


def test_true_peak_sees_between_samples_and_the_limiter_holds(tmp_path: Path) -> None:
    # A sine at a quarter of the rate, sampled 45 degrees off its crests: every sample is at
    # 0.707 of the real peak, so sample peak and true peak differ by 3 dB.
    # It fades in and out over 50 ms: an abrupt start would ring in any interpolation filter.
    t = np.arange(RATE * 2) / RATE
    fade = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.05)
    wave = (0.9 * fade * np.sin(2 * np.pi * RATE / 4 * t + np.pi / 4)).astype(np.float32)[:, None]
    sample_peak = 20 * np.log10(np.abs(wave).max())
    assert loudness.true_peak(wave, RATE) == pytest.approx(20 * np.log10(0.9), abs=0.1)
    assert loudness.true_peak(wave, RATE) - sample_peak == pytest.approx(3.0, abs=0.15)
    assert _ebur128(_wav(tmp_path / "sine.wav", wave))[1] == pytest.approx(
        20 * np.log10(0.9), abs=0.2)
    limited, reduction = loudness.limit(wave, RATE, -3.0)
    assert reduction > 1.0
    assert loudness.true_peak(limited, RATE) <= -3.0 + 0.05


def test_normalise_lands_on_target_with_peaks_under_the_ceiling(talk: Conversation,
                                                                tmp_path: Path) -> None:
    speech = load_audio(talk.wav, rate=RATE, channels=1)
    done = loudness.normalise(speech.samples, RATE, target_lufs=-16.0, ceiling_dbtp=-1.5)
    assert done.limited_db > 1.0  # espeak's peaks: the limiter had work to do
    assert done.loudness == pytest.approx(-16.0, abs=loudness.ROUND_TOLERANCE_LU)
    assert loudness.integrated_loudness(done.samples, RATE) == pytest.approx(done.loudness)
    level, peak = _ebur128(_wav(tmp_path / "normalised.wav", done.samples))
    assert level == pytest.approx(-16.0, abs=0.2) and peak <= -1.4


def test_long_programmes_are_measured_a_minute_at_a_time_exactly(
        conversation: Conversation) -> None:
    speech = load_audio(conversation.wav, rate=RATE, channels=2).samples * np.float32([1.0, 0.5])
    assert speech.shape[0] > 3 * 60 * RATE  # long enough to be measured in pieces
    whole = pyloudnorm.Meter(RATE).integrated_loudness(speech.astype(np.float64))
    assert loudness.integrated_loudness(speech, RATE) == pytest.approx(whole, abs=1e-6)


def test_join_crossfades_and_reports_where_each_piece_starts() -> None:
    one = Audio(np.full((RATE, 1), 0.5, dtype=np.float32), RATE)
    two = Audio(np.full((RATE, 1), -0.5, dtype=np.float32), RATE)
    joined, starts = join([one, two], 0.3)
    assert joined.duration == pytest.approx(1.7, abs=0.001)
    assert starts == pytest.approx([0.0, 0.7], abs=0.001)
    middle = joined.samples[int(0.7 * RATE):int(RATE), 0]
    assert middle[0] == pytest.approx(0.5, abs=0.01) and middle[-1] == pytest.approx(-0.5, abs=0.01)
    assert np.all(np.diff(middle) <= 1e-6)  # a fade from one into the other, no jump
    assert joined.samples[int(1.2 * RATE), 0] == pytest.approx(-0.5)


@pytest.fixture
def framed_show(tmp_path: Path, talk: Conversation) -> Path:
    """A show with an intro and an outro clip and one episode with the talk as its recording."""
    intro = speak([Line(HOST, "This is Test Kitchen.")], {HOST: HOST_VOICE}, pause=0.3)
    outro = speak([Line(HOST, "Thanks for listening to Test Kitchen.")], {HOST: HOST_VOICE},
                  pause=0.3)
    show = make_show(tmp_path / "show", show_yaml=SHOW_YAML + "audio:\n  intro: audio/intro.wav\n"
                     "  outro: audio/outro.wav\n  loudness_lufs: -18\n  true_peak_dbtp: -2\n")
    (show / "audio").mkdir()
    (show / "audio" / "intro.wav").write_bytes(intro.wav.read_bytes())
    (show / "audio" / "outro.wav").write_bytes(outro.wav.read_bytes())
    add_episode(show, "E3", "title: Starters\nnumber: 3\ndate: 2026-02-01\nguests: [mary-chen]\n"
                            "audio: raw.wav\n", talk.wav)
    return show


def test_master_one_episode_with_intro_outro_chapters_and_tags(framed_show: Path,
                                                               talk: Conversation) -> None:
    show = load_show(framed_show)
    episode = load_episode(show, "E3")
    out = episode.folder / "E3.mp3"
    done = master_episode(show, episode, episode.folder / "raw.wav", out,
                          chapters=[Chapter(0.0, "Hello"), Chapter(12.0, "Starters")])
    intro = load_audio(framed_show / "audio" / "intro.wav", rate=RATE, channels=1)
    outro = load_audio(framed_show / "audio" / "outro.wav", rate=RATE, channels=1)
    assert done.offset == pytest.approx(intro.duration - 0.3, abs=0.002)
    assert done.duration == pytest.approx(intro.duration + talk.duration + outro.duration - 0.6,
                                          abs=0.05)
    assert [(c.start, c.title) for c in done.chapters] == \
        [(0.0, "Hello"), (pytest.approx(12.0 + done.offset, abs=0.001), "Starters")]
    level, peak = _ebur128(out)
    assert level == pytest.approx(-18.0, abs=0.5) and peak <= -2.0
    assert done.loudness == pytest.approx(level, abs=0.2)

    tags = ID3(out)
    assert str(tags["TIT2"]) == "Starters" and str(tags["TRCK"]) == "3"
    assert [str(c.sub_frames["TIT2"]) for c in sorted(tags.getall("CHAP"),
                                                      key=lambda c: c.start_time)] == \
        ["Hello", "Starters"]
    assert tags.getall("CTOC")[0].child_element_ids == ["chp0", "chp1"]
    # The intro opens the file: the first second correlates with the intro clip.
    head = load_audio(out, rate=RATE, channels=1).samples[:RATE, 0]
    reference = intro.samples[:RATE, 0]
    assert np.corrcoef(head, reference)[0, 1] > 0.9


def test_missing_clip_and_unreadable_audio_are_one_line_errors(framed_show: Path,
                                                               tmp_path: Path) -> None:
    (framed_show / "audio" / "outro.wav").unlink()
    with pytest.raises(AudioError) as missing:
        load_clips(load_show(framed_show), welcome_back=False)
    assert "outro.wav" in missing.value.one_line() and "audio.outro" in missing.value.one_line()
    text = tmp_path / "notes.wav"
    text.write_text("not audio at all\n")
    with pytest.raises(AudioError) as unreadable:
        load_audio(text, rate=RATE, channels=1)
    assert "notes.wav" in unreadable.value.one_line() and "\n" not in unreadable.value.one_line()
