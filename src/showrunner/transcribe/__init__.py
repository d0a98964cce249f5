"""Transcribe: audio -> transcript.json with speaker names, in every format.

Holds the stage, its engines (speech recognition, diarization), speaker naming, the coverage
check that hears skipped stretches again, and the show's corrections."""

from .multitrack import drop_bleed, transcribe_tracks
from .stage import (
           TranscribeResult,
           load_engine,
           recognition_options,
           recognize,
           settings_key,
           stage_inputs,
           transcribe_episode,
)

__all__ = ["TranscribeResult", "drop_bleed", "load_engine", "recognition_options", "recognize",
           "settings_key", "stage_inputs", "transcribe_episode", "transcribe_tracks"]
