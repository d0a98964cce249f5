"""Batched or sequential decoding as `showrunner transcribe`'s default (issue #18): WER of both,
through the CLI, on every two-voice conversation of tests/data/notes_dev, spoken by espeak-ng.

`transcribe_stage` times the stage against the bare engine on four recordings; four are too
few to choose a default by WER, because tiny.en's WER moves by a point or two between
recordings either way. Here both settings run on the eleven interviews of the notes set (none
of them was used to tune the transcribe stage), and the WER is pooled over all their words.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from tests.helpers import add_episode, make_show
from tests.speech_accuracy import measure

from showrunner.synth import Line, speak

from .common import RESAMPLES, paired_gap, table
from .transcribe import _child, _cli

THREADS = 2
NOTES_SET = Path("tests/data/notes_dev")
SETTINGS = (("batched", "--batched"), ("sequential", "--no-batched"))


def section() -> str:
    from tests.notes.devset import load

    from showrunner import transcripts

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    load_average = os.getloadavg()[0]
    rows: list[list[Any]] = []
    pooled = {name: [0.0, 0] for name, _ in SETTINGS}  # errors, script words
    wall = {name: 0.0 for name, _ in SETTINGS}
    longest = {name: 0 for name, _ in SETTINGS}
    each: list[dict[str, float]] = []  # every conversation's WER by setting, unrounded
    compared: list[tuple[list[str], str, str]] = []  # script, batched text, sequential text
    asked = {name: [0, 0] for name, _ in SETTINGS}  # script questions heard as one, asked
    with tempfile.TemporaryDirectory(prefix="showrunner-bench-") as tmp:
        for path in sorted(NOTES_SET.glob("*.yaml")):
            episode = load(path)
            if len(episode.hosts) + len(episode.guests) != 2:
                continue
            lines = [Line(s.speaker or "", s.text, None) for s in episode.transcript.segments]
            conversation = speak(lines)
            show = make_show(Path(tmp) / path.stem)
            add_episode(show, "E1",
                        "title: Bench\nnumber: 1\naudio: raw.wav\nguests: [mary-chen]\n",
                        conversation.wav)
            row: list[Any] = [path.stem, f"{conversation.duration / 60:.1f} min"]
            each.append({})
            heard_by: dict[str, str] = {}
            for name, flag in SETTINGS:
                run = _child(_cli(show, "--threads", str(THREADS), flag))
                transcript = transcripts.load(show / "episodes/E1/transcript.json")
                heard = heard_by[name] = transcript.text
                kept, questions = _questions_kept(conversation, transcript)
                asked[name][0] += kept
                asked[name][1] += questions
                accuracy = measure([s.text for s in episode.transcript.segments], heard)
                pooled[name][0] += accuracy.wer * accuracy.reference_words
                pooled[name][1] += accuracy.reference_words
                wall[name] += run.wall_s
                longest[name] = max(longest[name], accuracy.longest_missing_run)
                each[-1][name] = accuracy.wer
                row += [f"{accuracy.wer_percent:.1f} %", str(accuracy.longest_missing_run),
                        f"{run.wall_s:.0f} s"]
            compared.append(([s.text for s in episode.transcript.segments],
                             heard_by["batched"], heard_by["sequential"]))
            row.append(paired_gap(compared[-1:]))
            rows.append(row)
    rate = {name: 100 * errors / max(words, 1) for name, (errors, words) in pooled.items()}
    better = sum(wer["batched"] < wer["sequential"] for wer in each)
    worse = sum(wer["batched"] > wer["sequential"] for wer in each)
    rows.append(["**pooled over all words**", "", f"**{rate['batched']:.1f} %**",
                 str(longest["batched"]), f"{wall['batched']:.0f} s",
                 f"**{rate['sequential']:.1f} %**", str(longest["sequential"]),
                 f"{wall['sequential']:.0f} s", f"**{paired_gap(compared)}**"])
    return "\n".join([
        "## Transcribe: batched or sequential as the default, by WER",
        "",
        "Issue #18 asks for the default to be the setting that meets its targets. "
        "`showrunner transcribe --batched` and `--no-batched` (tiny.en int8, "
        f"{THREADS} threads, with speakers, a fresh process each) on every two-voice "
        f"conversation of `{NOTES_SET}`, spoken by espeak-ng; none of them was used to tune "
        "the transcribe stage. WER against the script after Whisper's English normalizer; "
        "*missing*: the longest run of script words absent from the transcript. "
        f"Load average when it started: {load_average:.1f} on {os.cpu_count()} cores.",
        "",
        table(["conversation", "audio", "batched WER", "missing", "wall",
               "sequential WER", "missing", "wall", "batched - sequential [95 %]"], rows),
        "",
        "*Batched - sequential*: the WER gap in points, with a 95 % interval from a paired "
        f"bootstrap over the script's turns ({RESAMPLES} resamples; pooled: turns resampled "
        "within each conversation). An interval that spans 0 is a gap this much speech cannot "
        f"tell from chance; here {_clear(rows[:-1], '+')} conversation(s) are clearly worse "
        f"batched and {_clear(rows[:-1], '-')} clearly better.",
        "",
        f"Batched was better on {better} conversations and worse on {worse}; pooled over "
        f"every script word its WER is {rate['batched']:.1f} % against sequential's "
        f"{rate['sequential']:.1f} %, in {wall['batched'] / max(wall['sequential'], 1e-9):.2f}x "
        "the wall time.",
        "",
        "Questions heard as questions (what the split's cuts and the notes' hooks are found "
        "by): of the script's turns that ask something, those whose recognized words end one "
        "with a question mark. " + "; ".join(
            f"{name}: {kept} of {total} ({100 * kept / max(total, 1):.0f} %)"
            for name, (kept, total) in asked.items()) + ".",
        "",
    ])


def _clear(rows: list[list[Any]], sign: str) -> int:
    """Rows whose gap interval (last cell, "+1.4 [-0.4, +3.3]") lies wholly on `sign`'s side."""
    bounds = [row[-1].strip("*").split("[")[1].rstrip("]").split(", ") for row in rows]
    return sum(all(bound.startswith(sign) and float(bound) != 0 for bound in pair)
               for pair in bounds)


def _questions_kept(conversation: Any, transcript: Any) -> tuple[int, int]:
    """(turns asking something whose recognized words hold a "?", turns asking something)."""
    words = [w for s in transcript.segments for w in s.words]
    asking = [t for t in conversation.turns if "?" in t.text]
    kept = sum(any(w.text.endswith("?") and t.start - 0.3 <= (w.start + w.end) / 2 <= t.end + 0.3
                   for w in words) for t in asking)
    return kept, len(asking)

