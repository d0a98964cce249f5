"""The soundbite: drafted from the answer to the hook (15–60 s, whole sentences), timed in the
published MP3, kept where the host edits it (notes.md's front matter), read from there by the
feed.

tests/golden/notes/transcript.json: Jason asks "How do you keep a starter alive for ten
years?" (12.91–17.63 s); Mary answers in three sentences, 18.57–34.99 s; Jason's next
question, "What is the most common mistake…", gets a 6 s answer.
"""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest

from showrunner import transcripts
from showrunner.audio import master_episode
from showrunner.config import load_episode, load_show
from showrunner.digest import inputs_digest
from showrunner.feed.soundbite import read_soundbite
from showrunner.layout import mastered_audio
from showrunner.notes import stage_inputs
from showrunner.notes.soundbite import draft_soundbite, mp3_offset
from showrunner.podcast_tags import SOUNDBITE_SECONDS, Soundbite

from ..helpers import SHOW_YAML, make_show, run
from .test_notes import CASES, GOLDEN, episode_with_transcript, front_matter

HOOK = "How do you keep a starter alive for ten years?"
SHORT_ANSWER = "What is the most common mistake people make with their starter?"


@pytest.fixture(scope="module")
def transcript() -> transcripts.Transcript:
    return transcripts.load(GOLDEN / "transcript.json")


def test_the_answer_to_the_hook_in_whole_sentences(transcript: transcripts.Transcript) -> None:
    bite = draft_soundbite(transcript, [HOOK])
    assert bite == Soundbite(18.57, 16.42, HOOK)
    assert SOUNDBITE_SECONDS[0] <= bite.duration <= SOUNDBITE_SECONDS[1]


def test_a_reworded_hook_still_finds_its_question(transcript: transcripts.Transcript) -> None:
    # A language model, or the host in episode.yaml, may word the hook differently.
    bite = draft_soundbite(transcript, ["So how do you keep your starter alive ten years?"])
    assert bite is not None and bite.start == 18.57


def test_too_short_an_answer_falls_to_the_next_hook(transcript: transcripts.Transcript) -> None:
    assert draft_soundbite(transcript, [SHORT_ANSWER]) is None
    assert draft_soundbite(transcript, [SHORT_ANSWER, HOOK]) == Soundbite(18.57, 16.42, HOOK)
    assert draft_soundbite(transcript, ["Which oven do you bake your rye loaves in?"]) is None


def test_a_long_answer_stops_at_a_sentence_end_within_60_s(
        transcript: transcripts.Transcript) -> None:
    # One voice throughout: the answer runs on past the next questions, cut at 60 s or less.
    solo = dataclasses.replace(transcript, segments=tuple(
        dataclasses.replace(s, speaker="Jason Reed") for s in transcript.segments))
    bite = draft_soundbite(solo, [HOOK])
    assert bite is not None and bite.start == 18.57 and 45 < bite.duration <= 60
    ends = {round(s.end, 2) for s in transcript.segments}
    assert round(bite.start + bite.duration, 2) in ends


def _tone(path: Path, seconds: float) -> Path:
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                    f"sine=frequency=440:duration={seconds}", "-ar", "44100", str(path)],
                   check=True)
    return path


def test_times_are_in_the_mastered_mp3(tmp_path: Path) -> None:
    # A single episode's transcript is timed to its recording; mastering puts the intro first.
    show_yaml = SHOW_YAML.replace("transcription:", "audio: {intro: intro.wav, crossfade_ms: 400}"
                                                   "\ntranscription:")
    root = make_show(tmp_path / "show", show_yaml=show_yaml)
    _tone(root / "intro.wav", 3.0)
    folder = episode_with_transcript(root, "E7", CASES["single"])
    show = load_show(root)
    episode = load_episode(show, "E7")
    assert mp3_offset(show, episode) == 0.0  # nothing mastered yet: the recording is published
    mastered = master_episode(show, episode, _tone(folder / "body.wav", 8.0),
                              mastered_audio(episode))
    assert mp3_offset(show, episode) == pytest.approx(mastered.offset, abs=0.01)
    assert mastered.offset == pytest.approx(2.6, abs=0.01)
    assert run(["notes", "E7"], root).exit_code == 0
    front = front_matter((folder / "notes.md").read_text(encoding="utf-8"))
    assert front["soundbite"]["start"] == pytest.approx(18.57 + mastered.offset, abs=0.01)


