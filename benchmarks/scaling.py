"""How each stage's wall time and peak memory grow with the length of the recording.

10-, 30-, 60- and 180-minute conversations, each the 10-minute generated conversation
(`interview_script(rounds=2)`, two espeak-ng voices) played 1, 3, 6 and 18 times over, with
its ground-truth transcript moved along (words spread evenly over each turn): generating three
hours of speech would cost more than the stages measured. Each play's sentences are told apart
in the transcript ("(take 2)" before each full stop), so nothing is reused from an earlier
play. Every stage runs in a fresh process; peak RSS is its VmHWM.

*transcribe* runs on the tiled audio itself at every length, 180 minutes included: no sped-up
path stands in for the stage the table reports.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import replace
from pathlib import Path

from showrunner.synth import Conversation, Line, interview_script, speak
from showrunner.synth.speech import GUEST_VOICE, HOST_VOICE

from .common import Measured, save_ground_truth, table, timed_python

HOST, GUEST = "Jason Reed", "Mary Chen"
TIMES = tuple(int(t) for t in os.environ.get("SCALING_PLAYS", "1,3,6,18").split(","))
# ^ plays of the 10-minute conversation (SCALING_PLAYS=1 for a quick check)
OLD_UP_TO = int(os.environ.get("SCALING_OLD_UP_TO", "3"))
# ^ the code before runs side by side up to this many plays (30 min)
BEFORE = os.environ.get("SCALING_BEFORE", "")
# ^ the commit the *before* column runs (default: where this branch left main)
PARTS = 4
REPO = Path(__file__).resolve().parent.parent
EPISODE = "title: A Long Talk\nnumber: 1\ndate: 2026-03-02\nguests: [mary-chen]\naudio: raw.wav\n"


def _tiled(base: Conversation, times: int, folder: Path) -> Conversation:
    wav = folder / f"talk-{times}.wav"
    subprocess.run(["sox", *[str(base.wav)] * times, str(wav)], check=True)
    # Each play's sentences are told apart ("... (take 2)."), so that sentence vectors
    # remembered from an earlier play (notes.embeddings) do not make a long talk look cheap.
    turns = tuple(replace(t, text=_take(t.text, k), start=t.start + k * base.duration,
                          end=t.end + k * base.duration)
                  for k in range(times) for t in base.turns)
    return replace(base, wav=wav, turns=turns, duration=base.duration * times, mp3=None)


def _take(text: str, k: int) -> str:
    if k == 0:
        return text
    told = re.sub(r"([.?!])(?=\s|$)", rf" (take {k + 1})\1", text)
    return told if told != text else f"{text} (take {k + 1})"


def _show(root: Path, conversation: Conversation, bumper: Path) -> Path:
    from tests.helpers import SHOW_YAML, add_episode, make_show

    show = make_show(root, show_yaml=SHOW_YAML + "audio:\n  welcome_back: audio/wb.wav\n")
    (show / "audio").mkdir()
    shutil.copyfile(bumper, show / "audio" / "wb.wav")
    add_episode(show, "talk", EPISODE, conversation.wav)
    return show


def _transcribe(show: Path, talk: Conversation, base: Conversation) -> tuple[Measured, float]:
    """`showrunner transcribe` (tiny.en int8, 2 threads, two voices named) in a fresh process,
    and its WER against the script played over; then the ground truth takes the transcript's
    place, so that the stages after it read the same words at every length."""
    from tests.speech_accuracy import measure

    from showrunner import transcripts

    measured = _cli(show, "transcribe", "talk", "--threads", "2", "--quiet")
    folder = show / "episodes" / "talk"
    heard = transcripts.load(folder / "transcript.json").text
    plays = round(talk.duration / base.duration)
    accuracy = measure([t.text for t in base.turns] * plays, heard)
    save_ground_truth(talk, folder / "transcript.json")
    return measured, accuracy.wer_percent


def _split(show: Path, src: Path) -> tuple[Measured, dict[str, list[float]]]:
    """`split_episode` into PARTS finished parts, in a fresh process running the code in
    `src`; its wall time and peak RSS, and the parts' levels."""
    code = (f"import sys; sys.path.insert(0, {str(src)!r})\n"
            "from showrunner.config import load_episode, load_show\n"
            "from showrunner.split.stage import split_episode\n"
            f"s = load_show({str(show)!r})\n"
            f"r = split_episode(s, load_episode(s, 'talk'), parts={PARTS}, force=True, quiet=True)\n"
            "print(json.dumps({'loudness': [m.loudness for m in r.mastered], "
            "'peak': [m.true_peak for m in r.mastered], "
            "'lengths': [m.duration for m in r.mastered]}))\n")
    measured = timed_python(code, cwd=REPO)
    return measured, json.loads(measured.output.strip().splitlines()[-2])


def _cli(show: Path, *args: str) -> Measured:
    code = ("from click.testing import CliRunner\nfrom showrunner.cli import main\n"
            f"r = CliRunner().invoke(main, [*{list(args)!r}, '--show', {str(show)!r}])\n"
            "assert r.exit_code == 0, r.output\n")
    return timed_python(code, cwd=REPO)


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True,
                          check=True).stdout.strip()


def _before() -> str:
    """The commit of the *before* column: SCALING_BEFORE, or where this branch left main."""
    return _git("rev-parse", "--short", BEFORE or _git("merge-base", "HEAD", "main"))


def _subject(commit: str) -> str:
    """The first clause of the commit's subject."""
    return _git("log", "-1", "--format=%s", commit).split(";")[0][:100]


