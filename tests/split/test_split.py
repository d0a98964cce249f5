"""`showrunner split`: cuts between speakers in silence, balanced parts, finished MP3s with tags.

The five-minute two-voice conversation is transcribed once per session by the real CLI, then
split into three parts once per module; the tests check that one real run against the
generator's ground truth, and measure its MP3s with tools other than the ones that made them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyloudnorm
import pytest
import soundfile
from mutagen.id3 import ID3
from scipy.signal import correlate, resample_poly

from showrunner import chapters as chapters_file
from showrunner import transcripts
from showrunner.config import load_episode, load_show
from showrunner.model import Transcript
from showrunner.split.stage import SplitResult, split_episode
from showrunner.synth import Conversation, Line, speak
from showrunner.synth.speech import HOST_VOICE

from ..conftest import HOST, with_transcript
from ..helpers import SHOW_YAML, assert_one_line_error, make_show, run, tree_hashes

# Dates matter here: test_clock runs these again with the clock five years ahead.
pytestmark = pytest.mark.clock


EPISODE = ("title: A Long Talk with Mary\nnumber: 7\ndate: 2026-03-02\nguests: [mary-chen]\n"
           "audio: raw.wav\nstatus: released\n")
BUMPER_YAML = SHOW_YAML + "audio:\n  welcome_back: audio/welcome-back.wav\n"
FIRST_DATE = dt.date(2026, 3, 9)


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def bumper() -> Path:
    """The welcome-back clip, spoken in the host's voice."""
    return speak([Line(HOST, "Welcome back to Test Kitchen. This episode continues my "
                             "conversation with Mary Chen.")], {HOST: HOST_VOICE}, pause=0.3).wav


@pytest.fixture(scope="session")
def transcribed(tmp_path_factory: pytest.TempPathFactory, conversation: Conversation,
                bumper: Path, transcribed_conversation: Path) -> Path:
    """A show with a welcome-back bumper whose episode 'talk' is the five-minute conversation,
    transcribed by the real CLI (recognition and speaker naming), once per session."""
    show = make_show(tmp_path_factory.mktemp("transcribed") / "show", show_yaml=BUMPER_YAML)
    (show / "audio").mkdir()
    shutil.copyfile(bumper, show / "audio" / "welcome-back.wav")
    return with_transcript(show, EPISODE, conversation, transcribed_conversation)


@pytest.fixture(scope="session")
def recognized(transcribed: Path) -> Transcript:
    return transcripts.load(transcribed / "episodes" / "talk" / "transcript.json")


def _series_show(root: Path, transcribed: Path) -> Path:
    shutil.copytree(transcribed, root)
    return root


@dataclass(frozen=True)
class Split:
    show: Path
    result: SplitResult
    source_before: dict[str, str]
    source_after: dict[str, str]


@pytest.fixture(scope="module")
def split3(tmp_path_factory: pytest.TempPathFactory, transcribed: Path) -> Split:
    """The conversation split into three parts by the real stage, once."""
    show = _series_show(tmp_path_factory.mktemp("split") / "show", transcribed)
    before = tree_hashes(show / "episodes" / "talk")
    loaded = load_show(show)
    result = split_episode(loaded, load_episode(loaded, "talk"), parts=3, first_number=12,
                           first_date=FIRST_DATE, quiet=True)
    return Split(show, result, before, tree_hashes(show / "episodes" / "talk"))


def _decode(path: Path, rate: int = 44100) -> np.ndarray:
    done = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "f32le", "-ac", "1",
                           "-ar", str(rate), "pipe:1"], capture_output=True, check=True)
    return np.frombuffer(done.stdout, dtype=np.float32)


def _parts(split: Split) -> list[Path]:
    return [split.show / "episodes" / f"talk-{k}" for k in (1, 2, 3)]


# ---------------------------------------------------------------- cuts


def test_every_cut_is_in_silence_between_two_speakers(split3: Split,
                                                      conversation: Conversation) -> None:
    turns = conversation.turns
    for cut in split3.result.plan.cuts:
        between = [(a, b) for a, b in zip(turns, turns[1:], strict=False)
                   if a.end + 0.05 <= cut.time <= b.start - 0.05]
        assert between, f"cut at {cut.time:.2f} s is not inside a pause between turns"
        before, after = between[0]
        assert before.speaker != after.speaker, (cut.time, before, after)
        assert cut.speaker == after.speaker


def test_parts_are_balanced_and_open_with_the_host(split3: Split) -> None:
    lengths = [m.duration for m in split3.result.mastered]
    # 36 turns in five minutes, guest answers up to 20 s: a 25 % spread is always reachable.
    assert max(lengths) / min(lengths) - 1 <= 0.25, lengths
    plan = split3.result.plan
    assert [round(a, 1) for a in lengths] == pytest.approx([round(b, 1) for b in plan.lengths],
                                                          abs=0.5)
    assert all(cut.speaker == HOST and cut.kind in ("topic question", "question")
               for cut in plan.cuts), plan.cuts


