"""audio.tags: a host's chapter edit is written into the mastered MP3's ID3 tags without
re-encoding; and a single episode with an intro clip gets its drafted chapters timed in its
MP3 (after the intro), not on the raw recording."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from mutagen.id3 import ID3

from showrunner import chapters as chapters_file
from showrunner.audio import retag_chapters, tagged_chapters
from showrunner.audio.mastering import MasteredAudio, master_episode
from showrunner.config import load_episode, load_show
from showrunner.model import Chapter
from showrunner.synth import TOPICS, Line, interview_script, speak
from showrunner.synth.speech import GUEST_VOICE, HOST_VOICE

from ..conftest import GUEST, HOST
from ..helpers import SHOW_YAML, add_episode, make_show, run

GOLDEN_TRANSCRIPT = Path(__file__).parent.parent / "golden" / "notes" / "transcript.json"


@pytest.fixture(scope="module")
def mastered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, MasteredAudio]:
    """Episode E3 of a show with an intro clip, mastered to E3.mp3 with two chapters."""
    talk = speak(interview_script(HOST, GUEST, TOPICS[:1]), {HOST: HOST_VOICE, GUEST: GUEST_VOICE})
    intro = speak([Line(HOST, "This is Test Kitchen.")], {HOST: HOST_VOICE}, pause=0.3)
    show = make_show(tmp_path_factory.mktemp("tags") / "show",
                     show_yaml=SHOW_YAML + "audio:\n  intro: audio/intro.wav\n")
    (show / "audio").mkdir()
    shutil.copyfile(intro.wav, show / "audio" / "intro.wav")
    add_episode(show, "E3", "title: Starters\nnumber: 3\ndate: 2026-02-01\nguests: [mary-chen]\n"
                            "audio: raw.wav\n", talk.wav)
    loaded = load_show(show)
    episode = load_episode(loaded, "E3")
    done = master_episode(loaded, episode, episode.folder / "raw.wav", episode.folder / "E3.mp3",
                          chapters=[Chapter(0.0, "Hello"), Chapter(12.0, "Starters")])
    return show, done


def _audio_payload(path: Path) -> bytes:
    data = path.read_bytes()
    return data[ID3(path).size:]


def test_retag_replaces_only_the_chapters(mastered: tuple[Path, MasteredAudio],
                                          tmp_path: Path) -> None:
    _, done = mastered
    mp3 = Path(shutil.copyfile(done.path, tmp_path / "E3.mp3"))
    payload = _audio_payload(mp3)
    edited = (Chapter(0.0, "Hello again"), Chapter(5.0, "Warm up"), Chapter(20.0, "Starters"))
    assert retag_chapters(mp3, edited) is True
    assert tagged_chapters(mp3) == edited
    tags = ID3(mp3)
    assert str(tags["TIT2"]) == "Starters" and str(tags["TRCK"]) == "3" and tags.getall("APIC")
    assert tags.getall("CTOC")[0].child_element_ids == ["chp0", "chp1", "chp2"]
    ends = [f.end_time for f in sorted(tags.getall("CHAP"), key=lambda f: f.start_time)]
    assert ends[:2] == [5000, 20000] and ends[2] == pytest.approx(done.duration * 1000, abs=60)
    assert _audio_payload(mp3) == payload  # not encoded again
    before = mp3.read_bytes()
    assert retag_chapters(mp3, edited) is False and mp3.read_bytes() == before


def test_drafted_chapters_of_a_single_episode_are_timed_after_the_intro(
        mastered: tuple[Path, MasteredAudio], tmp_path: Path) -> None:
    source, done = mastered
    show = Path(shutil.copytree(source, tmp_path / "show"))
    folder = show / "episodes" / "E3"
    shutil.copyfile(GOLDEN_TRANSCRIPT, folder / "transcript.json")
    result = run(["notes", "E3"], show)
    assert result.exit_code == 0, result.output + result.stderr
    listed = chapters_file.notes_chapters(folder / "notes.md")
    assert listed is not None
    # The golden transcript's topics start at 0, 12.91, 46.75 and 84.21 s of the recording.
    assert done.offset > 1.0
    assert [c.start for c in listed.chapters] == \
        [0.0, *(float(int(t + done.offset)) for t in (12.91, 46.75, 84.21))]
    assert chapters_file.load(folder / "chapters.json") == listed.chapters
