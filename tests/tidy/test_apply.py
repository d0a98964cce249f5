"""Mastering and split apply cuts.yaml: the audio loses the cuts, and every time that points
into the MP3 (transcript cues, chapters, the soundbite, the feed's duration) follows.

The timing checks do not use the retiming code: they take the MP3's audio at a published
time, find where that audio lies in the original recording by cross-correlation, and ask that
a recognized word of the original transcript starts there (issue #19: within 0.1 s).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import podcastparser
import pytest
import scipy.signal
import soundfile

from showrunner import layout, transcripts
from showrunner.audio import decode, decode_to_disk, probe
from showrunner.config import load_episode, load_show
from showrunner.model import Segment, Transcript, Word
from showrunner.synth import DisfluentConversation, disfluent_script
from showrunner.synth.disfluent import plain_text
from showrunner.tidy import Cut, Edit
from showrunner.tidy.apply import FADE, retime, retimer, spans, tidied

from ..conftest import GUEST, HOST
from ..helpers import run
from ..speech_accuracy import measure
from .conftest import tidy_talk

NOW = "2026-12-01T00:00:00"
RATE = 16000
WITHIN = 0.1  # seconds (issue #19)
REACH = 12.0  # seconds either side of the same share of the recording, where audio is sought
INTRO = 2.0  # seconds of tone before each part's talk, in the split test


# ---------------------------------------------------------------- the edit itself


def test_the_streamed_edit_equals_the_in_memory_one(tmp_path: Path,
                                                    held_out: DisfluentConversation) -> None:
    for channels in (1, 2):
        recording = decode_to_disk(held_out.wav, rate=44100, channels=channels, folder=tmp_path)
        whole = recording.read(0, recording.frames)
        cuts = [(d.start, d.end) for d in held_out.disfluencies]
        edit = Edit(recording.rate, tuple(spans(whole.mean(axis=1), recording.rate, cuts)))
        assert len(edit.spans) >= 10
        streamed = edit.audio(recording, tmp_path)
        expected = tidied(whole, recording.rate, edit.spans)
        assert np.array_equal(streamed.read(0, streamed.frames), expected), channels
        assert streamed.duration == pytest.approx(recording.duration - edit.saved, abs=1e-9)


def test_the_bisected_retimer_agrees_with_walking_the_cuts() -> None:
    rate, cut_spans = 16000, [(1000, 3000), (5000, 5400), (9000, 20000)]
    fade, mapped = int(FADE * rate), retimer(rate, cut_spans)
    for sample in range(0, 25000, 37):
        removed, expected = 0, None
        for a, b in cut_spans:  # the plain walk over the cuts
            if sample < a:
                break
            if sample < b:
                expected = (a - removed + fade / 2) / rate
                break
            removed += b - a - fade
        expected = (sample - removed) / rate if expected is None else expected
        assert mapped(sample / rate) == pytest.approx(expected)
        assert retime(sample / rate, rate, cut_spans) == mapped(sample / rate)


def test_a_cut_word_leaves_the_transcript_and_the_rest_moves_up() -> None:
    words = (Word(0.0, 0.5, "So,"), Word(0.6, 0.9, "um,"), Word(1.0, 1.5, "bread"))
    transcript = Transcript((Segment(0.0, 1.5, "So, um, bread", "Jason", words),
                             Segment(2.0, 2.4, "um", "Mary", (Word(2.0, 2.4, "um"),)),
                             Segment(3.0, 3.5, "Yes", "Mary", (Word(3.0, 3.5, "Yes"),))), 4.0)
    # The two "um"s go (0.4 s and 0.6 s), and a pause cut over the end of "bread" takes no
    # word: Whisper's word times run over pauses.
    edit = Edit(1000, ((550, 950), (1450, 1800), (1900, 2500)),
                ((0.55, 0.95, "um"), (1.45, 1.8, ""), (1.9, 2.5, "um,")))
    tidy = edit.transcript(transcript)
    assert [s.text for s in tidy.segments] == ["So bread", "Yes"]  # the filler's commas go
    assert [w.text for w in tidy.segments[0].words] == ["So", "bread"]
    assert tidy.segments[0].words[1].start == pytest.approx(1.0 - 0.395, abs=1e-3)  # ms
    assert tidy.segments[0].end == pytest.approx(1.45 - 0.395 + 0.0025, abs=1e-3)
    assert tidy.segments[1].start == pytest.approx(3.0 - 0.395 - 0.345 - 0.595, abs=1e-3)
    assert tidy.duration == pytest.approx(4.0 - 1.335, abs=1e-3)


# ---------------------------------------------------------------- through the CLI


def _found_in(original: np.ndarray, mp3: np.ndarray, at: float, length: float = 0.5, *,
              repeats: bool = False) -> tuple[float, float]:
    """Where the MP3's audio from `at` lies in the original (seconds), and how well it matches
    there (normalized cross-correlation, 1.0 for an exact copy at any gain). A recording that
    `repeats` itself is searched only around the same share of its length (± REACH)."""
    piece = mp3[int(at * RATE):int((at + length) * RATE)].astype(np.float64)
    near = at * len(original) / len(mp3) if repeats else None
    lo = max(0, int((near - REACH) * RATE)) if near is not None else 0
    hi = int((near + REACH + length) * RATE) if near is not None else len(original)
    whole = original[lo:hi].astype(np.float64)
    correlation = scipy.signal.correlate(whole, piece, mode="valid", method="fft")
    squares = np.concatenate([[0.0], np.cumsum(whole ** 2)])
    energy = np.sqrt(np.maximum(squares[len(piece):] - squares[:-len(piece)], 0.0))
    # Near-silent stretches would divide rounding noise by almost nothing: they score 0.
    score = np.where(energy > 0.01 * np.linalg.norm(piece),
                     correlation / (energy * np.linalg.norm(piece) + 1e-12), 0.0)
    best = int(np.argmax(score))
    return (lo + best) / RATE, float(score[best])


def _word(text: str) -> str:
    return re.sub(r"[^a-z0-9']", "", text.lower())


def _onset(samples: np.ndarray, at: float) -> float:
    """The first 10-ms frame from `at` on whose level shows speech (seconds)."""
    frame, level = RATE // 100, 0.05 * float(np.abs(samples).max())
    for start in range(int(at * RATE), len(samples) - frame, frame):
        if np.sqrt(np.mean(samples[start:start + frame] ** 2)) > level:
            return start / RATE
    return len(samples) / RATE


def _check_cues(folder: Path, original: Transcript, source: np.ndarray, heard: np.ndarray,
                intro: float, *, repeats: bool = False) -> int:
    """Each cue of the published transcript (transcript.pc20.json, what apps read) starts at
    its words in the MP3: the cue's speech, found again in the recording, is where the same
    word started, and the cue is no further from its speech than the recognizer put it in the
    recording (a cut pause can only bring it nearer). The number of cues checked."""
    cues = json.loads((folder / "transcript.pc20.json").read_text())["segments"]
    # tiny.en at times recognizes a stray "." on its own: a cue without words has none to find.
    cues = [cue for cue in cues if _word(cue["body"].split()[0])]
    for cue in cues:
        start, first = cue["startTime"], cue["body"].split()[0]
        sounds = _onset(heard, max(start, intro))  # (an intro is a loud tone)
        was, match = _found_in(source, heard, sounds, 0.3, repeats=repeats)
        assert match > 0.8, (cue, match)
        said = [w.start for w in original.words
                if _word(w.text) == _word(first) and w.start <= was + WITHIN]
        assert said, (cue, was)
        assert start <= sounds + WITHIN, cue
        assert sounds - start <= was - max(said) + WITHIN, (cue, sounds, was, max(said))
    return len(cues)


def test_a_tidied_episode_is_mastered_without_the_cuts_and_timed_to_them(
        show: Path, held_out: DisfluentConversation) -> None:
    folder = show / "episodes" / "talk"
    with (folder / "episode.yaml").open("a") as episode_yaml:
        episode_yaml.write("date: 2026-11-02\nstatus: released\n")
    _, cuts = tidy_talk(show)
    going = [c for c in cuts if not c.keep]
    assert {c.kind for c in going} >= {"filler", "pause"}
    result = run(["episode", "talk", "--now", NOW, "--quiet"], show)
    assert result.exit_code == 0, result.output + result.stderr
    took = re.search(r"(\d+) cut\(s\) from cuts.yaml took out (\d+\.\d) s", result.output)
    assert took and 0 < int(took[1]) <= len(going), result.output
    episode = load_episode(load_show(show), "talk")
    mp3 = layout.mastered_audio(episode)
    original = transcripts.load(folder / layout.TRANSCRIPT_JSON)
    source, heard = decode(held_out.wav), decode(mp3)
    saved = sum(c.end - c.start for c in going)
    assert probe(mp3).duration == pytest.approx(held_out.duration - saved, abs=0.15)

    # What no cut touches is still in the MP3, sample for sample up to the mastering gain.
    # (Where each run of kept words sounds is known from the generator.)
    checked = 0
    for run_ in held_out.fluent:
        if run_.end - run_.start >= 0.3 and \
                not any(c.start < run_.end and c.end > run_.start for c in going):
            assert _found_in(heard, source, run_.start, 0.3)[1] > 0.9, run_
            checked += 1
    assert checked >= 10

    # The published transcript is timed to the MP3.
    assert _check_cues(folder, original, source, heard, 0.0) >= 5

    # The notes were drafted from the tidied transcript: each filler's context reads
    # without it. (This talk is too short for chapters past 00:00 or a soundbite; the split
    # test checks cue times, which come from the same retimed transcript.)
    said = " ".join((folder / layout.NOTES_FILE).read_text().split())
    fillers = [c for c in going if c.kind == "filler"]
    for cut in fillers:
        before, rest = cut.context.split(" [", 1)
        after = rest.split("] ", 1)[1] if "] " in rest else ""
        assert f"{before} {cut.removes} {after}".strip() not in said, cut
    def tidied(cut: Cut) -> str:  # "it, [um,] take" reads "it take"
        before, after = cut.context.split(" [")[0], cut.context.split("] ")[-1]
        return f"{before.removesuffix(',') if cut.removes.endswith(',') else before} {after}"

    assert sum(tidied(c) in said for c in fillers) >= len(fillers) // 2 > 0

    # The feed states the tidied file's length and duration.
    feed = podcastparser.parse("feed.xml", (show / "public" / "feed.xml").open("rb"))
    item = feed["episodes"][0]
    assert item["enclosures"][0]["file_size"] == mp3.stat().st_size
    assert item["total_time"] == round(probe(mp3).duration)

    # The kept words are all still there: recognized again, no worse than before the cuts.
    script = [plain_text(line.text) for line in disfluent_script(HOST, GUEST, held_out=True)]
    again = show / "episodes" / "again"
    again.mkdir()
    shutil.copyfile(mp3, again / "tidied.mp3")
    (again / "episode.yaml").write_text("title: Again\nnumber: 2\nguests: [mary-chen]\n"
                                        "audio: tidied.mp3\nstatus: draft\n")
    assert run(["transcribe", "again", "--quiet"], show).exit_code == 0
    before = measure(script, original.text)
    after = measure(script, transcripts.load(again / layout.TRANSCRIPT_JSON).text)
    print(f"WER of the kept words: {before.wer_percent:.1f} % before tidying, "
          f"{after.wer_percent:.1f} % after")  # reported in the closing note
    assert after.wer <= before.wer, (before, after)


def test_split_parts_are_cut_and_every_cue_is_timed_to_its_mp3(
        show: Path, held_out: DisfluentConversation) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                    f"sine=frequency=440:duration={INTRO}", "-ar", "44100", str(show / "intro.wav")],
                   check=True)
    (show / "show.yaml").write_text((show / "show.yaml").read_text()
                                    + "audio:\n  intro: intro.wav\n")
    folder = show / "episodes" / "talk"
    _, cuts = tidy_talk(show)
    result = run(["split", "talk", "--parts", "2", "--quiet"], show)
    assert result.exit_code == 0, result.output + result.stderr
    assert re.search(r"\d+ cut\(s\) from cuts.yaml took out \d+\.\d s", result.output)
    original = transcripts.load(folder / layout.TRANSCRIPT_JSON)
    source = decode(held_out.wav)
    kept_words = 0
    for k in (1, 2):
        part = show / "episodes" / f"talk-{k}"
        heard = decode(part / f"talk-{k}.mp3")
        timed = transcripts.load(part / layout.TRANSCRIPT_JSON)
        assert timed.duration == pytest.approx(len(heard) / RATE, abs=0.1)
        assert _check_cues(part, original, source, heard, INTRO) >= 2
        kept_words += len(timed.words)
    named = sum(len(c.removes.split()) for c in cuts if not c.keep)
    assert kept_words == len(original.words) - named > 0


def test_a_changed_cut_redoes_mastering_and_notes_but_not_recognition(show: Path) -> None:
    tidy_talk(show)
    assert run(["episode", "talk", "--now", NOW, "--quiet"], show).exit_code == 0
    mp3 = layout.mastered_audio(load_episode(load_show(show), "talk"))
    before = probe(mp3).duration
    path = show / "episodes" / "talk" / "cuts.yaml"
    text = path.read_text()
    pause = text.index("kind: pause")
    keep = text.index("keep: false", pause)
    path.write_text(text[:keep] + "keep: true" + text[keep + len("keep: false"):])
    result = run(["episode", "talk", "--now", NOW], show)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("transcribe talk: up to date") for line in lines), lines
    assert not any(line.startswith("master talk: up to date") for line in lines), lines
    assert not any(line.startswith("notes talk: up to date") for line in lines), lines
    assert probe(mp3).duration > before + 0.1
    again = run(["episode", "talk", "--now", NOW], show)
    assert "master talk: up to date" in again.output



def test_a_longer_tidied_episode_keeps_its_cues_and_chapters_on_their_words(
        show: Path, held_out: DisfluentConversation) -> None:
    """The talk said four times over (2¼ minutes, recognized again, 20 or more cuts, so an
    error that adds up over the cuts would show): every cue is on its words, and no chapter
    starts after the speech that follows it. (That the notes were drafted from the tidied
    transcript at all is checked by the single-episode test above.)"""
    folder = show / "episodes" / "talk"
    samples, rate = soundfile.read(str(held_out.wav), dtype="float32")
    soundfile.write(str(folder / "raw.wav"), np.tile(samples, 4), rate)
    with (folder / "episode.yaml").open("a") as episode_yaml:
        episode_yaml.write("date: 2026-11-02\nstatus: released\n")
    assert run(["transcribe", "talk", "--quiet"], show).exit_code == 0
    _, cuts = tidy_talk(show)
    assert run(["episode", "talk", "--now", NOW, "--quiet"], show).exit_code == 0
    original = transcripts.load(folder / layout.TRANSCRIPT_JSON)
    source = decode(folder / "raw.wav")
    heard = decode(layout.mastered_audio(load_episode(load_show(show), "talk")))
    chapters = json.loads((folder / layout.CHAPTERS_FILE).read_text())["chapters"]
    later = [c for c in chapters if c["startTime"] > 0]
    assert later, chapters
    for chapter in later:
        at = chapter["startTime"]
        sounds = _onset(heard, at)
        was, match = _found_in(source, heard, sounds, 0.3, repeats=True)
        assert match > 0.8, (at, match)
        said = [w.start for w in original.words if w.start <= was + WITHIN]
        # A chapter's time is a whole second (notes.md lists MM:SS, as Apple and Spotify read
        # it), rounded down: it never starts after its words, and the second it names holds
        # the time its first words start at in the MP3 (within 0.1 s).
        assert at <= sounds + WITHIN and sounds - (at + 1) <= was - max(said) + WITHIN, \
            (at, sounds, was, max(said))
    assert _check_cues(folder, original, source, heard, 0.0, repeats=True) >= 20
    assert sum(not c.keep for c in cuts) >= 20