def _old_source(folder: Path) -> Path:
    """The code of the *before* commit, unpacked for side-by-side runs."""
    base = _before()
    archive = folder / "old.tar"
    with archive.open("wb") as out:
        subprocess.run(["git", "archive", base, "src"], cwd=REPO, stdout=out, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(folder / "old", filter="data")
    return folder / "old" / "src"


def _measure(tmp: Path) -> tuple[list[dict[str, object]], float]:
    base = speak(interview_script(HOST, GUEST, rounds=2), {HOST: HOST_VOICE, GUEST: GUEST_VOICE})
    bumper = speak([Line(HOST, "Welcome back to Test Kitchen.")], {HOST: HOST_VOICE}, pause=0.3)
    old, new = _old_source(tmp), REPO / "src"
    runs = []
    for times in TIMES:
        talk = _tiled(base, times, tmp)
        show = _show(tmp / f"show-{times}", talk, bumper.wav)
        transcribe, wer = _transcribe(show, talk, base)
        notes, render = _cli(show, "notes", "talk"), _cli(show, "render", "talk")
        split, facts = _split(show, new)
        before = _split(show, old)[0] if times <= OLD_UP_TO else None
        runs.append({"minutes": talk.duration / 60, "transcribe": transcribe, "wer": wer,
                     "split": split, "old": before, "notes": notes,
                     "render": render, "facts": facts})
        talk.wav.unlink()
        shutil.rmtree(show)
    return runs, base.duration


def _slope(runs: list[dict[str, object]], key: str, field: str) -> str:
    first, last = runs[0], runs[-1]
    rise = getattr(last[key], field) - getattr(first[key], field)
    per_hour = rise / ((last["minutes"] - first["minutes"]) / 60)  # type: ignore[operator]
    return f"{per_hour:+.1f} s" if field.endswith("_s") else f"{per_hour:+.0f} MiB"


def section() -> str:
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        runs, _ = _measure(Path(folder))
    rows = []
    for run in runs:
        split, old, notes, render = run["split"], run["old"], run["notes"], run["render"]
        facts, minutes, transcribe = run["facts"], run["minutes"], run["transcribe"]
        rows.append([f"{minutes:.0f}", f"{transcribe.wall_s:.0f}",
                     f"{transcribe.wall_s / (minutes * 60):.4f}", f"{transcribe.cpu_s:.0f}",
                     f"{transcribe.peak_mib:.0f}", f"{run['wer']:.1f} %", f"{split.wall_s:.0f}",
                     f"{split.wall_s / (minutes * 60):.4f}", f"{split.cpu_s:.0f}",
                     f"{split.cpu_s / (minutes * 60):.4f}", f"{split.peak_mib:.0f}",
                     f"{old.cpu_s:.0f} / {old.peak_mib:.0f}" if old else "not run",
                     f"{min(facts['loudness']):.2f} to {max(facts['loudness']):.2f} LUFS, "
                     f"≤ {max(facts['peak']):.1f} dBTP",
                     f"{notes.cpu_s:.1f}", f"{notes.peak_mib:.0f}", f"{render.cpu_s:.2f}",
                     f"{render.peak_mib:.0f}"])
    if len(runs) > 1:
        rows.append(["slope per hour of audio", "", "", _slope(runs, "transcribe", "cpu_s"),
                     _slope(runs, "transcribe", "peak_mib"), "", "", "",
                     _slope(runs, "split", "cpu_s"), "",
                     _slope(runs, "split", "peak_mib"), "", "", _slope(runs, "notes", "cpu_s"),
                     _slope(runs, "notes", "peak_mib"), _slope(runs, "render", "cpu_s"),
                     _slope(runs, "render", "peak_mib")])
    by_length = {round(r["minutes"] / 10) * 10: r for r in runs}
    growth = {stage: by_length[180][stage].peak_mib / by_length[60][stage].peak_mib - 1
              if 60 in by_length and 180 in by_length else float("nan")
              for stage in ("transcribe", "split")}
    before = _before()
    return "\n".join([
        "## scaling with length",
        "",
        __doc__.split("\n\n")[1].replace("\n", " "),
        "",
        "*transcribe*: `showrunner transcribe` with its defaults (batched tiny.en int8, the "
        "coverage check, two voices named), 2 threads, in a fresh process; WER against the "
        "script played over, after Whisper's English normalizer. "
        f"*split + master*: `split_episode` into {PARTS} finished parts (plan with its topic "
        "model, all parts mastered at once, MP3s checked, tags, transcripts). *before*: the "
        f"same call on the code of {before} (\"{_subject(before)}\"), "
        f"run side by side up to {OLD_UP_TO * 10} minutes. *notes* and *render*: `showrunner notes` and "
        "`showrunner render` on the whole (unsplit) episode, MiniLM topic vectors; wall times "
        "include starting Python and loading the model. CPU time is user + system time of the process and the ffmpeg processes it ran (on this shared machine it is steadier than wall time).",
        "",
        table(["minutes", "transcribe wall s", "transcribe wall / audio", "transcribe CPU s",
               "transcribe peak MiB", "transcribe WER", "split + master wall s",
               "wall / audio s (real-time factor)", "CPU s", "CPU s / audio s", "peak MiB",
               "before: CPU s / peak MiB", "levels of the parts (our meters)", "notes CPU s",
               "notes peak MiB", "render CPU s", "render peak MiB"], rows),
        "",
        f"Peak RSS from 60 to 180 minutes grows {growth['transcribe'] * 100:+.1f} % for "
        f"transcribe and {growth['split'] * 100:+.1f} % for split + master "
        "(target: at most 15 %). Slopes are from the shortest to the longest run. "
        f"Load average when it started: {load:.1f} on {os.cpu_count()} cores.",
    ])


if __name__ == "__main__":
    print(section())
