"""Audio: reading any recording (ffmpeg), loudness (BS.1770, true peak) and mastering the
finished MP3 with its ID3 tags. Used by transcribe (reading) and split (mastering)."""

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
from .pcm import Pcm, Signal, decode_to_disk
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

__all__ = ["stage_inputs", "SAMPLE_RATE", "AlignedTracks", "Audio", "AudioInfo", "MasteredAudio", "Pcm", "ShowClips", "Signal",
           "check", "conversation_start", "decode", "decode_to_disk", "load_audio", "load_clips",
           "align_tracks", "find_offset", "level_tracks", "master_episode", "mix_tracks",
           "on_one_clock", "probe", "read_tracks", "write_mix", "retag_chapters", "tagged_chapters"]
