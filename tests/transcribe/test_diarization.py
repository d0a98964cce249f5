"""The diarizer alone: voices separated and counted on generated speech, found by entry point."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile

from showrunner.errors import EngineError
from showrunner.synth import Conversation
from showrunner.transcribe.engines.diarization import (
    Diarization,
    diarizer_names,
    get_diarizer,
    speech_regions,
)
from showrunner.transcribe.engines.resemblyzer_diarizer import ResemblyzerDiarizer, runs_bfloat16


@pytest.fixture(scope="session")
def diarizer() -> ResemblyzerDiarizer:
    return ResemblyzerDiarizer()


def load(conversation: Conversation) -> np.ndarray:
    audio, _ = soundfile.read(str(conversation.wav), dtype="float32")
    return audio


def voice_at(diarization: Diarization, moment: float) -> int:
    """The voice the diarization gives `moment`, or -1 where it gives none."""
    return next((x.voice for x in diarization.turns if x.start <= moment < x.end), -1)


def agreement(diarization: Diarization, conversation: Conversation) -> float:
    """Share of spoken moments (every 0.1 s inside a true turn) given the voice that most
    often speaks for that moment's true speaker."""
    votes: dict[tuple[str, int], int] = {}
    moments = []
    for turn in conversation.turns:
        for t in np.arange(turn.start, turn.end, 0.1):
            voice = voice_at(diarization, t)
            moments.append((turn.speaker, voice))
            votes[(turn.speaker, voice)] = votes.get((turn.speaker, voice), 0) + 1
    best = {speaker: max((v for s, v in votes if s == speaker),
                         key=lambda v: votes[(speaker, v)]) for speaker, _ in moments}
    assert len(set(best.values())) == len(best), f"two speakers share a voice: {best}"
    return sum(best[speaker] == voice for speaker, voice in moments) / len(moments)


@pytest.fixture(scope="module")
def two_voices(diarizer, conversation) -> Diarization:
    return diarizer.diarize(load(conversation), speakers=2)


def test_separates_two_voices_when_told_how_many(two_voices, conversation):
    result = two_voices
    assert result.voices == 2
    assert agreement(result, conversation) >= 0.97
    assert all(np.isclose(np.linalg.norm(p), 1.0, atol=1e-4) for p in result.voiceprints)
    assert list(result.turns) == sorted(result.turns, key=lambda t: t.start)


@pytest.mark.parametrize("fixture, voices", [("solo", 1), ("conversation", 2),
                                             ("three_voices", 3)])
def test_estimates_the_number_of_voices(diarizer, request, fixture, voices):
    conversation = request.getfixturevalue(fixture)
    result = diarizer.diarize(load(conversation), speakers=None)
    assert result.voices == voices
    if voices > 1:
        assert agreement(result, conversation) >= 0.9


def test_voiceprint_of_a_turn_matches_its_speakers_voice(diarizer, two_voices, conversation):
    audio, result = load(conversation), two_voices
    for speaker in conversation.speakers:
        turn = max((t for t in conversation.turns if t.speaker == speaker),
                   key=lambda t: t.end - t.start)
        own = diarizer.voiceprint(audio[int(turn.start * 16000):int(turn.end * 16000)])
        similarity = [float(own @ p) for p in result.voiceprints]
        seconds = {v: sum(min(x.end, turn.end) - max(x.start, turn.start)
                          for x in result.turns if x.voice == v and x.end > turn.start
                          and x.start < turn.end) for v in range(2)}
        assert int(np.argmax(similarity)) == max(seconds, key=lambda v: seconds[v])


def test_speech_regions_follow_the_turns(conversation):
    regions = speech_regions(load(conversation))
    for turn in conversation.turns:
        covered = sum(max(0.0, min(b, turn.end) - max(a, turn.start)) for a, b in regions)
        assert covered >= 0.9 * (turn.end - turn.start), turn
    assert speech_regions(np.zeros(16000 * 5, dtype=np.float32)) == []


def test_silence_has_no_turns(diarizer):
    assert diarizer.diarize(np.zeros(16000 * 3, dtype=np.float32), speakers=2).turns == ()


def test_diarizers_are_found_by_entry_point():
    assert "resemblyzer" in diarizer_names()
    assert get_diarizer("resemblyzer") is ResemblyzerDiarizer
    with pytest.raises(EngineError) as raised:
        get_diarizer("no-such-diarizer")
    assert "transcription.diarizer" in raised.value.one_line()
    assert "resemblyzer" in raised.value.one_line()


@pytest.mark.parametrize("samples", [800, 16_000, 16_000 * 30 + 37])
def test_mel_frames_are_resemblyzers_own(samples):
    from resemblyzer.audio import wav_to_mel_spectrogram

    from showrunner.transcribe.engines.resemblyzer_diarizer import mel_frames

    wav = (np.random.default_rng(samples).standard_normal(samples) * 0.1).astype(np.float32)
    expected = wav_to_mel_spectrogram(wav)
    found = mel_frames(wav)
    assert found.shape == expected.shape and found.dtype == np.float32
    assert np.abs(found - expected).max() <= 1e-5 * np.abs(expected).max()


def test_the_encoder_leaves_pytorchs_thread_count_as_it_was(diarizer, conversation):
    import torch

    threads = torch.get_num_threads()
    diarizer.diarize(load(conversation)[: 16_000 * 20], speakers=2)
    assert torch.get_num_threads() == threads


def test_bfloat16_hears_the_voices_as_float32_does(conversation):
    """The speed-up on CPUs with bfloat16 instructions keeps the embeddings and the turns."""
    if not runs_bfloat16():
        pytest.skip("this CPU runs no bfloat16 LSTM (AVX2 only)")
    wav = load(conversation)[: 16_000 * 60]
    wide, narrow = (ResemblyzerDiarizer(precision=p) for p in ("float32", "bfloat16"))
    assert float(wide.voiceprint(wav) @ narrow.voiceprint(wav)) >= 0.999
    found = [d.diarize(wav, speakers=2) for d in (wide, narrow)]
    moments = np.arange(0.0, 60.0, 0.1)
    voices = [np.array([voice_at(diarization, t) for t in moments]) for diarization in found]
    same = max(np.mean(voices[0] == voices[1]),
               np.mean(np.where(voices[1] >= 0, 1 - voices[1], -1) == voices[0]))
    assert same >= 0.99


def test_bfloat16_where_the_cpu_cannot_run_it_is_refused_in_one_line():
    if runs_bfloat16():
        pytest.skip("this CPU runs the encoder in bfloat16")
    with pytest.raises(ValueError, match="cannot run the speaker encoder in bfloat16"):
        ResemblyzerDiarizer(precision="bfloat16")
    assert ResemblyzerDiarizer(precision="auto").precision == "float32"


def test_an_unknown_precision_is_refused():
    with pytest.raises(ValueError, match="precision"):
        ResemblyzerDiarizer(precision="float16")
