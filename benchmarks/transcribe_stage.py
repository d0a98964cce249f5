"""`showrunner transcribe` (two voices, with speaker names) against a bare
`BatchedInferencePipeline(...).transcribe(batch_size=8, word_timestamps=True)` call on the same
audio, model and threads (issue #18): wall time, WER, the longest run of script words missing
from the transcript, and how many words carry the right speaker.

Each run is a fresh process (imports, model loading, decoding included) under /usr/bin/time;
the runs of one recording alternate so that load from other work hits them alike. The first
recording is the one the settings were tuned on; the others are held out: spontaneous
conversations from tests/data/notes_dev (short turns, fillers, false starts) that were never
used to choose anything here.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.helpers import PACKAGED_MODEL, add_episode, make_show
from tests.speech_accuracy import measure

from showrunner.model import TranscriptionSettings
from showrunner.synth import Conversation, Line, interview_script, speak
from showrunner.synth.speech import GUEST_VOICE, HOST_VOICE

from .common import RESAMPLES, paired_gap, table
from .transcribe import Run, _child, _cli

THREADS = 2
# Two-voice held-out conversations. On an AVX-512 CPU one batched window of the gardening one
# loops ("no, no, no, ..."), so its row shows what hearing a failed window again costs.
HELD_OUT = ("a-woodworking-shop", "b-restaurant-opening", "a-community-gardening")
_DEFAULT = {TranscriptionSettings().batched: "; **the default**"}
CONFIGS = (
    ("bare `BatchedInferencePipeline` (batch 8, word timestamps)", None),
    ("`showrunner transcribe --batched` (batched + coverage repair, diarization alongside"
     f"{_DEFAULT.get(True, '')})", ("--batched",)),
    ("`showrunner transcribe --no-batched` (sequential, diarization alongside"
     f"{_DEFAULT.get(False, '')})", ("--no-batched",)),
)
REPEATS = 2  # each recording's runs, alternating; the best wall time of each is kept


@dataclass(frozen=True)
class Recording:
    label: str
    conversation: Conversation


def recordings() -> list[Recording]:
    """The tuning recording, then the held-out ones (spoken by espeak-ng, cached)."""
    from tests.notes.devset import load

    host, guest = "Jason Reed", "Mary Chen"
    found = [Recording("tuned on: interview, 2 rounds",
                       speak(interview_script(host, guest, rounds=2),
                             {host: HOST_VOICE, guest: GUEST_VOICE}))]
    for name in HELD_OUT:
        episode = load(Path("tests/data/notes_dev") / f"{name}.yaml")
        script = [Line(s.speaker or "", s.text, None) for s in episode.transcript.segments]
        found.append(Recording(f"held out: {name}", speak(script)))
    return found


def section() -> str:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    load = os.getloadavg()[0]
    rows: list[list[Any]] = []
    differences: list[str] = []
    with tempfile.TemporaryDirectory(prefix="showrunner-bench-") as tmp:
        for number, recording in enumerate(recordings()):
            compared, difference = _compare(recording, Path(tmp) / f"r{number}", REPEATS)
            rows += compared
            differences.append(f"{recording.label}: {difference}")
    return "\n".join([
        "## Transcribe: the stage against a bare batched call",
        "",
        "Issue #18's comparison: `showrunner transcribe` on a two-voice episode (recognition, "
        "the coverage check, diarization and naming, every transcript format) against a bare "
        "`BatchedInferencePipeline(model).transcribe(path, batch_size=8, word_timestamps=True)` "
        f"on the same WAV, tiny.en int8, {THREADS} threads each. Each run is a fresh process "
        "(imports, model loading and decoding included) timed by /usr/bin/time, the runs of a "
        f"recording alternating, {REPEATS} rounds of them; the best wall time of each is "
        "kept. *Missing run*: the longest run of consecutive script words absent from the "
        "transcript (a dropped stretch shows here); *repaired*: stretches the coverage check "
        "heard again; *speaker*: share of recognized words whose label matches the script's "
        "speaker at the word's midpoint, under the best pairing of labels with people. "
        f"Load average when it started: {load:.1f} on {os.cpu_count()} cores.",
        "",
        table(["recording", "audio", "run", "wall", "CPU", "wall / bare", "WER",
               "missing run (words)", "repaired", "speaker"], rows),
        "",
        "Targets: at most 1.2x the bare batched call's wall time, WER no worse than "
        "sequential decoding's, and no missing run over 20 script words. " + _verdict(rows),
        "",
        "How sure each WER comparison is: batched minus sequential WER in points, with a 95 % "
        f"interval from a paired bootstrap over the script's turns ({RESAMPLES} resamples of "
        "the turns, each turn's errors counted under the one alignment the WER uses). An "
        "interval that spans 0 is a difference this recording cannot tell from chance: "
        + "; ".join(differences) + ".",
        "",
    ])


def _verdict(rows: list[list[Any]]) -> str:
    """Each target, met or not, for `--batched` on every recording (rows come in threes: bare,
    batched, sequential)."""
    groups = [rows[i:i + 3] for i in range(0, len(rows), 3)]
    ratios = [float(batched[5]) for _, batched, _ in groups]
    cpu = [float(batched[4].split()[0]) / float(bare[4].split()[0]) for bare, batched, _ in groups]
    runs = [int(batched[7]) for _, batched, _ in groups]
    wer = [(batched[0], float(batched[6].split()[0]), float(old[6].split()[0]))
           for _, batched, old in groups]
    worse = [f"{label}: {new:.1f} % against {old:.1f} %" for label, new, old in wer if new > old]
    return (f"In this run `--batched` took {min(ratios):.2f}-{max(ratios):.2f}x the bare call's "
            f"wall time ({min(cpu):.2f}-{max(cpu):.2f}x its CPU time): "
            f"{'met' if max(ratios) <= 1.2 else '**not met**'}. Longest missing run "
            f"{max(runs)} words: {'met' if max(runs) <= 20 else '**not met**'}. WER: "
            + (f"**not met** on {'; '.join(worse)}." if worse else "met on every recording."))


def _compare(recording: Recording, root: Path, repeats: int) -> tuple[list[list[Any]], str]:
    """The recording's three rows (bare, batched, sequential) and the batched - sequential
    WER difference with its interval (`paired_gap`)."""
    conversation = recording.conversation
    show = make_show(root / "show")
    add_episode(show, "E1", "title: Bench\nnumber: 1\naudio: raw.wav\nguests: [mary-chen]\n",
                conversation.wav)
    best: dict[int, Run] = {}
    scores: dict[int, list[str]] = {}
    heard: dict[int, str] = {}
    for _, (index, (_, flags)) in itertools.product(range(repeats), enumerate(CONFIGS)):
        run = _child(_bare(conversation.wav, root / "bare.txt") if flags is None
                     else _cli(show, "--threads", str(THREADS), *flags))
        if index not in best or run.wall_s < best[index].wall_s:
            best[index] = run
        scores[index] = _scores(conversation, show, root / "bare.txt", flags is None)
        if flags is not None:
            heard[index] = _heard(show)
    bare = best[0]
    return [[recording.label, f"{conversation.duration / 60:.1f} min", label,
             f"{best[i].wall_s:.1f} s", f"{best[i].cpu_s:.0f} s",
             f"{best[i].wall_s / bare.wall_s:.2f}", *scores[i]]
            for i, (label, _) in enumerate(CONFIGS)], \
        paired_gap([([t.text for t in conversation.turns], heard[1], heard[2])])


def _heard(show: Path) -> str:
    from showrunner.transcripts import load

    return load(show / "episodes/E1/transcript.json").text


def _bare(wav: Path, out: Path) -> str:
    return ("from faster_whisper import BatchedInferencePipeline, WhisperModel\n"
            "from showrunner.transcribe.engines import model_folder\n"
            f"model = WhisperModel(str(model_folder({PACKAGED_MODEL!r})), device='cpu', "
            f"compute_type='int8', cpu_threads={THREADS})\n"
            f"segments, _ = BatchedInferencePipeline(model).transcribe({str(wav)!r}, "
            "language='en', batch_size=8, word_timestamps=True)\n"
            "text = ' '.join(s.text for s in segments)\n"
            f"open({str(out)!r}, 'w').write(text)\n")


def _scores(conversation: Conversation, show: Path, bare_text: Path, bare: bool) -> list[str]:
    from showrunner.transcripts import load

    script = [t.text for t in conversation.turns]
    if bare:
        accuracy = measure(script, bare_text.read_text())
        return [f"{accuracy.wer_percent:.1f} %", str(accuracy.longest_missing_run), "–", "–"]
    transcript = load(show / "episodes/E1/transcript.json")
    accuracy = measure(script, transcript.text)
    repaired = len(transcript.settings.get("repaired", []))
    return [f"{accuracy.wer_percent:.1f} %", str(accuracy.longest_missing_run), str(repaired),
            f"{100 * _attributed(transcript, conversation):.1f} %"]


def _attributed(transcript: Any, conversation: Conversation) -> float:
    pairs = [(w.speaker, conversation.nearest_speaker((w.start + w.end) / 2))
             for s in transcript.segments for w in s.words]
    labels = sorted({label for label, _ in pairs if label})
    people = conversation.speakers
    best = 0
    for order in itertools.permutations(people, len(labels)):
        mapping = dict(zip(labels, order, strict=True))
        best = max(best, sum(mapping.get(label or "") == truth for label, truth in pairs))
    return best / max(len(pairs), 1)
