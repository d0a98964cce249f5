"""Speech-recognition engines: one small typed interface, found through entry points.

Built-in engines register themselves in pyproject.toml under
`[project.entry-points."showrunner.transcribers"]`, exactly as a third-party engine would.
"""

from __future__ import annotations

import abc
import importlib.metadata
import importlib.util
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

from ...audio import Mono
from ...errors import EngineError
from ...model import Segment, Word
from .registry import load_registered, registered_names

__all__ = ["AUTO_LANGUAGE", "ENGINE_GROUP", "EngineInfo", "TranscribeOptions",
           "TranscriptionEngine", "checked_language", "engine_names", "get_engine", "is_offline",
           "model_folder", "said", "with_words"]

ENGINE_GROUP = "showrunner.transcribers"
SAMPLE_RATE = 16000
AUTO_LANGUAGE = "auto"  # transcription.language: the model hears which language is spoken


@dataclass(frozen=True)
class TranscribeOptions:
    """What one recognition run is asked to do (the model-loading choices live on the engine)."""

    language: str | None = "en"
    beam_size: int = 5
    batched: bool = False
    batch_size: int = 8
    vad: bool = True
    word_timestamps: bool = True
    # Off: measured here, conditioning on the previous window's text lets one bad window
    # derail the next ones, and with a glossary prompt it dropped 95 script words in a row.
    condition_on_previous_text: bool = False
    initial_prompt: str | None = None
    hotwords: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class EngineInfo:
    """What the engine actually did: recorded in transcript.json next to the settings."""

    engine: str
    model: str
    language: str
    duration: float
    speech_duration: float
    options: dict[str, Any] = field(default_factory=dict)


class TranscriptionEngine(abc.ABC):
    """A speech recognizer. Subclasses load their model in `__init__` and implement `transcribe`.

    `model` is a model name (looked up in the engine's usual cache) or a model folder;
    `compute_type`, `threads` and `device` ("cpu" or "cuda") are fixed when the model is loaded.
    """

    name: ClassVar[str] = ""

    def __init__(self, model: str, *, compute_type: str = "default", threads: int = 0,
                 device: str = "cpu") -> None:
        self.model = model
        self.compute_type = compute_type
        self.threads = threads
        self.device = device

    @abc.abstractmethod
    def transcribe(self, audio: Mono,
                   options: TranscribeOptions) -> tuple[Iterator[Segment], EngineInfo]:
        """Recognize float32 mono 16 kHz `audio` (a numpy array, or `Samples` on disk where
        `reads_in_pieces`); segments come lazily, in time order, with absolute times and no
        speaker."""

    def language_for(self, asked: str | None, configured_in: Path | None = None) -> str | None:
        """The language code the model decodes when `asked` is set (None or AUTO_LANGUAGE:
        detect; None back means the model detects). An engine that knows its model's
        languages raises a one-line EngineError, naming `configured_in`, for one it cannot
        hear, before any audio is decoded."""
        return None if asked in (None, AUTO_LANGUAGE) else asked

    def reads_in_pieces(self, options: TranscribeOptions) -> bool:
        """Whether `transcribe` reads a recording of any length a piece at a time itself, in
        bounded memory (`audio` may then be on disk); otherwise the caller gives it pieces."""
        return False


def checked_language(asked: str | None, known: list[str], model: str,
                     configured_in: Path | None) -> str | None:
    """`language_for` for a Whisper model that hears the `known` codes: an English-only
    model decodes English whatever is asked (faster-whisper would only warn, and write
    another language's speech as English words), a multilingual one detects for AUTO."""
    if asked in (None, AUTO_LANGUAGE):
        return None if len(known) > 1 else known[0]
    if asked in known:
        return asked
    if len(known) == 1:
        raise EngineError(f"transcription.language is '{asked}', but model '{model}' hears "
                          f"only '{known[0]}'", path=configured_in,
                          hint=f"set transcription.language (or --language) to {known[0]} or "
                               f"{AUTO_LANGUAGE}, or transcription.model to a multilingual "
                               "model such as small")
    raise EngineError(f"transcription.language '{asked}' is not a language code model "
                      f"'{model}' knows", path=configured_in,
                      hint="set transcription.language (or --language) to a code such as "
                           f"en, de, fr or es, or to {AUTO_LANGUAGE} to detect it")


def engine_names() -> list[str]:
    """Every registered engine, sorted."""
    return registered_names(ENGINE_GROUP)


def get_engine(name: str, configured_in: Path | None = None) -> type[TranscriptionEngine]:
    """The engine class registered as `name`; a one-line EngineError (naming `configured_in`,
    the file that chose it) when it is unknown or broken."""
    return load_registered(ENGINE_GROUP, name, TranscriptionEngine,
                           kind="transcription engine",
                           setting="transcription.engine (or --engine)",
                           install_hint=f"install it: pip install 'showrunner[{name}]'",
                           configured_in=configured_in)


def is_offline() -> bool:
    """True when the producer asked for no downloads (HF_HUB_OFFLINE, as Hugging Face tools do)."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def model_folder(model: str) -> Path | None:
    """The folder (or file) a model reference names, or None for a plain name like `tiny.en`.

    `package:<module>/<subdir>` is a folder inside an installed Python package; anything with a
    path separator, or an existing folder, is a local path.
    """
    if model.startswith("package:"):
        return _package_folder(model)
    path = Path(model).expanduser()
    if path.is_absolute() or "/" in model or os.sep in model or model.startswith(".") \
            or path.is_dir():
        if not path.exists():
            raise EngineError("model folder not found", path=path,
                              hint="set transcription.model to an existing model folder or a "
                                   "model name such as tiny.en")
        return path
    return None


def _package_folder(model: str) -> Path:
    module, _, subdir = model.removeprefix("package:").partition("/")
    try:
        spec = importlib.util.find_spec(module) if module.isidentifier() else None
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise EngineError(f"model '{model}': the Python package '{module}' is not installed",
                          hint=f"install it: pip install {module.replace('_', '-')}")
    folder = Path(next(iter(spec.submodule_search_locations))) / subdir
    if not folder.is_dir():
        raise EngineError(f"model '{model}': no folder '{subdir}' in package '{module}'",
                          path=folder, hint="check the name after 'package:<module>/'")
    return folder


def with_words(segment: Segment, words: tuple[Word, ...]) -> Segment:
    """`segment` narrowed to `words` (some of its own, in order): their span and their text."""
    return replace(segment, start=words[0].start, end=words[-1].end, words=words,
                   text=" ".join(w.text for w in words))


def said(word: str) -> str:
    """A recognized word as said, for comparing words: its case and the punctuation around it
    dropped ("Nah…," and "nah" are one word said)."""
    return word.strip(".,?!;:\"'-…").lower()


def midpoint_in(start: float, end: float, low: float, high: float) -> bool:
    """Whether the midpoint of [start, end] lies in [low, high]: how a word or a wordless
    segment is placed inside or outside a stretch."""
    return low <= (start + end) / 2 <= high


def inside(segment: Segment, low: float, high: float) -> Segment | None:
    """The part of `segment` whose words' midpoints lie in [low, high] (the segment's own
    midpoint when it has no words); None when nothing does."""
    if not segment.words:
        return segment if midpoint_in(segment.start, segment.end, low, high) else None
    words = tuple(w for w in segment.words if midpoint_in(w.start, w.end, low, high))
    if not words:
        return None
    return segment if len(words) == len(segment.words) else with_words(segment, words)
