"""Split a 60-minute conversation into three finished parts: wall time against audio time.

The transcript here is built from the generator's ground truth (who spoke which words when,
words spread evenly over each turn), not recognized: recognition is measured in the transcribe
section, and this one measures planning, loudness and MP3 export alone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from showrunner.synth import Conversation, Line, interview_script, speak
from showrunner.synth.speech import GUEST_VOICE, HOST_VOICE

from .common import save_ground_truth, table, timed_python

HOST, GUEST = "Jason Reed", "Mary Chen"
ROUNDS = 12  # about 60 minutes
PARTS = 3
TARGET_RATIO = 0.02  # issue #18
REPO = Path(__file__).resolve().parent.parent


def _conversation() -> Conversation:
    return speak(interview_script(HOST, GUEST, rounds=ROUNDS),
                 {HOST: HOST_VOICE, GUEST: GUEST_VOICE})


def _show(root: Path, conversation: Conversation) -> Path:
    """A show with a welcome-back bumper; episode 'talk' with the ground-truth transcript."""
    from tests.helpers import SHOW_YAML, add_episode, make_show

    show = make_show(root / "show", show_yaml=SHOW_YAML + "audio:\n  welcome_back: "
                                                          "audio/welcome-back.wav\n")
    bumper = speak([Line(HOST, "Welcome back to Test Kitchen. This episode continues my "
                               "conversation with Mary Chen.")], {HOST: HOST_VOICE}, pause=0.3)
    (show / "audio").mkdir()
    shutil.copyfile(bumper.wav, show / "audio" / "welcome-back.wav")
    folder = add_episode(show, "talk", "title: A Long Talk\nnumber: 1\ndate: 2026-03-02\n"
                                       "guests: [mary-chen]\naudio: raw.wav\n", conversation.wav)
    save_ground_truth(conversation, folder / "transcript.json")
    return show


def _run_split(show: Path, dry_run: bool) -> None:
    """In a child process: one split, printing what it measured as JSON."""
    from showrunner.config import load_episode, load_show
    from showrunner.split.stage import split_episode

    loaded = load_show(show)
    started = time.perf_counter()
    result = split_episode(loaded, load_episode(loaded, "talk"), parts=PARTS, dry_run=dry_run,
                           force=True, quiet=True)
    print(json.dumps({"split_s": time.perf_counter() - started,
                      "lengths": [round(x, 1) for x in result.plan.lengths],
                      "loudness": [round(m.loudness, 2) for m in result.mastered],
                      "true_peak": [round(m.true_peak, 2) for m in result.mastered]}))


def _ffmpeg_alone(show: Path, spans: list[tuple[float, float]], out: Path) -> tuple[float, float]:
    """The obvious alternative for the same cuts: ffmpeg's loudnorm filter (one pass) and
    libmp3lame, one command per part, no bumper, no chapters; returns wall and CPU seconds."""
    import resource

    def cpu() -> float:
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        return used.ru_utime + used.ru_stime

    started, started_cpu = time.perf_counter(), cpu()
    for k, (start, end) in enumerate(spans, 1):
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-ss", f"{start:.3f}",
                        "-to", f"{end:.3f}", "-i", str(show / "episodes/talk/raw.wav"),
                        "-af", "loudnorm=I=-16:TP=-1:LRA=11", "-ar", "44100", "-ac", "1",
                        "-c:a", "libmp3lame", "-b:a", "128k", str(out / f"part-{k}.mp3")],
                       check=True)
    return time.perf_counter() - started, cpu() - started_cpu


def _ebur128(path: Path) -> tuple[float, float]:
    import re

    report = subprocess.run(["ffmpeg", "-nostats", "-i", str(path), "-af", "ebur128=peak=true",
                             "-f", "null", "-"], capture_output=True, text=True,
                            check=True).stderr
    return (float(re.findall(r"I:\s+(-?[\d.]+) LUFS", report)[-1]),
            float(re.findall(r"Peak:\s+(-?[\d.]+|-inf) dBFS", report)[-1]))


def section() -> str:
    conversation = _conversation()
    minutes = conversation.duration / 60
    with tempfile.TemporaryDirectory() as tmp:
        show = _show(Path(tmp), conversation)
        code = "from benchmarks.split import _run_split; from pathlib import Path; " \
               f"_run_split(Path({str(show)!r}), {{}})"
        load = os.getloadavg()[0]
        planned = timed_python(code.format(True), cwd=REPO)
        done = timed_python(code.format(False), cwd=REPO)
        plan_facts = json.loads(planned.output.strip().splitlines()[-2])
        facts = json.loads(done.output.strip().splitlines()[-2])
        from showrunner.config import load_episode, load_show
        from showrunner.split.stage import split_episode

        loaded = load_show(show)
        spans = split_episode(loaded, load_episode(loaded, "talk"), parts=PARTS, dry_run=True,
                              force=True, quiet=True).plan.spans
        alone_dir = Path(tmp) / "alone"
        alone_dir.mkdir()
        alone = _ffmpeg_alone(show, spans, alone_dir)
        alone_levels = [_ebur128(p) for p in sorted(alone_dir.glob("*.mp3"))]
        our_levels = [_ebur128(show / f"episodes/talk-{k}/talk-{k}.mp3")
                      for k in range(1, PARTS + 1)]
    audio = conversation.duration
    ratio = facts["split_s"] / audio
    rows = [
        ["plan only (`--dry-run`: decode, silences, topics, cuts)",
         f"{plan_facts['split_s']:.1f}", f"{plan_facts['split_s'] / audio:.4f}",
         f"{planned.cpu_s:.0f}", f"{planned.peak_mib:.0f}", "–"],
        [f"**split into {PARTS} finished parts** (plan; all parts at once: crossfaded bumper, loudness + true-peak "
         "limiter, MP3 encode (fed by the limiter's last round), decode and measure, ID3 tags, "
         "transcripts)",
         f"{facts['split_s']:.1f}", f"**{ratio:.4f}**", f"{done.cpu_s:.0f}",
         f"{done.peak_mib:.0f}",
         ", ".join(f"{i:.1f} LUFS / {p:.1f} dBTP" for i, p in our_levels)],
        ["ffmpeg alone on the same cuts (loudnorm one pass + libmp3lame; no bumper, tags or "
         "check)", f"{alone[0]:.1f}", f"{alone[0] / audio:.4f}", f"{alone[1]:.0f}", "–",
         ", ".join(f"{i:.1f} LUFS / {p:.1f} dBTP" for i, p in alone_levels)],
    ]
    verdict = "meets" if ratio <= TARGET_RATIO else "misses"
    versus = facts["split_s"] / alone[0]
    return "\n".join([
        "## split",
        "",
        f"A {minutes:.1f}-minute generated two-voice conversation (`interview_script(rounds="
        f"{ROUNDS})`) split into {PARTS} parts with a welcome-back bumper, each child process "
        "cold (the sentence-embedding model for the chapters is loaded inside the time). The "
        "transcript is the generator's ground truth (words spread evenly over each turn), "
        "not recognized: recognition is measured in the transcribe section. Levels are "
        "ffmpeg's ebur128 meter on the MP3s (integrated loudness / true peak); the target is "
        "-16 LUFS, true peak at most -1 dBTP.",
        "",
        table(["what", "wall s", "× audio time", "CPU s", "peak RSS MiB", "levels of the parts"],
              rows),
        "",
        f"Split + loudness + MP3 export runs at {ratio:.3f}× real time: it {verdict} the "
        f"target of {TARGET_RATIO}×; side by side it takes {versus:.2f}× the wall time of "
        f"ffmpeg alone and {done.cpu_s / audio:.4f} CPU seconds per second of audio (both "
        f"cores count). Parts: {', '.join(f'{x / 60:.1f}' for x in facts['lengths'])}"
        f" minutes. Load average when it started: {load:.1f} on {os.cpu_count()} cores.",
    ])


if __name__ == "__main__":
    print(section())