def test_part_words_add_up_to_the_whole(split3: Split, recognized: Transcript) -> None:
    words = [w.text for p in _parts(split3)
             for w in transcripts.load(p / "transcript.json").words]
    assert words == [w.text for w in recognized.words]


def test_part_transcripts_are_timed_to_their_mp3(split3: Split, recognized: Transcript) -> None:
    source = recognized.words
    index = 0
    for part, mastered, (start, _) in zip(_parts(split3), split3.result.mastered,
                                          split3.result.plan.spans, strict=True):
        transcript = transcripts.load(part / "transcript.json")
        assert transcript.duration == pytest.approx(mastered.duration, abs=0.01)
        for word in transcript.words:
            moved = source[index].start - start + mastered.offset
            assert word.start == pytest.approx(max(moved, mastered.offset), abs=0.002)
            index += 1
        for name in transcripts.FORMATS:
            assert (part / name).stat().st_size > 100, name
        first_cue = (part / "transcript.srt").read_text().split("\n")[1]
        assert first_cue.startswith(_srt_clock(transcript.segments[0].start)), first_cue


def _srt_clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"


# ---------------------------------------------------------------- episode.yaml


def test_part_episodes_form_the_series(split3: Split) -> None:
    show = load_show(split3.show)
    for k, folder in enumerate(_parts(split3), start=1):
        part = load_episode(show, folder.name)
        assert part.title == f"A Long Talk with Mary – Part {k} of 3"
        assert part.series is not None and (part.series.name, part.series.part,
                                            part.series.of) == ("A Long Talk with Mary", k, 3)
        assert part.number == 11 + k
        assert part.date == FIRST_DATE + dt.timedelta(days=k - 1)
        assert part.guest_slugs == ("mary-chen",) and part.status == "released"
        assert part.source == "talk" and part.audio == f"talk-{k}.mp3"


def test_source_episode_is_untouched(split3: Split) -> None:
    assert split3.source_after == split3.source_before


# ---------------------------------------------------------------- finished audio


def test_mp3_loudness_and_true_peak_on_target(split3: Split) -> None:
    meter = pyloudnorm.Meter(44100)
    for folder in _parts(split3):
        mp3 = folder / f"{folder.name}.mp3"
        assert meter.integrated_loudness(_decode(mp3).astype(np.float64)) == \
            pytest.approx(-16.0, abs=0.5)
        # ffmpeg's own EBU R128 meter (4x oversampled true peak), independent of ours.
        report = subprocess.run(["ffmpeg", "-nostats", "-i", str(mp3), "-af", "ebur128=peak=true",
                                 "-f", "null", "-"], capture_output=True, text=True, check=True)
        peak = float(re.findall(r"Peak:\s+(-?[\d.]+|-inf) dBFS", report.stderr)[-1])
        assert peak <= -1.0, (mp3, peak)


def test_bumper_opens_every_part_after_the_first(split3: Split, bumper: Path) -> None:
    clip, rate = soundfile.read(str(bumper), dtype="float32")
    clip = resample_poly(clip, 44100, rate).astype(np.float32)
    scores = []
    for folder in _parts(split3):
        head = _decode(folder / f"{folder.name}.mp3")[:len(clip) + 3 * 44100]
        corr = correlate(head, clip, mode="valid", method="fft")
        power = np.concatenate([[0.0], np.cumsum(head.astype(np.float64) ** 2)])
        energy = np.sqrt(np.maximum(power[len(clip):] - power[:-len(clip)], 0.0))
        normalised = np.abs(corr) / (energy * np.linalg.norm(clip) + 1e-9)
        scores.append((float(normalised.max()), int(normalised.argmax()) / 44100))
    assert scores[0][0] < 0.5, scores
    for score, lag in scores[1:]:
        assert score > 0.9 and lag < 0.05, scores


def test_id3_tags_and_chapters_match_the_episode(split3: Split) -> None:
    show = load_show(split3.show)
    artwork = (split3.show / "artwork.jpg").read_bytes()
    for k, folder in enumerate(_parts(split3), start=1):
        part = load_episode(show, folder.name)
        tags = ID3(folder / f"{folder.name}.mp3")
        assert tags.version == (2, 4, 0)
        assert str(tags["TIT2"]) == part.title and str(tags["TALB"]) == "Test Kitchen"
        assert str(tags["TPE1"]) == "Jason Reed" and str(tags["TRCK"]) == str(part.number)
        assert str(tags["TDRC"]) == str(part.date)
        assert tags.getall("APIC")[0].data == artwork
        toc = tags.getall("CTOC")[0]
        chapters = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
        assert list(toc.child_element_ids) == [c.element_id for c in chapters]
        assert chapters[0].start_time == 0 and len(chapters) >= 2
        titles = [str(c.sub_frames["TIT2"]) for c in chapters]
        # One chapter list: the ID3 chapters are the part's chapters.json.
        listed = chapters_file.load(folder / "chapters.json")
        assert titles == [c.title for c in listed]
        assert [c.start_time / 1000 for c in chapters] == \
            pytest.approx([c.start for c in listed], abs=0.1)
        mastered = split3.result.mastered[k - 1]
        assert titles == [c.title for c in mastered.chapters]
        assert chapters[-1].end_time == pytest.approx(mastered.duration * 1000, abs=2)
        assert all(a.end_time == b.start_time for a, b in zip(chapters, chapters[1:],
                                                              strict=False))


