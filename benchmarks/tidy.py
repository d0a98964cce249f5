"""Tidy (issue #19): the time the cuts save per hour of talk, and what proposing and applying
them costs against the length of the recording.

The talk is the held-out disfluent conversation of the tests (espeak-ng, fillers, repeats and
long pauses scripted), recognized by tiny.en with the disfluency prompt. Longer recordings tile
it, with its transcript shifted to match: the stage's input at that length, without spending
an hour of recognition per row (recognition is measured in its own sections).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import soundfile

from .common import table, timed_python

MINUTES = tuple(float(m) for m in os.environ.get("TIDY_MINUTES", "5 20 60").split())


def _talk(root: Path) -> Path:
    """A show whose episode 'talk' holds the held-out talk, transcribed by the real CLI."""
    from tests.conftest import GUEST, HOST
    from tests.helpers import add_episode, make_show, run
    from tests.tidy.conftest import TIDY_YAML

    from showrunner.synth import default_cache_dir, disfluent_script, speak_disfluent
    from showrunner.synth.speech import GUEST_VOICE, HOST_VOICE

    held_out = speak_disfluent(disfluent_script(HOST, GUEST, held_out=True),
                               {HOST: HOST_VOICE, GUEST: GUEST_VOICE},
                               cache_dir=default_cache_dir())
    show = make_show(root / "show", show_yaml=TIDY_YAML)
    add_episode(show, "talk", "title: Talk\nnumber: 1\nguests: [mary-chen]\naudio: raw.wav\n",
                held_out.wav)
    result = run(["transcribe", "talk", "--quiet"], show)
    if result.exit_code != 0:
        raise RuntimeError(result.output)
    return show


def _tiled(show: Path, minutes: float) -> Path:
    """A copy of the show whose talk is repeated to `minutes`, transcript shifted alike."""
    from showrunner import transcripts
    from showrunner.layout import TRANSCRIPT_JSON

    copy = Path(shutil.copytree(show, show.parent / f"show-{minutes:g}"))
    folder = copy / "episodes" / "talk"
    samples, rate = soundfile.read(str(folder / "raw.wav"), dtype="float32")
    transcript = transcripts.load(folder / TRANSCRIPT_JSON)
    times = max(1, round(minutes * 60 / transcript.duration))
    soundfile.write(str(folder / "raw.wav"), np.tile(samples, times), rate)
    length = len(samples) / rate
    segments = tuple(
        replace(s, start=s.start + k * length, end=s.end + k * length,
                words=tuple(replace(w, start=w.start + k * length, end=w.end + k * length)
                            for w in s.words))
        for k in range(times) for s in transcript.segments)
    transcripts.save_json(replace(transcript, segments=segments, duration=times * length),
                          folder / TRANSCRIPT_JSON)
    return copy


_TIDY = """
from showrunner.config import load_show, load_episode
from showrunner.tidy import tidy_episode
show = load_show({root!r})
done = tidy_episode(show, load_episode(show, 'talk'))
print('SAVED', done.saved, len(done.cuts))
"""

_MASTER = """
from pathlib import Path
from showrunner import audio, layout, tidy
from showrunner.config import load_show, load_episode
show = load_show({root!r})
episode = load_episode(show, 'talk')
source = episode.audio_path
edit = tidy.episode_edit(show, episode) if {cut!r} else None
recording = source if edit is None else edit.audio(audio.decode_to_disk(
    source, rate=show.audio.sample_rate, channels=show.audio.channels, folder=episode.folder),
    episode.folder)
done = audio.master_episode(show, episode, recording, layout.mastered_audio(episode))
print('LENGTH', done.duration)
"""


def _value(output: str, key: str) -> list[str]:
    return next(line.split()[1:] for line in output.splitlines() if line.startswith(key))


def section() -> str:
    load = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        show = _talk(Path(tmp))
        for minutes in MINUTES:
            copy = _tiled(show, minutes)
            proposed = timed_python(_TIDY.format(root=str(copy)))
            saved, cuts = _value(proposed.output, "SAVED")
            plain = timed_python(_MASTER.format(root=str(copy), cut=False))
            tidied = timed_python(_MASTER.format(root=str(copy), cut=True))
            length = float(_value(plain.output, "LENGTH")[0])
            rows.append([f"{minutes:g} min", cuts, f"{float(saved) / length * 60:.1f} min",
                         f"{proposed.wall_s:.1f} s", f"{proposed.peak_mib:.0f} MiB",
                         f"{plain.wall_s:.1f} s / {plain.peak_mib:.0f} MiB",
                         f"{tidied.wall_s:.1f} s / {tidied.peak_mib:.0f} MiB",
                         f"{tidied.wall_s / plain.wall_s:.2f}×"])
            shutil.rmtree(copy)
    return "\n".join([
        "## tidy",
        "",
        "Issue #19: `showrunner tidy` proposes cuts (fillers, repeats, pauses over 0.8 s) and "
        "mastering applies the ones the host did not keep. The talk is the tests' held-out "
        "disfluent conversation (espeak-ng, recognized by tiny.en with the disfluency prompt), "
        "tiled to each length with its transcript shifted. *Saved per hour* is what the "
        "proposed cuts take out of each hour of this talk, which was written dense with "
        "disfluencies, so a real conversation saves less. *tidy*: the stage in a fresh process "
        "(decoding, proposing, writing cuts.yaml). *master*: the MP3 from the recording, "
        "plainly and with every proposed cut applied (the edit snapped on the decoded "
        "recording and written to a temporary file a block at a time).",
        "",
        table(["recording", "cuts", "saved per hour", "tidy wall", "tidy peak", "master",
               "master with the cuts", "with / without"], rows),
        "",
        f"Load average when it started: {load:.1f} on {os.cpu_count()} cores.",
    ])


if __name__ == "__main__":
    print(section())
