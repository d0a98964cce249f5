"""Split: one long conversation -> N part episodes with finished MP3s, cut between speakers."""

from .stage import SplitResult, split_episode, stage_inputs

__all__ = ["stage_inputs", "SplitResult", "split_episode"]