# ---------------------------------------------------------------- the CLI


@pytest.fixture
def fresh(tmp_path: Path, transcribed: Path) -> Path:
    return _series_show(tmp_path / "show", transcribed)


def test_dry_run_explains_the_cuts_and_writes_nothing(fresh: Path, split3: Split) -> None:
    before = tree_hashes(fresh)
    result = run(["split", "talk", "--parts", "3", "--first-number", "12", "--dry-run"], fresh)
    assert result.exit_code == 0, result.stderr
    assert tree_hashes(fresh) == before
    text = result.output
    for k, cut in enumerate(split3.result.plan.cuts, start=1):
        line = next(line for line in text.splitlines() if line.startswith(f"Cut {k} at "))
        assert cut.speaker in line and cut.opening.split()[0] in line
    assert text.count("  why: the host") == 2
    assert all(f"Part {k}: talk-{k}, E{11 + k}" in text for k in (1, 2, 3))
    assert "Nothing was written" in text


def test_max_minutes_keeps_every_part_under_the_limit(fresh: Path) -> None:
    loaded = load_show(fresh)
    result = split_episode(loaded, load_episode(loaded, "talk"), max_minutes=1.5, dry_run=True)
    lengths = result.plan.lengths
    assert len(lengths) == 4 and max(lengths) <= 90.0, lengths  # 5 min in 1.5-min parts: 4
    assert not (fresh / "episodes" / "talk-1").exists()


@pytest.mark.parametrize(("args", "needles"), [
    (["--parts", "1"], ("--parts",)),
    (["--parts", "60"], ("60 parts", "--parts")),
    (["--max-minutes", "0.2"], ("--max-minutes 0.2", "longest stretch")),
    (["--parts", "2", "--max-minutes", "3"], ("not both",)),
])
def test_bad_split_requests_fail_in_one_line(fresh: Path, args: list[str],
                                             needles: tuple[str, ...]) -> None:
    before = tree_hashes(fresh)
    assert_one_line_error(run(["split", "talk", *args], fresh), *needles)
    assert tree_hashes(fresh) == before


@pytest.mark.parametrize(("broken", "needles"), [
    ("episodes/talk/transcript.json", ("no transcript yet", "showrunner transcribe talk")),
    ("audio/welcome-back.wav", ("welcome-back.wav", "audio.welcome_back")),
    ("artwork.jpg", ("artwork.jpg", "artwork")),
])
def test_missing_inputs_fail_in_one_line(fresh: Path, broken: str,
                                         needles: tuple[str, ...]) -> None:
    (fresh / broken).unlink()
    before = tree_hashes(fresh)
    assert_one_line_error(run(["split", "talk", "--parts", "3"], fresh), *needles)
    assert tree_hashes(fresh) == before


def test_existing_parts_need_force_and_host_notes_survive(split3: Split, tmp_path: Path) -> None:
    show = tmp_path / "show"
    shutil.copytree(split3.show, show)
    notes = show / "episodes" / "talk-2" / "notes.md"
    notes.write_text("# My own notes\n")
    before = tree_hashes(show)
    assert_one_line_error(run(["split", "talk", "--parts", "3"], show), "talk-1", "--force")
    assert tree_hashes(show) == before

    # Fewer parts: talk-3 is stale; it holds nothing of the host's, so it goes.
    result = run(["split", "talk", "--parts", "2", "--force", "--quiet"], show)
    assert result.exit_code == 0, result.stderr
    assert not (show / "episodes" / "talk-3").exists()
    assert notes.read_text() == "# My own notes\n"
    assert "Part 2 of 2" in (show / "episodes" / "talk-2" / "episode.yaml").read_text()
    assert json.loads((show / "episodes/talk-2/transcript.json").read_text())["segments"]


def test_a_stale_part_with_host_notes_is_never_deleted(split3: Split, tmp_path: Path) -> None:
    show = tmp_path / "show"
    shutil.copytree(split3.show, show)
    (show / "episodes" / "talk-3" / "notes.md").write_text("# Edited by the host\n")
    before = tree_hashes(show)
    assert_one_line_error(run(["split", "talk", "--parts", "2", "--force"], show),
                          "talk-3", "notes.md")
    assert tree_hashes(show) == before
