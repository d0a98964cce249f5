"""The tidy stage: transcript.json + the recording -> cuts.yaml (merged with the host's edits)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import atomic, transcripts
from ..audio import SAMPLE_RATE, decode
from ..errors import AudioError, ConfigError
from ..layout import CUTS_FILE, TRANSCRIPT_JSON
from ..model import Episode, Show, Transcript, Word
from ..tidy_settings import TidySettings, tidy_settings
from . import cutlist
from .detect import Proposal, filler_cuts, gap_fillers, pause_cuts, repeat_cuts, words_of


@dataclass(frozen=True)
class TidyResult:
    path: Path
    proposals: tuple[Proposal, ...]  # everything detected this run
    cuts: tuple[cutlist.Cut, ...]  # the merged list (what the file holds / would hold)
    added: int
    saved: float  # seconds the cuts not kept would remove
    written: bool
    notices: tuple[str, ...] = ()

    def lines(self, dry_run: bool) -> list[str]:
        """What the command prints: each cut that would go (dry run), then the summary."""
        going = [c for c in self.cuts if not c.keep]
        out = list(self.notices) + [f"{c.start:9.3f}-{c.end:9.3f}  {c.kind:<7} {c.removes}" for c in going] \
            if dry_run else []
        verb = "would remove" if dry_run else "remove"
        where = self.path.name if dry_run or not self.written else f"wrote {self.path.name}:"
        out.append(f"{where} {len(going)} cut(s) {verb} {self.saved:.1f} s "
                   f"({len(self.cuts) - len(going)} kept by the host, {self.added} new)")
        return out


def propose(transcript: Transcript, samples: np.ndarray, rate: int,
            settings: TidySettings, *, gap_sounds: bool = False) -> list[Proposal]:
    """Every cut the settings ask for, in time order, overlaps resolved (the earlier wins).

    `gap_sounds` also cuts short voiced sounds inside word gaps: off, because on the tuning
    and held-out talks it added more false fillers than it found (tests/tidy, README there)."""
    words = words_of(transcript)
    found: list[Proposal] = []
    if "pause" in settings.kinds:
        found += [p for p in pause_cuts(samples, rate, settings.max_pause)
                  if not _speaker_changes(words, p)]
    if "filler" in settings.kinds:
        found += filler_cuts(words, samples, rate)
        found += gap_fillers(words, samples, rate) if gap_sounds else []
    if "repeat" in settings.kinds:
        found += repeat_cuts(words, samples, rate)
    found.sort(key=lambda p: (p.start, p.end))
    kept: list[Proposal] = []
    for proposal in found:
        if not kept or proposal.start >= kept[-1].end:
            kept.append(proposal)
    return kept


def _speaker_changes(words: list[Word], cut: Proposal) -> bool:
    """Whether the words either side of `cut` are different speakers' (never cut there).
    Whisper's word starts run late, never early: the word before starts before the cut's
    start, the word after at or after its end."""
    before = [w for w in words if w.start < cut.start]
    after = [w for w in words if w.start >= cut.end]
    return bool(before and after and before[-1].speaker != after[0].speaker)


def tidy_episode(show: Show, episode: Episode, *, dry_run: bool = False) -> TidyResult:
    """Propose cuts for `episode` and merge them into its cuts.yaml (unless `dry_run`)."""
    settings = tidy_settings(show.root)
    transcript_path = episode.folder / TRANSCRIPT_JSON
    if not transcript_path.is_file():
        raise ConfigError("has no transcript.json", path=episode.folder,
                          hint=f"run 'showrunner transcribe {episode.id}' first")
    audio_path = episode.audio_path
    if audio_path is None or not audio_path.is_file():
        raise AudioError("names no recording to tidy", path=episode.folder / "episode.yaml",
                         hint="set 'audio:' to the raw recording")
    transcript = transcripts.load(transcript_path)
    proposals = propose(transcript, decode(audio_path), SAMPLE_RATE, settings)
    path = episode.folder / CUTS_FILE
    old = cutlist.read(path)
    old_text = path.read_text(encoding="utf-8") if path.is_file() else None
    text = cutlist.merge(old, proposals, old_text)
    merged = cutlist.parse(text, path)
    if not dry_run and text != old_text:
        atomic.write_text(path, text)
    saved = sum(c.end - c.start for c in merged if not c.keep)
    return TidyResult(path, tuple(proposals), tuple(merged), len(merged) - len(old), saved,
                      not dry_run and text != old_text, _notices(transcript, settings, episode))


def _notices(transcript: Transcript, settings: TidySettings, episode: Episode) -> tuple[str, ...]:
    if "filler" not in settings.kinds or transcript.settings.get("disfluencies"):
        return ()
    return (f"note: {TRANSCRIPT_JSON} was recognized without transcription.disfluencies, so "
            "most 'um' and 'uh' are missing from it; set 'disfluencies: true' under "
            f"transcription: in show.yaml and run 'showrunner transcribe {episode.id} --force'",)


def stage_inputs(show: Show, episode: Episode) -> list[Any]:
    """What cuts.yaml's proposals depend on, for the up-to-date check (see `digest`)."""
    return [episode.audio_path, episode.folder / TRANSCRIPT_JSON, tidy_settings(show.root)]
