"""The transcript formats (SRT, WebVTT, Podcasting 2.0 JSON, text, HTML) and the corrections
table, each output read back by a real parser of its format."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from showrunner import transcripts
from showrunner.model import Correction, Segment, Transcript, Word
from showrunner.transcribe.corrections import apply_corrections

from .format_checks import check_folder, check_timing, parse_html, parse_pc20, parse_srt, parse_vtt


def _segment(start: float, speaker: str | None, text: str, word_seconds: float = 0.3) -> Segment:
    words = tuple(Word(start + i * word_seconds, start + (i + 1) * word_seconds - 0.05, w, 0.9,
                       speaker) for i, w in enumerate(text.split()))
    return Segment(start, words[-1].end, text, speaker, words)


def _transcript(*segments: Segment, duration: float | None = None) -> Transcript:
    end = max(s.end for s in segments)
    return Transcript(segments=tuple(segments), duration=duration or end + 1.0,
                      engine="faster-whisper", model="tiny.en", audio_sha256="0" * 64)


DIALOGUE = _transcript(
    _segment(0.5, "Jason Reed", "Welcome to the show. Mary, thanks for joining me."),
    _segment(4.0, "Mary Chen", "Thanks for having me, it is a pleasure to be here today."),
    _segment(8.0, "Mary Chen", "I bake bread & cakes <every> morning."),
    _segment(11.0, "Jason Reed", "Let's start with the sourdough starter."),
)


def test_text_is_name_colon_paragraph_per_turn() -> None:
    text = transcripts.to_text(DIALOGUE)
    assert text.split("\n\n") == [
        "Jason: Welcome to the show. Mary, thanks for joining me.",
        "Mary: Thanks for having me, it is a pleasure to be here today. "
        "I bake bread & cakes <every> morning.",
        "Jason: Let's start with the sourdough starter.\n",
    ]


def test_html_escapes_and_keeps_the_name_colon_form() -> None:
    page = transcripts.to_html(DIALOGUE)
    assert "<every>" not in page and "&lt;every&gt;" in page
    assert parse_html(page) == [p.strip() for p in transcripts.to_text(DIALOGUE).split("\n\n")]


def test_vtt_has_voice_tags_with_full_names_and_escapes_text() -> None:
    cues = parse_vtt(transcripts.to_vtt(DIALOGUE))
    assert [voice for *_, voice in cues] == [c.speaker for c in transcripts.cues(DIALOGUE)]
    assert [voice for *_, voice in cues][0] == "Jason Reed"
    assert {voice for *_, voice in cues} == {"Jason Reed", "Mary Chen"}
    raw = transcripts.to_vtt(DIALOGUE)
    assert "&lt;every&gt;" in raw and "<every>" not in raw
    check_timing([(s, e) for s, e, _, _ in cues], DIALOGUE.duration)


def test_srt_names_the_speaker_at_each_change_only() -> None:
    cues = parse_srt(transcripts.to_srt(DIALOGUE))
    openings = [text.split(":")[0] for _, _, text in cues if re.match(r"^(Jason|Mary):", text)]
    assert openings == ["Jason", "Mary", "Jason"]


def test_pc20_json_matches_the_podcasting20_schema() -> None:
    segments = parse_pc20(transcripts.to_pc20_json(DIALOGUE))
    assert {s["speaker"] for s in segments} == {"Jason Reed", "Mary Chen"}
    assert " ".join(str(s["body"]) for s in segments) == DIALOGUE.text


def test_shared_first_names_print_full_names() -> None:
    twins = _transcript(_segment(0.0, "Mary Chen", "Hello there."),
                        _segment(2.0, "Mary Jones", "Hello to you."))
    assert transcripts.to_text(twins).startswith("Mary Chen: Hello there.\n\nMary Jones: ")


def test_unknown_speakers_get_no_label_or_voice() -> None:
    anonymous = _transcript(_segment(0.0, None, "Nobody knows who says this."))
    assert transcripts.to_text(anonymous) == "Nobody knows who says this.\n"
    assert "<v" not in transcripts.to_vtt(anonymous)
    assert "speaker" not in parse_pc20(transcripts.to_pc20_json(anonymous))[0]


def test_long_turn_breaks_at_sentence_ends_into_paragraphs_of_at_most_250_words() -> None:
    sentences = [f"This is sentence number {i} of a very long answer about bread." for i in range(70)]
    long_turn = _transcript(_segment(0.0, "Mary Chen", " ".join(sentences), word_seconds=0.25))
    paragraphs = transcripts.paragraphs(long_turn)
    assert len(paragraphs) == 4  # 770 words
    for paragraph in paragraphs:
        assert paragraph.speaker == "Mary Chen"
        assert len(paragraph.text.split()) <= 250
        assert paragraph.text.endswith("bread.")  # broken at a sentence end
    assert " ".join(p.text for p in paragraphs) == long_turn.text
    check_timing([(p.start, p.end) for p in paragraphs], long_turn.duration)


def test_one_sentence_longer_than_a_paragraph_is_cut_between_words() -> None:
    rambling = _transcript(_segment(0.0, "Jason Reed", " ".join(["and"] * 600) + "."))
    sizes = [len(p.text.split()) for p in transcripts.paragraphs(rambling, max_words=250)]
    assert sizes == [250, 250, 100]


def test_cues_are_short_and_clamped_to_the_audio(tmp_path: Path) -> None:
    # Word times that overlap across segments and run past the end of the audio.
    late = _transcript(_segment(0.0, "Jason Reed", "one two three four five six seven"),
                       _segment(1.5, "Mary Chen", " ".join(["word"] * 60)), duration=10.0)
    for cue in transcripts.cues(late):
        assert len(cue.text) <= transcripts.CUE_MAX_CHARS
    transcripts.write_all(late, tmp_path)
    check_folder(tmp_path, 10.0, from_stage=False)


def test_write_all_writes_every_format_and_round_trips(tmp_path: Path) -> None:
    written = transcripts.write_all(DIALOGUE, tmp_path)
    # Every format, with transcript.json last: it is what says "up to date".
    assert sorted(p.name for p in written[:-1]) == ["transcript.html", "transcript.pc20.json",
                                                    "transcript.srt", "transcript.txt",
                                                    "transcript.vtt"]
    assert written[-1].name == "transcript.json"
    assert transcripts.load(tmp_path / "transcript.json").to_dict() == DIALOGUE.to_dict()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left
    check_folder(tmp_path, DIALOGUE.duration, from_stage=False)


_WORD = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
                min_size=1, max_size=12)


@st.composite
def _transcripts(draw: st.DrawFn) -> Transcript:
    names = draw(st.lists(st.sampled_from(["Jason Reed", "Mary Chen", "Ana <b>&</b>", None]),
                          min_size=1, max_size=6))
    segments, cursor = [], draw(st.floats(0, 2))
    for name in names:
        words = draw(st.lists(_WORD, min_size=1, max_size=40))
        # Recognizer-like slop: a segment may start a little before the previous one ended.
        cursor = max(0.0, cursor - draw(st.floats(0, 0.3)))
        segments.append(_segment(cursor, name, " ".join(words), draw(st.floats(0.01, 0.6))))
        cursor = segments[-1].end + draw(st.floats(0, 3))
    duration = draw(st.floats(max(0.5, segments[-1].end - 1.0), segments[-1].end + 5))
    return Transcript(segments=tuple(segments), duration=duration)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_transcripts())
def test_any_transcript_renders_into_parseable_monotonic_formats(transcript: Transcript) -> None:
    parsed_srt = parse_srt(transcripts.to_srt(transcript))
    parsed_vtt = parse_vtt(transcripts.to_vtt(transcript))
    check_timing([(s, e) for s, e, _ in parsed_srt], transcript.duration)
    check_timing([(s, e) for s, e, _, _ in parsed_vtt], transcript.duration)
    assert len(parsed_srt) == len(parsed_vtt) == len(transcripts.cues(transcript))
    if transcripts.cues(transcript):
        parse_pc20(transcripts.to_pc20_json(transcript))
    assert len(parse_html(transcripts.to_html(transcript))) == \
        len(transcripts.paragraphs(transcript))


# ---------------------------------------------------------------- corrections


def test_corrections_replace_whole_words_only_and_count() -> None:
    before = _transcript(_segment(0.0, "Mary Chen", "We open at rise and shine, rise and shiner "
                                                    "fans know. Rise and shine!"))
    after = apply_corrections(before, [("rise and shine", "Rise and Shine")])
    assert after.segments[0].text == ("We open at Rise and Shine, rise and shiner fans know. "
                                      "Rise and Shine!")
    assert after.corrections == (Correction("rise and shine", "Rise and Shine", 2),)
    assert [w.text for w in after.segments[0].words] == after.segments[0].text.split()


def test_corrections_keep_a_capital_at_a_sentence_start() -> None:
    before = _transcript(_segment(0.0, "Jason Reed", "Sour dough is alive. I love sour dough."))
    after = apply_corrections(before, [("sour dough", "sourdough")])
    assert after.segments[0].text == "Sourdough is alive. I love sourdough."


def test_corrections_that_merge_words_keep_the_span_timing() -> None:
    before = _transcript(_segment(10.0, "Mary Chen", "Ask about grain line today."))
    words = before.segments[0].words
    after = apply_corrections(before, [("grain line", "Grainline")])
    merged = [w for w in after.segments[0].words if w.text == "Grainline"]
    assert len(merged) == 1
    assert (merged[0].start, merged[0].end) == (words[2].start, words[3].end)
    assert after.segments[0].text == "Ask about Grainline today."


def test_corrections_that_split_a_word_spread_it_over_the_span() -> None:
    before = _transcript(_segment(0.0, "Jason Reed", "Welcome marychen to the show."))
    after = apply_corrections(before, [("marychen", "Mary Chen")])
    words = after.segments[0].words
    assert [w.text for w in words] == ["Welcome", "Mary", "Chen", "to", "the", "show."]
    assert words[1].start == before.segments[0].words[1].start
    assert words[2].end == pytest.approx(before.segments[0].words[1].end)
    assert words[1].end == pytest.approx(words[2].start)


def test_unused_corrections_are_not_recorded() -> None:
    after = apply_corrections(DIALOGUE, [("croissant", "Croissant")])
    assert after.corrections == () and after.segments == DIALOGUE.segments
