"""Tidy: propose cuts (fillers, repeated words, long pauses) into cuts.yaml, which the host edits.

Holds the stage, `detect` (where a cut could go) and `cutlist` (cuts.yaml: reading, merging a
re-run's proposals with the host's decisions byte for byte) and `apply` (cutting samples at
zero crossings with crossfades, and retiming: split, mastering and notes apply the list)."""

from .apply import Edit, cuts_to_apply, edit_inputs, episode_edit, retime, spans, tidied
from .cutlist import Cut
from .detect import Proposal
from .stage import TidyResult, propose, stage_inputs, tidy_episode

__all__ = ["stage_inputs", "Cut", "Edit", "Proposal", "TidyResult", "cuts_to_apply", "edit_inputs",
           "episode_edit", "propose", "retime", "spans", "tidied", "tidy_episode"]
