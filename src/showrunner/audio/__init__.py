"""Audio: reading any recording (ffmpeg), loudness (BS.1770, true peak) and mastering the
finished MP3 with its ID3 tags. Used by transcribe (reading) and split (mastering).

Each name is loaded from its module on first use (PEP 562): the feed only retags MP3s and
would otherwise pay for importing mastering's scipy (through pyloudnorm), about 0.9 s of its
1.3 s start, at every build.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .mastering import (
        Audio,
        MasteredAudio,
        ShowClips,
        conversation_start,
        load_audio,
        load_clips,
        master_episode,
        stage_inputs,
    )
    from .pcm import Mono, Pcm, Samples, Signal, decode_samples, decode_to_disk
    from .reading import SAMPLE_RATE, AudioInfo, check, decode, probe
    from .tags import retag_chapters, tagged_chapters
    from .tracks import (
        AlignedTracks,
        align_tracks,
        find_offset,
        level_tracks,
        mix_tracks,
        on_one_clock,
        read_tracks,
        write_mix,
    )

_HOME = {
    **dict.fromkeys(("Audio", "MasteredAudio", "ShowClips", "conversation_start", "load_audio",
                     "load_clips", "master_episode", "stage_inputs"), "mastering"),
    **dict.fromkeys(("Mono", "Pcm", "Samples", "Signal", "decode_samples", "decode_to_disk"),
                   "pcm"),
    **dict.fromkeys(("SAMPLE_RATE", "AudioInfo", "check", "decode", "probe"), "reading"),
    **dict.fromkeys(("retag_chapters", "tagged_chapters"), "tags"),
    **dict.fromkeys(("AlignedTracks", "align_tracks", "find_offset", "level_tracks", "mix_tracks",
                     "on_one_clock", "read_tracks", "write_mix"), "tracks"),
}

__all__ = ["SAMPLE_RATE", "AlignedTracks", "Audio", "AudioInfo", "MasteredAudio", "Mono", "Pcm",
           "Samples", "ShowClips", "Signal", "align_tracks", "check", "conversation_start",
           "decode", "decode_samples", "decode_to_disk", "find_offset", "level_tracks",
           "load_audio", "load_clips", "master_episode", "mix_tracks", "on_one_clock", "probe",
           "read_tracks", "retag_chapters", "stage_inputs", "tagged_chapters", "write_mix"]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value
