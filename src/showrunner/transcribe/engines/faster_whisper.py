"""The default engine: faster-whisper (Whisper on CTranslate2), sequential or batched."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ...audio import Mono
from ...errors import EngineError
from ...model import Segment, Word
from ..pieces import pieces, shifted
from . import (
    SAMPLE_RATE,
    EngineInfo,
    TranscribeOptions,
    TranscriptionEngine,
    checked_language,
    inside,
    is_offline,
    model_folder,
    said,
    with_words,
)

CLIP_SECONDS = 30
# The batched pipeline's own VAD setting. Longer ones, up to its sequential default of 2000 ms,
# moved a recording's WER by up to 3 points, not the same way on every recording
# (BENCHMARKS.md, "a setting that should not matter").
MIN_SILENCE_MS = 160
# faster-whisper's own limits for a window that failed (its sequential decoding then tries
# again at higher temperatures): text this repetitive, or decoded this unsurely, unless the
# window is most likely silence. The batched pipeline decodes at the first temperature only.
COMPRESSION_RATIO_LIMIT = 2.4
LOG_PROB_LIMIT = -1.0
NO_SPEECH_LIMIT = 0.6
# A window's ratio is over all of its text: a loop in its last seconds ("nah" 36 times after
# 25 s of good speech, measured on an AVX2-only CPU) left it at 2.34. So a window also fails
# when one phrase of up to LOOP_PHRASE_WORDS words repeats back to back over LOOP_WORDS words
# or more, which no speaker does; a false alarm only costs decoding the window once more.
LOOP_PHRASE_WORDS = 4
LOOP_WORDS = 12
# Words ending in a full stop that end no sentence.
_ABBREVIATIONS = frozenset({"mr.", "mrs.", "ms.", "dr.", "st.", "vs.", "etc.", "e.g.", "i.e.",
                            "jr.", "sr.", "prof."})


class FasterWhisperEngine(TranscriptionEngine):
    """faster-whisper on the CPU; the model is loaded once and reused for every call."""

    name = "faster-whisper"

    def __init__(self, model: str, *, compute_type: str = "default", threads: int = 0,
                 device: str = "cpu") -> None:
        super().__init__(model, compute_type=compute_type, threads=threads, device=device)
        location = _locate(model)
        try:
            self.whisper = _whisper_model()(location, device=device, compute_type=compute_type,
                                            cpu_threads=threads)
        except (RuntimeError, ValueError, OSError) as exc:
            raise EngineError(f"faster-whisper cannot load model '{model}' "
                              f"({' '.join(str(exc).split())[:160]})", path=location,
                              hint="point transcription.model at a CTranslate2 Whisper model "
                                   "folder (config.json, model.bin) or a name like tiny.en") from exc

    def transcribe(self, audio: Mono,
                   options: TranscribeOptions) -> tuple[Iterator[Segment], EngineInfo]:
        """Recognize `audio`; with `options.batched`, through BatchedInferencePipeline."""
        common: dict[str, Any] = {
            "language": self.language_for(options.language), "beam_size": options.beam_size,
            "word_timestamps": options.word_timestamps,
            "condition_on_previous_text": options.condition_on_previous_text,
            "initial_prompt": options.initial_prompt, "hotwords": options.hotwords,
        }
        if self.reads_in_pieces(options):
            batched, info = self._in_groups(audio, options.batch_size, common)
            found: Iterator[Segment] = self._checked(audio, batched, options,
                                                     {**common, "language": info.language})
        elif options.batched:
            from faster_whisper import BatchedInferencePipeline

            # Without VAD the pipeline needs its clips given: plain 30-second windows.
            batched, info = BatchedInferencePipeline(self.whisper).transcribe(
                np.asarray(audio, dtype=np.float32), batch_size=options.batch_size,
                vad_filter=False, clip_timestamps=_fixed_clips(len(audio)), **common)
            found = self._checked(audio, batched, options, common)
        else:
            segments, info = self.whisper.transcribe(np.asarray(audio, dtype=np.float32),
                                                     vad_filter=options.vad, **common)
            found = _converted(segments)
        used = {**options.as_dict(), "compute_type": self.compute_type, "threads": self.threads}
        return found, EngineInfo(
            engine=self.name, model=self.model, language=info.language,
            duration=len(audio) / SAMPLE_RATE,
            speech_duration=float(info.duration_after_vad or info.duration), options=used)

    def language_for(self, asked: str | None, configured_in: Path | None = None) -> str | None:
        return checked_language(asked, self.whisper.supported_languages, self.model,
                                configured_in)

    def reads_in_pieces(self, options: TranscribeOptions) -> bool:
        """Batched decoding with VAD does (`_in_groups`); sequential decoding takes the
        spectrogram of all it is given at once."""
        return options.batched and options.vad

    def _in_groups(self, audio: Mono, batch_size: int,
                   common: dict[str, Any]) -> tuple[Iterator[Any], Any]:
        """The batched pipeline's own VAD windows over the whole of `audio`, decoded one batch
        at a time, so that memory does not grow with length.

        Given the whole of an hour, the pipeline would hold its audio, a copy of the speech and
        every window's spectrogram at once. Given 5-minute pieces, it decoded a part-filled
        window at the end of each (22 windows for the 21 of the 10-minute test conversation,
        1.1 s more), and windows that differ from a whole-recording call's. Here speech is
        found with the pipeline's own VAD a piece at a time, packed into windows of up to 30 s
        of speech as the pipeline packs them, and decoded a batch at a time (`_batch`)."""
        from faster_whisper import BatchedInferencePipeline

        windows = _windows(_speech(audio), CLIP_SECONDS * SAMPLE_RATE)
        if common["language"] is None and windows:  # one language for every batch
            language = self.whisper.detect_language(_laid_end_to_end(audio, windows[0]))[0]
            common = {**common, "language": language}
        pipeline = BatchedInferencePipeline(self.whisper)
        found = (segment for first in range(0, len(windows), batch_size)
                 for segment in _batch(pipeline, audio, windows[first:first + batch_size],
                                       common))
        speech = sum(end - first for window in windows for first, end in window)
        return found, _Heard(common["language"] or "en", len(audio) / SAMPLE_RATE,
                             speech / SAMPLE_RATE)

    def _checked(self, audio: Mono, batched: Iterable[Any], options: TranscribeOptions,
                 common: dict[str, Any]) -> Iterator[Segment]:
        """Batched windows as our segments, one per sentence; a window that failed is heard
        again sequentially (`_heard_again`)."""
        return _by_sentence(
            segment for window, following in _with_next(batched)
            for segment in (self._heard_again(audio, window, options.vad, common,
                                              following.start if following else None)
                            if _failed(window) else _converted((window,))))

    def _heard_again(self, audio: Mono, window: Any, vad: bool, common: dict[str, Any],
                     until: float | None = None) -> Iterator[Segment]:
        """A batched window that failed, decoded sequentially: with the temperature fallback
        the batched pipeline lacks, which is what stops a repetition loop ("nah nah nah..."
        36 times over four seconds of speech, measured on a levelled multitrack mix).

        `until` is where the next window starts: VAD windows overlap by their padding, and a
        word heard there belongs to the next window (decoded alone, this one ended in the
        first word of the next one's sentence, "coming", which that window also heard)."""
        first = int(window.start * SAMPLE_RATE)
        clip = audio[first:int(np.ceil(window.end * SAMPLE_RATE))]
        segments, _info = self.whisper.transcribe(clip, vad_filter=vad, **common)
        moved = (shifted(segment, window.start) for segment in _converted(segments))
        if until is None:
            return moved
        return (kept for segment in moved if (kept := inside(segment, window.start, until)))


@functools.cache
def _whisper_model() -> type[Any]:
    """faster-whisper's WhisperModel, encoding and aligning a batch of windows one window at
    a time on the CPU (faster-whisper is imported only when an engine is made).

    Both hold a batch's attention at once. The encoder's self-attention over 8 windows of
    tiny.en is 8 x 6 heads x 1500 x 1500 floats, 432 MB, the largest thing alive while an
    episode is transcribed; aligning words reads the decoder's attention over every window
    too. Window by window they hold an eighth of that, and on this CPU encoding 8 windows
    took 3.2 s against 3.7 s as one batch. The batch is still decoded together. A GPU, or an
    output NumPy cannot read (bfloat16), keeps the batch."""
    import ctranslate2
    from faster_whisper import WhisperModel

    class WindowByWindow(WhisperModel):
        def encode(self, features: np.ndarray) -> ctranslate2.StorageView:
            own = super().encode
            if features.ndim < 3 or len(features) < 2 or self.model.device != "cpu" \
                    or not _readable(first := own(features[:1])):
                return own(features)
            # The view keeps a reference to the array it is made from.
            return ctranslate2.StorageView.from_array(np.concatenate(
                [np.asarray(first), *(np.asarray(own(window[None])) for window in features[1:])]))

        def find_alignment(self, tokenizer: Any, text_tokens: list[list[int]],
                           encoder_output: ctranslate2.StorageView, num_frames: Any,
                           median_filter_width: int = 7) -> list[Any]:
            align = super().find_alignment
            if len(text_tokens) < 2 or not _readable(encoder_output):
                return align(tokenizer, text_tokens, encoder_output, num_frames,
                             median_filter_width)
            outputs = np.asarray(encoder_output)
            frames = num_frames if isinstance(num_frames, list) else [num_frames] * len(outputs)
            return [words for i, tokens in enumerate(text_tokens)
                    for words in align(tokenizer, [tokens],
                                       ctranslate2.StorageView.from_array(outputs[i:i + 1]),
                                       [frames[i]], median_filter_width)]

    return WindowByWindow


def _readable(view: Any) -> bool:
    """Whether NumPy can read a CTranslate2 StorageView in place: float32 in CPU memory."""
    import ctranslate2

    return bool(view.device == "cpu" and view.dtype == ctranslate2.DataType.float32)


@dataclass(frozen=True)
class _Heard:
    """What `transcribe` reads of faster-whisper's TranscriptionInfo."""

    language: str
    duration: float
    duration_after_vad: float


def _speech(audio: Mono) -> list[tuple[int, int]]:
    """Where the batched pipeline's VAD, with its own settings, hears speech in `audio` (first
    and end sample of each stretch), found a piece at a time (`pieces`): the VAD model reads
    all it is given at once."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    settings = VadOptions(max_speech_duration_s=CLIP_SECONDS,
                          min_silence_duration_ms=MIN_SILENCE_MS)
    found: list[tuple[int, int]] = []
    for first, end in pieces(audio):
        piece = np.asarray(audio[first:end], dtype=np.float32)
        found += [(first + stretch["start"], first + stretch["end"])
                  for stretch in get_speech_timestamps(piece, settings)]
    return found


def _windows(speech: list[tuple[int, int]], limit: int) -> list[list[tuple[int, int]]]:
    """Stretches of speech packed in order into windows of at most `limit` samples of speech,
    as faster-whisper's `collect_chunks` packs them for the batched pipeline."""
    windows: list[list[tuple[int, int]]] = []
    length = 0
    for first, end in speech:
        if windows and length + end - first <= limit:
            windows[-1].append((first, end))
            length += end - first
        else:
            windows.append([(first, end)])
            length = end - first
    return windows


def _batch(pipeline: Any, audio: Mono, windows: list[list[tuple[int, int]]],
           common: dict[str, Any]) -> Iterator[Any]:
    """One batch of windows through the pipeline: their speech laid end to end, each window a
    clip of it, and the times moved back onto the recording as the pipeline's own VAD path
    moves them (`restore_speech_timestamps`)."""
    from faster_whisper.transcribe import restore_speech_timestamps

    stretches = [stretch for window in windows for stretch in window]
    laid = _laid_end_to_end(audio, stretches)
    clips, offset = [], 0
    for window in windows:
        length = sum(end - first for first, end in window)
        clips.append({"start": offset / SAMPLE_RATE, "end": (offset + length) / SAMPLE_RATE})
        offset += length
    segments, _info = pipeline.transcribe(laid, batch_size=len(windows), vad_filter=False,
                                          clip_timestamps=clips, **common)
    return restore_speech_timestamps(
        segments, [{"start": a, "end": b} for a, b in stretches], SAMPLE_RATE)


def _laid_end_to_end(audio: Mono, stretches: list[tuple[int, int]]) -> np.ndarray:
    """The stretches (first and end sample) of `audio` one after another, as float32."""
    return np.concatenate([np.asarray(audio[a:b], dtype=np.float32) for a, b in stretches])


def _with_next(windows: Iterable[Any]) -> Iterator[tuple[Any, Any | None]]:
    """Each window with the one after it (None after the last), reading one ahead."""
    these, following = itertools.tee(windows)
    next(following, None)
    return itertools.zip_longest(these, following)


def _failed(window: Any) -> bool:
    """Whether a batched window's text fails faster-whisper's own checks (see the limits)."""
    if window.compression_ratio > COMPRESSION_RATIO_LIMIT or loops(window.text):
        return True
    return window.avg_logprob < LOG_PROB_LIMIT and window.no_speech_prob <= NO_SPEECH_LIMIT


def loops(text: str) -> bool:
    """Whether some phrase of up to LOOP_PHRASE_WORDS words repeats back to back over at least
    LOOP_WORDS words of `text` (case and punctuation aside): a decoder caught in a loop."""
    words = [word for w in text.split() if (word := said(w))]
    for size in range(1, LOOP_PHRASE_WORDS + 1):
        repeated = 0  # words in a row equal to the word `size` before them
        for i in range(size, len(words)):
            repeated = repeated + 1 if words[i] == words[i - size] else 0
            if repeated + size >= LOOP_WORDS:
                return True
    return False


def _locate(model: str) -> str:
    folder = model_folder(model)
    if folder is not None:
        return str(folder)
    from faster_whisper import available_models, download_model

    if model not in available_models() and "/" not in model:
        raise EngineError(f"unknown faster-whisper model '{model}'",
                          hint=f"use one of {', '.join(available_models())} or a model folder")
    fetch = (f"python -c \"from faster_whisper import download_model; "
             f"download_model('{model}')\"")
    try:
        return str(download_model(model, local_files_only=True))
    except Exception:  # noqa: BLE001 — huggingface_hub raises several kinds for "not cached"
        if is_offline():
            raise EngineError(f"model '{model}' is not in the Hugging Face cache and downloads "
                              "are off (HF_HUB_OFFLINE)",
                              hint=f"download it once while online: {fetch}; or set "
                                   "transcription.model to a local model folder") from None
    try:
        return str(download_model(model))
    except Exception as exc:  # noqa: BLE001 — network, disk and hub errors all end the same way
        raise EngineError(f"model '{model}' could not be downloaded ({type(exc).__name__})",
                          hint=f"check the network and run: {fetch}; or set "
                               "transcription.model to a local model folder") from exc


def _fixed_clips(samples: int) -> list[dict[str, float]]:
    seconds = samples / SAMPLE_RATE
    starts = np.arange(0.0, max(seconds, 1e-3), CLIP_SECONDS)
    return [{"start": float(s), "end": float(min(s + CLIP_SECONDS, seconds))} for s in starts]


def _converted(segments: Iterable[Any]) -> Iterator[Segment]:
    for segment in segments:
        words = tuple(Word(float(w.start), float(w.end), w.word.strip(), float(w.probability))
                      for w in segment.words or () if w.word.strip())
        text = " ".join(segment.text.split())
        if text:
            yield Segment(float(segment.start), float(segment.end), text, None, words)


def _by_sentence(segments: Iterable[Segment]) -> Iterator[Segment]:
    """Each segment cut after every word that ends a sentence. The batched pipeline decodes
    without timestamp tokens, so it gives one segment per 30-second window, where sequential
    decoding gives about one per sentence: a 30-second caption cue, or a part that has to
    open on the host's remark before a question, is no use to anyone."""
    for segment in segments:
        sentence: list[Word] = []
        for number, word in enumerate(segment.words, start=1):
            sentence.append(word)
            if number < len(segment.words) and _ends_sentence(word.text):
                yield with_words(segment, tuple(sentence))
                sentence = []
        # Uncut (or wordless), the segment stays as the engine gave it.
        yield with_words(segment, tuple(sentence)) if len(sentence) < len(segment.words) \
            else segment


def _ends_sentence(word: str) -> bool:
    return word.rstrip('"\')').endswith((".", "?", "!")) and word.lower() not in _ABBREVIATIONS
