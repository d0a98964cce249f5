"""Speaker names on real recognized words: diarization of generated voices, named from
show.yaml and episode.yaml, measured against the script's ground truth."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile

from showrunner.config import load_episode, load_show
from showrunner.demo import prepare
from showrunner.errors import AudioError, ConfigError, ShowrunnerError
from showrunner.model import Episode, Guest, Segment, Show, Transcript, Word
from showrunner.synth import Conversation, Line, interview_script, speak
from showrunner.synth.speech import GUEST_VOICE, HOST_VOICE
from showrunner.transcribe.engines.diarization import Diarization, Diarizer
from showrunner.transcribe.speakers import check_voice_samples, label_speakers

from ..conftest import GUEST, GUEST2, HOST
from ..helpers import (
    GUEST_YAML,
    PACKAGED_MODEL,
    SHOW_YAML,
    add_episode,
    assert_one_line_error,
    copy_demo_show,
    make_show,
    run,
    tree_hashes,
)

OMAR_YAML = "name: Omar Haddad\nbio: [Omar Haddad runs a coffee roastery.]\n"
SAMPLE_TEXT = ("This is Jason Reed, recording a short sample of my voice so that showrunner "
               "can always tell me apart from my guests. One, two, three, testing.")


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def whisper() -> Any:
    from faster_whisper import WhisperModel

    from showrunner.transcribe.engines import model_folder

    return WhisperModel(str(model_folder(PACKAGED_MODEL)), device="cpu", compute_type="float32")


def recognize(whisper: Any, conversation: Conversation) -> tuple[Transcript, np.ndarray]:
    """Real recognition of the conversation's audio: segments with word timings, no speakers."""
    audio, rate = soundfile.read(str(conversation.wav), dtype="float32")
    assert rate == 16000
    found, _ = whisper.transcribe(audio, word_timestamps=True, vad_filter=True, beam_size=5)
    segments = tuple(
        Segment(s.start, s.end, " ".join(s.text.split()), None,
                tuple(Word(w.start, w.end, w.word.strip(), w.probability)
                      for w in s.words or () if w.word.strip()))
        for s in found if s.text.strip())
    return Transcript(segments, conversation.duration), audio


@pytest.fixture(scope="session")
def two_recognized(whisper, conversation):  # type: ignore[no-untyped-def]
    return recognize(whisper, conversation)


@pytest.fixture(scope="session")
def host_sample() -> Path:
    """The host reading a short enrolment text, in the host's voice (as the demo's sample)."""
    return speak([Line(HOST, SAMPLE_TEXT)], {HOST: HOST_VOICE}, pause=0.3).wav


def show_with(tmp_path: Path, *, host_sample: Path | None = None,
              guest_sample: Path | None = None, guests: tuple[str, ...] = ("mary-chen",),
              ) -> tuple[Show, Episode, tuple[Guest, ...]]:
    """A show folder (optionally with enrolled samples) and an episode with `guests`."""
    yaml = SHOW_YAML
    if host_sample is not None:
        yaml = yaml.replace("    linkedin: https://www.linkedin.com/in/jason\n",
                            f"    linkedin: https://www.linkedin.com/in/jason\n"
                            f"    voice_sample: {host_sample}\n")
    mary = GUEST_YAML + (f"voice_sample: {guest_sample}\n" if guest_sample else "")
    root = make_show(tmp_path / "show", show_yaml=yaml,
                     guests={"mary-chen": mary, "omar-haddad": OMAR_YAML})
    listed = "".join(f"  - {slug}\n" for slug in guests)
    add_episode(root, "e1", "title: Test\n" + (f"guests:\n{listed}" if guests else ""))
    show = load_show(root)
    episode = load_episode(show, "e1")
    return show, episode, episode.guests


def attributed(transcript: Transcript, conversation: Conversation) -> float:
    """Share of recognized words whose name is the true speaker at the word's midpoint."""
    words = transcript.words
    assert len(words) > 100
    right = 0
    for word in words:
        middle = (word.start + word.end) / 2
        truth = conversation.speaker_at(middle) or conversation.nearest_speaker(middle)
        right += word.speaker == truth
    return right / len(words)


def assert_one_speaker_per_segment(transcript: Transcript) -> None:
    for segment in transcript.segments:
        assert segment.speaker is not None
        assert {w.speaker for w in segment.words} <= {segment.speaker}, segment


