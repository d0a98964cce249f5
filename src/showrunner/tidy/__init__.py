"""Tidy: propose cuts (fillers, repeated words, long pauses) into cuts.yaml, which the host edits.

Holds the stage, `detect` (where a cut could go) and `cutlist` (cuts.yaml: reading, merging a
re-run's proposals with the host's decisions byte for byte) and `apply` (cutting samples at
zero crossings with crossfades, and retiming; not yet used by mastering)."""

from .apply import retime, spans, tidied
from .cutlist import Cut
from .detect import Proposal
from .stage import TidyResult, propose, stage_inputs, tidy_episode

__all__ = ["stage_inputs", "Cut", "Proposal", "TidyResult", "propose", "retime", "spans", "tidied",
           "tidy_episode"]
