"""Run every benchmark section and write BENCHMARKS.md with the machine, date and versions.

    python -m benchmarks [SECTION ...]     (default: all; e.g. `python -m benchmarks feed`)
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.metadata
import os
import platform
import sys
import time
import traceback
from pathlib import Path

SECTIONS = ("transcribe", "transcribe_stage", "transcribe_default", "transcribe_spread",
            "speakers", "split", "tidy", "limiter", "notes", "notes_quality", "notes_writer",
            "feed", "scaling", "whole_episode", "pipeline", "catalogue", "multitrack")
PACKAGES = ("showrunner", "faster-whisper", "ctranslate2", "openai-whisper", "torch",
            "resemblyzer", "feedgen", "pyloudnorm", "mutagen", "sentence-transformers")


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        lines = []
    cpu = next((line.split(":", 1)[1].strip() for line in lines
                if line.startswith("model name")), cpu)
    # Recognition and the speaker encoder run other kernels (and give other words) by vector
    # extension: one "AMD EPYC" had AVX-512 and bfloat16, another AVX2 only.
    flags = set(next((line for line in lines if line.startswith("flags")), "").split())
    vectors = ["AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "",
               "BF16" if {"avx512_bf16", "amx_bf16"} & flags else ""]
    if any(vectors):
        cpu += f" ({' '.join(v for v in vectors if v)})"
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 2**20:.0f} GiB memory"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{memory}, {platform.system()} {platform.release()}"


def versions() -> str:
    found = []
    for name in PACKAGES:
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            continue
    return f"Python {platform.python_version()}; " + ", ".join(found)


def main(argv: list[str]) -> int:
    wanted = argv or list(SECTIONS)
    out = Path("BENCHMARKS.md")
    header = ["# Benchmarks", "",
              f"Written by `make bench` on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC.", "",
              f"- Machine: {machine()}",
              f"- Versions: {versions()}",
              "- Every ratio compares our pipeline with the obvious alternative run in the same "
              "process on the same input; memory is peak RSS of a child process.", ""]
    body = []
    failed = 0
    for name in wanted:
        started = time.perf_counter()
        print(f"[bench] {name} …", file=sys.stderr, flush=True)
        try:
            section = importlib.import_module(f"benchmarks.{name}").section()
        except Exception:  # noqa: BLE001 — one broken section must not hide the others
            failed += 1
            section = f"## {name}\n\nThis section failed:\n\n```\n{traceback.format_exc()}```\n"
        body.append(section.rstrip() + "\n")
        print(f"[bench] {name} done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    text = "\n".join(header) + "\n" + "\n".join(body)
    if argv and out.exists():
        # The header stays the full run's; each section measured now says when and where.
        stamp = f"_Measured alone on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {machine()}._"
        existing = out.read_text()
        fresh = [section.rstrip() + "\n\n" + stamp + "\n" for section in body]
        text = existing.split("\n## ")[0].rstrip() + "\n\n" + "\n".join(
            _merge(existing, fresh, wanted))
    out.write_text(text)
    print(f"wrote {out}", file=sys.stderr)
    return 1 if failed else 0


def _merge(existing: str, fresh: list[str], names: list[str]) -> list[str]:
    """Keep the other sections of an earlier full run when only some were re-measured."""
    old = ["## " + part for part in existing.split("\n## ")[1:]]
    by_title = {s.splitlines()[0]: s for s in old}
    for section in fresh:  # in its old place, or at the end when new
        by_title[section.splitlines()[0]] = section
    return [s.rstrip() + "\n" for s in by_title.values()]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