# ---------------------------------------------------------------- two voices


def test_two_voices_named_by_heuristic(two_recognized, conversation, tmp_path):
    transcript, audio = two_recognized
    show, episode, guests = show_with(tmp_path)
    labelled = label_speakers(transcript, audio, show, episode, guests)
    assert attributed(labelled, conversation) >= 0.97
    assert_one_speaker_per_segment(labelled)
    assert {d.name: d.method for d in labelled.speakers} == {HOST: "heuristic",
                                                             GUEST: "heuristic"}
    host = next(d for d in labelled.speakers if d.name == HOST)
    assert "questions" in host.detail and "opens the show" in host.detail
    # Splitting keeps every word, in order, and rebuilds text from the words it cut.
    assert [w.text for w in labelled.words] == [w.text for w in transcript.words]
    assert len(labelled.segments) >= len(transcript.segments)


def test_enrolled_host_sample_names_every_turn(two_recognized, conversation, host_sample,
                                               tmp_path):
    transcript, audio = two_recognized
    show, episode, guests = show_with(tmp_path, host_sample=host_sample)
    labelled = label_speakers(transcript, audio, show, episode, guests)
    assert attributed(labelled, conversation) >= 0.97
    decisions = {d.name: d for d in labelled.speakers}
    assert decisions[HOST].method == "enrolled sample"
    assert "similarity" in decisions[HOST].detail
    for turn in conversation.turns:
        names = [w.speaker for w in labelled.words
                 if turn.start <= (w.start + w.end) / 2 <= turn.end]
        assert names, f"no word recognized in {turn}"
        assert max(set(names), key=names.count) == turn.speaker, turn


def test_enrolled_guest_sample_names_the_guest(two_recognized, conversation, tmp_path):
    transcript, audio = two_recognized
    guest_sample = speak([Line(GUEST, "Hello, this is Mary Chen. I am recording my voice for "
                                      "the show, so that the transcript knows who I am.")],
                         {GUEST: GUEST_VOICE}, pause=0.3).wav
    show, episode, guests = show_with(tmp_path, guest_sample=guest_sample)
    labelled = label_speakers(transcript, audio, show, episode, guests)
    assert {d.name: d.method for d in labelled.speakers}[GUEST] == "enrolled sample"
    assert attributed(labelled, conversation) >= 0.97


def test_three_voices_get_three_names(whisper, three_voices, tmp_path):
    transcript, audio = recognize(whisper, three_voices)
    show, episode, guests = show_with(tmp_path, guests=("mary-chen", "omar-haddad"))
    labelled = label_speakers(transcript, audio, show, episode, guests)
    assert {d.name for d in labelled.speakers} == {HOST, GUEST, GUEST2}
    assert {s.speaker for s in labelled.segments} == {HOST, GUEST, GUEST2}
    assert attributed(labelled, three_voices) >= 0.90
    assert_one_speaker_per_segment(labelled)


def test_quick_turns_split_segments_at_the_change(whisper, tmp_path):
    # Hardly a pause between turns: the recognizer's segments run across speakers, and the
    # change of voice has to be found inside the speech, not at a silence.
    quick = speak(interview_script(HOST, GUEST)[:14], {HOST: HOST_VOICE, GUEST: GUEST_VOICE},
                  pause=0.1)
    transcript, audio = recognize(whisper, quick)
    show, episode, guests = show_with(tmp_path)
    labelled = label_speakers(transcript, audio, show, episode, guests)
    assert len(labelled.segments) > len(transcript.segments)
    assert_one_speaker_per_segment(labelled)
    assert attributed(labelled, quick) >= 0.90
    cut = [s for s in labelled.segments if s.text not in {t.text for t in transcript.segments}]
    assert cut and all(s.text == " ".join(w.text for w in s.words) for s in cut)


# ---------------------------------------------------------------- solo


class _NoDiarization(Diarizer):
    """Fails the test if a solo episode is diarized at all."""

    name = "refuses"

    def diarize(self, audio: np.ndarray, speakers: int | None = None) -> Diarization:
        raise AssertionError("a solo episode must not be diarized")

    def voiceprint(self, audio: np.ndarray) -> np.ndarray:
        raise AssertionError("a solo episode needs no voiceprint")


