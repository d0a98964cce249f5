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
    midpoint_in,
    model_folder,
    with_words,
)
from .window_checks import CLIP_SECONDS, failed, most_tokens

# The batched pipeline's own VAD setting. Longer ones, up to its sequential default of 2000 ms,
# moved a recording's WER by up to 3 points, not the same way on every recording
# (BENCHMARKS.md, "a setting that should not matter").
MIN_SILENCE_MS = 160
# A failed window is heard again as passages of up to this many seconds of its speech, batched
# at the first temperature: a loop stays inside one passage, and nothing samples. Heard again
# whole with the temperature fallback, one looping 29-second window of tiny.en took 13 to 20 s
# on its own, more than the bare batched call on its whole 7-minute recording, and its words
# changed from run to run; as passages, 1.5 to 2.2 s (a-community-gardening on an AVX-512 CPU,
# measured in process; BENCHMARKS.md, "the stage against a bare batched call", has its row).
REHEAR_SECONDS = 10
# The temperature fallback samples: seeded, a run gives the same words every time.
SAMPLING_SEED = 1
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
        # CTranslate2 seeds each worker thread's sampler once, when it first samples, from this.
        import ctranslate2

        ctranslate2.set_random_seed(SAMPLING_SEED)
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
            # Without VAD the pipeline needs its clips given: plain 30-second windows.
            batched, info = self.pipeline.transcribe(
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
        # Windows of up to 20 s of speech were skipped less (the coverage check heard 9
        # stretches again in 12 two-voice conversations, against 19) but took 1.3x as long,
        # at 16.0 % pooled WER against 15.7 %: each is a 30-second encoding whatever it holds.
        windows = _windows(_speech(audio), CLIP_SECONDS * SAMPLE_RATE)
        if common["language"] is None and windows:  # one language for every batch
            language = self.whisper.detect_language(_laid_end_to_end(audio, windows[0]))[0]
            common = {**common, "language": language}
        found = (segment for first in range(0, len(windows), batch_size)
                 for segment in _batch(self.pipeline, audio, windows[first:first + batch_size],
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
                            if failed(window) else _converted((window,))))

    def _heard_again(self, audio: Mono, window: Any, vad: bool, common: dict[str, Any],
                     until: float | None = None) -> Iterator[Segment]:
        """A batched window that failed, heard again as passages of at most REHEAR_SECONDS of
        its speech, batched; a passage that fails again is decoded alone (`_alone`). Without
        VAD the window is one passage, decoded alone.

        `until` is where the next window starts: VAD windows overlap by their padding, and a
        word heard there belongs to the next window (decoded alone, this one ended in the
        first word of the next one's sentence, "coming", which that window also heard)."""
        first = int(window.start * SAMPLE_RATE)
        clip = np.asarray(audio[first:int(np.ceil(window.end * SAMPLE_RATE))], dtype=np.float32)
        passages = _windows(_speech(clip), REHEAR_SECONDS * SAMPLE_RATE) if vad \
            else [[(0, len(clip))]]
        heard = list(_batch(self.pipeline, clip, passages, common)) if vad and passages else []
        found: list[Segment] = []
        for passage in passages:
            start, end = passage[0][0], passage[-1][1]
            own = [s for s in heard if midpoint_in(s.start, s.end, start / SAMPLE_RATE,
                                                   end / SAMPLE_RATE)]
            found += _converted(own) if own and not any(map(failed, own)) else (
                shifted(s, start / SAMPLE_RATE) for s in self._alone(clip[start:end], common))
        moved = (shifted(segment, window.start) for segment in found)
        if until is None:
            return moved
        return (kept for segment in moved if (kept := inside(segment, window.start, until)))

    def _alone(self, passage: np.ndarray, common: dict[str, Any]) -> Iterator[Segment]:
        """`passage` decoded sequentially, with the temperature fallback the batched pipeline
        lacks, which is what stops a repetition loop ("nah nah nah..." 36 times over four
        seconds of speech, measured on a levelled multitrack mix). Its tokens are capped in
        proportion to its length (`most_tokens`): every temperature that loops otherwise runs
        to the model's limit, five samples at a time."""
        cap = most_tokens(len(passage) / SAMPLE_RATE, self.whisper.max_length,
                          bool(common.get("hotwords")))
        segments, _info = self.whisper.transcribe(passage, vad_filter=False,
                                                  max_new_tokens=cap, **common)
        return _converted(segments)

    @functools.cached_property
    def pipeline(self) -> Any:
        from faster_whisper import BatchedInferencePipeline

        return BatchedInferencePipeline(self.whisper)


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
    # Without timestamp tokens, the pipeline's default: with them, the same 12 conversations
    # came out at 17.3 % pooled WER against 15.7 %, with 64 stretches to hear again, not 19.
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
