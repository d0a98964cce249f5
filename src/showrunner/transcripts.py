"""Reading and writing transcripts: transcript.json and the formats derived from it.

The transcribe stage owns the rendering of SRT, WebVTT, Podcasting 2.0 JSON, text and HTML;
every other stage reads transcript.json through `load`.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import atomic
from .errors import ConfigError
from .model import Transcript

TRANSCRIPT_JSON = "transcript.json"


def load(path: Path) -> Transcript:
    """Read transcript.json; a malformed file gets a one-line error naming it."""
    if not path.is_file():
        raise ConfigError("no transcript yet", path=path,
                          hint=f"run 'showrunner transcribe {path.parent.name}' first")
    try:
        return Transcript.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"transcript is malformed ({type(exc).__name__}: {exc})", path=path,
                          hint="regenerate it with 'showrunner transcribe --force'") from exc


def save_json(transcript: Transcript, path: Path) -> None:
    """Write transcript.json atomically."""
    atomic.write_text(path, json.dumps(transcript.to_dict(), ensure_ascii=False, indent=1) + "\n")