def test_solo_episode_is_one_speaker_without_diarization(whisper, solo, tmp_path):
    transcript, audio = recognize(whisper, solo)
    show, episode, guests = show_with(tmp_path, guests=())
    labelled = label_speakers(transcript, audio, show, episode, guests, _NoDiarization())
    assert labelled.segments and {s.speaker for s in labelled.segments} == {HOST}
    assert {w.speaker for w in labelled.words} == {HOST}
    assert [(d.name, d.method) for d in labelled.speakers] == [(HOST, "only voice")]


# ---------------------------------------------------------------- bad enrolment


@pytest.mark.parametrize("case", ["missing", "short", "unreadable", "empty"])
def test_bad_host_sample_is_one_line_naming_the_file(case, tmp_path):
    sample = tmp_path / "voices" / "jason.wav"
    sample.parent.mkdir()
    if case == "short":
        sample.write_bytes(speak([Line(HOST, "Hi there.")], {HOST: HOST_VOICE}).wav.read_bytes())
    elif case == "unreadable":
        sample.write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunk" + bytes(range(256)) * 8)
    elif case == "empty":
        sample.write_bytes(b"")
    show, _, guests = show_with(tmp_path, host_sample=sample)
    error_type = ConfigError if case == "missing" else AudioError
    with pytest.raises(error_type) as raised:
        check_voice_samples(show, guests)
    line = raised.value.one_line()
    assert "\n" not in line and str(sample) in line and "voice sample" in line
    assert "show.yaml" in line and "record" in line


def test_bad_guest_sample_names_the_guest_file(tmp_path):
    show, _, guests = show_with(tmp_path, guest_sample=tmp_path / "nowhere.wav")
    with pytest.raises(ShowrunnerError) as raised:
        check_voice_samples(show, guests)
    assert "guests/mary-chen.yaml" in raised.value.one_line()
    assert "Mary Chen" in raised.value.one_line()


def test_solo_episode_does_not_need_the_sample(tmp_path):
    show, _, guests = show_with(tmp_path, host_sample=tmp_path / "nowhere.wav", guests=())
    check_voice_samples(show, guests)


# ---------------------------------------------------------------- through the CLI


@pytest.mark.e2e
def test_transcribe_cli_names_speakers_with_the_demo_host_sample(tmp_path, conversation):
    root = copy_demo_show(tmp_path)
    prepare(root)  # the demo's raw.wav is `conversation`'s audio; jason-sample.wav is enrolled
    result = run(["transcribe", "rise-and-shine", "--quiet"], root)
    assert result.exit_code == 0, result.stderr
    folder = root / "episodes" / "rise-and-shine"
    saved = Transcript.from_dict(json.loads((folder / "transcript.json").read_text()))
    decisions = {d.name: d for d in saved.speakers}
    assert decisions[HOST].method == "enrolled sample"
    assert decisions[HOST].detail.startswith("audio/jason-sample.wav in show.yaml")
    assert set(decisions) == {HOST, GUEST}
    assert attributed(saved, conversation) >= 0.97
    vtt = (folder / "transcript.vtt").read_text()
    assert f"<v {HOST}>" in vtt and f"<v {GUEST}>" in vtt
    paragraphs = [p for p in (folder / "transcript.txt").read_text().split("\n\n") if p.strip()]
    assert all(p.startswith(("Jason: ", "Mary: ")) for p in paragraphs)


@pytest.mark.e2e
def test_transcribe_cli_bad_sample_is_one_line_and_writes_nothing(tmp_path):
    clip = speak(interview_script(HOST, GUEST)[:2], {HOST: HOST_VOICE, GUEST: GUEST_VOICE})
    yaml = SHOW_YAML.replace("    linkedin: https://www.linkedin.com/in/jason\n",
                             "    linkedin: https://www.linkedin.com/in/jason\n"
                             "    voice_sample: voices/jason.wav\n")
    root = make_show(tmp_path / "show", show_yaml=yaml)
    add_episode(root, "e1", "title: Test\nguests: [mary-chen]\naudio: raw.wav\n", clip.wav)
    before = tree_hashes(root)
    result = run(["transcribe", "e1", "--quiet"], root)
    assert_one_line_error(result, "voices/jason.wav", "voice sample", "show.yaml")
    assert tree_hashes(root) == before

