"""Per-track transcription of a generated double-ender: real speech on each person's track
with -25 dB bleed of the other, the guest 0.3 s late and 8 dB quieter, two overlapping
backchannels; recognized by the packaged tiny.en model."""

from __future__ import annotations

import re

import pytest

from showrunner import audio
from showrunner.model import Transcript, TranscriptionSettings
from showrunner.synth.multitrack import Multitrack
from showrunner.transcribe import transcribe_tracks
from showrunner.transcribe.engines import TranscribeOptions
from showrunner.transcribe.engines.faster_whisper import FasterWhisperEngine
from showrunner.transcribe.stage import recognize

from ..conftest import GUEST, HOST
from ..helpers import PACKAGED_MODEL
from ..speech_accuracy import measure, normalize

NEAR_S = 0.5


@pytest.fixture(scope="module")
def engine() -> FasterWhisperEngine:
    return FasterWhisperEngine(PACKAGED_MODEL,
                               compute_type=TranscriptionSettings().compute_type)


@pytest.fixture(scope="module")
def recognized(multitrack: Multitrack, engine: FasterWhisperEngine) -> tuple[Transcript, Transcript]:
    """The multitrack transcript, and the mixed single-track recording's, same engine."""
    samples, notes = audio.read_tracks(multitrack.tracks)
    aligned = audio.level_tracks(audio.align_tracks(samples, audio.SAMPLE_RATE,
                                                    paths=multitrack.tracks, notes=notes))
    options = TranscribeOptions()
    tracks = transcribe_tracks(engine, aligned, options)
    mixed = recognize(engine, audio.decode(multitrack.mixed), options)
    return tracks, mixed


def test_every_word_carries_the_right_name(multitrack: Multitrack,
                                           recognized: tuple[Transcript, Transcript]) -> None:
    transcript, _ = recognized
    words = [w for s in transcript.segments for w in s.words]
    assert {w.speaker for w in words} == {HOST, GUEST}
    assert all(s.speaker == w.speaker for s in transcript.segments for w in s.words)
    judged = wrong = 0
    for word in words:
        said_by = _said_by(multitrack, _plain(word.text), (word.start + word.end) / 2)
        if len(said_by) == 1:  # a script word only one person says near this time
            judged += 1
            wrong += said_by != {word.speaker}
    assert judged > 0.8 * len(words)
    assert wrong == 0, f"{wrong} of {judged} words carry the wrong name"


def test_bleed_adds_no_words_and_wer_is_no_worse_than_the_mix(
        multitrack: Multitrack, recognized: tuple[Transcript, Transcript]) -> None:
    transcript, mixed = recognized
    script = multitrack.script_text()
    ours = measure(script, " ".join(s.text for s in transcript.segments))
    theirs = measure(script, " ".join(s.text for s in mixed.segments))
    assert ours.wer <= theirs.wer, (ours, theirs)
    spoken = len(normalize(" ".join(script)).split())
    heard = len(normalize(" ".join(s.text for s in transcript.segments)).split())
    assert heard <= spoken  # bleed recognized twice would push this over
    assert transcript.settings["multitrack"]["bleed_words_dropped"] > 0.3 * spoken


def test_overlapping_backchannels_keep_both_people_in_time_order(
        recognized: tuple[Transcript, Transcript]) -> None:
    transcript, _ = recognized
    starts = [s.start for s in transcript.segments]
    assert starts == sorted(starts)
    exactly = [s for s in transcript.segments if "exactly" in s.text.lower()]
    assert [s.speaker for s in exactly] == [HOST]
    # The guest talks right through the host's "Yes, exactly.": her words around it stay hers.
    around = [s for s in transcript.segments if s.speaker == GUEST
              and s.start <= exactly[0].end and exactly[0].start <= s.end]
    assert around, "the guest's words under the backchannel were lost"
    sense = [s for s in transcript.segments if "sense" in s.text.lower()]
    assert [s.speaker for s in sense] == [GUEST]
    assert any(s.speaker == HOST and s.start <= sense[0].end and sense[0].start <= s.end
               for s in transcript.segments)


def _said_by(multitrack: Multitrack, word: str, time: float) -> set[str]:
    return {t.speaker for t in multitrack.turns
            if t.start - NEAR_S <= time <= t.end + NEAR_S
            and word in {_plain(w) for w in t.text.split()}}


def _plain(text: str) -> str:
    return re.sub(r"[^a-z0-9']", "", text.lower())