def test_a_split_part_is_already_timed_to_its_mp3(tmp_path: Path) -> None:
    root = make_show(tmp_path / "show")
    folder = episode_with_transcript(root, "E8", CASES["part2"])
    assert run(["notes", "E8"], root).exit_code == 0
    front = front_matter((folder / "notes.md").read_text(encoding="utf-8"))
    assert front["soundbite"] == {"start": 18.57, "duration": 16.42, "title": HOOK}


def test_the_host_edits_and_removals_are_what_the_feed_reads(tmp_path: Path) -> None:
    root = make_show(tmp_path / "show")
    folder = episode_with_transcript(root, "E7", CASES["single"])
    assert run(["notes", "E7"], root).exit_code == 0
    notes = folder / "notes.md"
    episode = load_episode(load_show(root), "E7")
    assert read_soundbite(episode, 200.0) == Soundbite(18.57, 16.42, HOOK)
    drafted = notes.read_text(encoding="utf-8")
    edited = drafted.replace(f'"duration": 16.42, "title": "{HOOK}"',
                             '"duration": 30, "title": "Ten years of one starter"')
    assert edited != drafted
    notes.write_text(edited, encoding="utf-8")
    assert run(["notes", "E7"], root).exit_code == 0  # the host's notes.md is kept
    assert notes.read_text(encoding="utf-8") == edited
    assert read_soundbite(episode, 200.0) == Soundbite(18.57, 30.0, "Ten years of one starter")
    notes.write_text(edited.replace("soundbite: {", "soundbite: null\nold: {"), encoding="utf-8")
    assert read_soundbite(episode, 200.0) is None


def test_a_new_intro_makes_the_notes_stage_run_again(tmp_path: Path) -> None:
    # The soundbite's place in a single episode's MP3 moves with the intro's length.
    show_yaml = SHOW_YAML.replace("transcription:", "audio: {intro: intro.wav}\ntranscription:")
    root = make_show(tmp_path / "show", show_yaml=show_yaml)
    _tone(root / "intro.wav", 3.0)
    episode_with_transcript(root, "E7", CASES["single"])
    show = load_show(root)
    before = inputs_digest(stage_inputs(show, load_episode(show, "E7")))
    (root / "intro.wav").unlink()
    _tone(root / "intro.wav", 5.0)
    assert inputs_digest(stage_inputs(show, load_episode(show, "E7"))) != before


def test_a_tidied_episode_gets_its_soundbite_timed_without_the_cuts(tmp_path: Path) -> None:
    """cuts.yaml's cuts not kept leave the MP3, so the soundbite moves up by what went before
    it and shortens by what went inside it (each cut keeps 5 ms for its crossfade)."""
    root = make_show(tmp_path / "show")
    folder = episode_with_transcript(root, "E7", CASES["single"] + "audio: body.wav\n")
    _tone(folder / "body.wav", 40.0)
    (folder / "cuts.yaml").write_text("cuts:\n" + "".join(
        f"- id: pause@{int(start * 1000)}\n  kind: pause\n  start: {start}\n  end: {end}\n"
        f"  removes: \"\"\n  context: \"\"\n  keep: {keep}\n"
        for start, end, keep in ((3.0, 4.0, "false"), (10.0, 10.5, "false"),
                                 (12.0, 12.2, "true"), (25.0, 25.6, "false"))))
    assert run(["notes", "E7"], root).exit_code == 0
    front = front_matter((folder / "notes.md").read_text(encoding="utf-8"))
    # Snapped to the tone's zero crossings, a cut edge moves by at most 1.2 ms.
    assert front["soundbite"]["start"] == pytest.approx(18.57 - 0.995 - 0.495, abs=0.01)
    assert front["soundbite"]["duration"] == pytest.approx(16.42 - 0.595, abs=0.01)
