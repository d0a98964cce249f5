"""`showrunner split`: one long conversation -> N part episodes with finished MP3s.

Order: transcribe must have run on the source (split reads its transcript.json); notes and
render run on each part afterwards. The source episode folder is only ever read.

Two phases: first everything is read, checked and planned (a dry run stops there, and any
bad input fails there, before a single file is written); then each part folder is written:
its MP3, its transcript files, and last its episode.yaml (a folder without one is no episode).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import atomic, layout, tidy, transcripts
from ..config import check_episode_id, list_episodes, read_yaml, update_yaml, write_episode_yaml
from ..digest import loaded_settings
from ..errors import ConfigError
from ..layout import EPISODE_FILE, TRANSCRIPT_JSON
from ..model import Chapter, Episode, Series, Show, Transcript, clock
from ..notes import draft_chapters, write_episode_chapters
from . import cutplan
from .cutplan import Plan

# Mastering's functions are imported where used: importing them pulls in scipy (through
# pyloudnorm), about a second that `showrunner episode` would pay even when every stage is
# up to date (see showrunner.audio).
if TYPE_CHECKING:
    from ..audio import MasteredAudio, Pcm, ShowClips

# Files split makes in a part folder; anything else there (notes.md above all) is the host's.
_GENERATED = (EPISODE_FILE, TRANSCRIPT_JSON, *layout.TRANSCRIPT_FILES, layout.CHAPTERS_FILE,
              ".showrunner-state.json")


@dataclass(frozen=True)
class SplitResult:
    """What split did (or, for a dry run, would do)."""

    summary: str
    plan: Plan
    parts: tuple[Episode, ...]
    mastered: tuple[MasteredAudio, ...] = ()


@dataclass(frozen=True)
class _Context:
    """Everything read and decided before writing."""

    transcript: Transcript
    audio: Pcm  # the recording, decoded to a temporary file and read a block at a time
    clips: ShowClips
    plan: Plan
    parts: tuple[Episode, ...]
    chapters: tuple[Chapter, ...]  # of the whole conversation, from its topic structure
    kept_notes: tuple[Path, ...]
    stale: tuple[Path, ...]
    refusal: str = ""  # a dry run's note of why the real run would stop
    tidied: str = ""  # what the host's cuts.yaml took out, when it has cuts to apply


def split_episode(show: Show, episode: Episode, *, parts: int | None = None,
                  max_minutes: float | None = None, first_number: int | None = None,
                  first_date: dt.date | None = None, dry_run: bool = False, force: bool = False,
                  quiet: bool = False) -> SplitResult:
    """Cut `episode` into parts `<id>-1` … `<id>-N` (see the module docstring)."""
    context = _prepare(show, episode, parts, max_minutes, first_number, first_date, force,
                       dry_run)
    if dry_run:
        text = explain(episode, context.plan, context.parts, context.clips)
        if context.refusal:
            text += f"\nA real run would stop here: {context.refusal}"
        return SplitResult(text + "\nNothing was written (dry run).", context.plan,
                           context.parts)
    # Every part is mastered at once (up to two per core): numpy, scipy and ffmpeg do the work
    # outside the GIL, and with a part per core, a third part ran alone at the end on a
    # machine with two cores while the other core sat idle (80 s against 91 s for three parts
    # of a 60-minute recording; each part streams, so memory barely grows).
    with ThreadPoolExecutor(min(len(context.parts), 2 * (os.cpu_count() or 1))) as pool:
        mastered = tuple(pool.map(lambda k: _write_part(show, context, k, quiet),
                                  range(len(context.parts))))
    for folder in context.stale:
        shutil.rmtree(folder)
    return SplitResult(_summary(episode, context, mastered), context.plan, context.parts, mastered)


def explain(episode: Episode, plan: Plan, parts: tuple[Episode, ...], clips: ShowClips) -> str:
    """The plan in words: each cut, who speaks after it and why it is there; each part."""
    size = f"at most {clock(plan.limit)} and " if plan.limit is not None else ""
    lines = [f"Plan for {episode.id} ({clock(plan.duration)} recorded): {len(parts)} parts of "
             f"{size}about {clock(plan.target)} each{_clips_note(clips, len(parts))}."]
    for k, (cut, ideal, nearer) in enumerate(zip(plan.cuts, plan.ideal, plan.nearest,
                                                 strict=True), start=1):
        lines.append(f"Cut {k} at {clock(cut.time, tenths=True)}, in {cut.silence:.1f} s of silence; "
                     f"then {cut.speaker}: \"{cut.opening}\"")
        why = f"  why: {cut.reason}, {abs(cut.time - ideal):.1f} s from the even split at " \
              f"{clock(ideal, tenths=True)}"
        if nearer is not None:
            who = "a guest" if nearer.kind == "other" else "the host"
            why += (f"; {clock(nearer.time, tenths=True)} is nearer, but there "
                    f"{nearer.reason.replace(who, nearer.speaker, 1)}")
        lines.append(why + ".")
    for part, (start, end), length in zip(parts, plan.spans, plan.lengths, strict=True):
        assert part.series is not None
        lines.append(f"Part {part.series.part}: {part.id}, E{part.number}, {part.date}, "
                     f"{clock(start, tenths=True)}–{clock(end, tenths=True)} of the recording, about "
                     f"{clock(length)} finished: \"{part.title}\"")
    return "\n".join(lines)


# ---------------------------------------------------------------- phase 1: read and decide


def _prepare(show: Show, episode: Episode, parts: int | None, max_minutes: float | None,
             first_number: int | None, first_date: dt.date | None, force: bool,
             dry_run: bool) -> _Context:
    parts, max_seconds = _how_to_split(episode, parts, max_minutes)
    transcript = transcripts.load(episode.folder / TRANSCRIPT_JSON)
    if not transcript.segments:
        raise ConfigError("the transcript holds no speech to split",
                          path=episode.folder / TRANSCRIPT_JSON,
                          hint=f"check the recording, then 'showrunner transcribe {episode.id}'")
    if episode.audio_path is None:
        raise ConfigError("episode.yaml names no 'audio'", path=episode.folder / EPISODE_FILE,
                          hint="add 'audio: <the recording's file name>'")
    from ..audio import load_clips

    clips = load_clips(show, welcome_back=True)
    audio, transcript, chapters, tidied = _tidied_recording(show, episode, transcript)
    silence = cutplan.Silence(audio)
    candidates = cutplan.boundaries(transcript, hosts=[host.name for host in show.hosts],
                                    silence=silence, topic_starts=[c.start for c in chapters])
    plan = cutplan.plan(transcript, duration=audio.duration, candidates=candidates, parts=parts,
                        max_seconds=max_seconds, added_first=clips.added(welcome_back=False),
                        added_rest=clips.added(welcome_back=True))
    episodes = _part_episodes(show, episode, len(plan.cuts) + 1, first_number, first_date)
    try:
        kept, stale = _existing_parts(show, episode, episodes, force)
    except ConfigError as refusal:
        if not dry_run:
            raise
        return _Context(transcript, audio, clips, plan, episodes, chapters, (), (),
                        refusal.one_line(), tidied)
    return _Context(transcript, audio, clips, plan, episodes, chapters, kept, stale,
                    tidied=tidied)


def _tidied_recording(show: Show, episode: Episode, transcript: Transcript
                      ) -> tuple[Pcm, Transcript, tuple[Chapter, ...], str]:
    """The recording decoded, and with it the transcript and its topic chapters, both with
    the cuts of the host's cuts.yaml applied (so every part is timed to tidied audio)."""
    from ..audio import decode_to_disk

    assert episode.audio_path is not None
    with ThreadPoolExecutor(1) as background:  # the topics while ffmpeg decodes
        cuts = tidy.cuts_to_apply(episode)
        topics = None if cuts else background.submit(draft_chapters, show, episode, transcript)
        audio = decode_to_disk(episode.audio_path, rate=show.audio.sample_rate,
                               channels=show.audio.channels, folder=show.episodes_dir)
        edit = tidy.episode_edit(show, episode, audio) if cuts else None
        if edit is not None:
            audio, transcript = edit.audio(audio, show.episodes_dir), edit.transcript(transcript)
        chapters = topics.result() if topics else draft_chapters(show, episode, transcript)
    note = f"; {len(edit.spans)} cut(s) from cuts.yaml took out {edit.saved:.1f} s" \
        if edit is not None else ""
    return audio, transcript, chapters, note


def _how_to_split(episode: Episode, parts: int | None,
                  max_minutes: float | None) -> tuple[int | None, float | None]:
    if parts is not None and max_minutes is not None:
        raise ConfigError("give --parts or --max-minutes, not both",
                          hint="e.g. 'showrunner split E58 --parts 3'")
    if episode.source:
        raise ConfigError(f"'{episode.id}' is itself part of '{episode.source}'",
                          path=episode.folder / EPISODE_FILE,
                          hint=f"split the source instead: 'showrunner split {episode.source}'")
    if max_minutes is not None:
        if max_minutes <= 0:
            raise ConfigError(f"--max-minutes {max_minutes:g} is not a length",
                              hint="give the longest a part may be, e.g. --max-minutes 25")
        return None, max_minutes * 60
    parts = parts if parts is not None else episode.parts
    if parts is None:
        raise ConfigError("split needs a number of parts or a maximum length",
                          hint=f"use 'showrunner split {episode.id} --parts 3' or "
                               "'--max-minutes 25' (or set 'parts:' in episode.yaml)")
    return parts, None


def _part_episodes(show: Show, episode: Episode, count: int, first_number: int | None,
                   first_date: dt.date | None) -> tuple[Episode, ...]:
    """The parts' metadata: "<title> – Part k of N", numbers in sequence, consecutive days."""
    ids = [check_episode_id(layout.part_id(episode.id, k)) for k in range(1, count + 1)]
    # The source is the series itself and its parts replace it in the feed: part 1 takes the
    # source's number, else the show's next free one, and neither the source nor its earlier
    # parts hold a number the parts must avoid.
    others = [e for e in list_episodes(show)
              if e.id != episode.id and e.source != episode.id and e.id not in ids]
    first = first_number if first_number is not None else episode.number \
        if episode.number is not None else \
        max((e.number for e in others if e.number is not None), default=0) + 1
    taken = {e.number: e for e in others if e.number is not None}
    clash = next((n for n in range(first, first + count) if n in taken), None)
    if clash is not None:
        raise ConfigError(f"episode number {clash} is already used by '{taken[clash].id}'",
                          path=taken[clash].folder / EPISODE_FILE,
                          hint=f"pass --first-number {max(taken) + 1} (the next free number)")
    day = first_date or episode.date or dt.date.today()
    return tuple(Episode(
        id=part_id, folder=show.episodes_dir / part_id,
        title=f"{episode.title} – Part {k} of {count}", number=first + k - 1,
        date=day + dt.timedelta(days=k - 1), guests=episode.guests, audio=layout.mastered_audio_name(part_id),
        series=Series(episode.title, k, count), status=episode.status, season=episode.season,
        explicit=episode.explicit, episode_type=episode.episode_type, source=episode.id)
        for k, part_id in enumerate(ids, start=1))


def _existing_parts(show: Show, episode: Episode, parts: tuple[Episode, ...],
                    force: bool) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
    """Refuse to overwrite parts without --force, or to touch another episode's folder; find
    host files to keep and stale parts of an earlier split to remove."""
    existing = [p.folder for p in parts if (p.folder / EPISODE_FILE).is_file()]
    stale, k = [], len(parts) + 1
    while layout.has_part(show, episode.id, k):
        stale.append(layout.part_folder(show, episode.id, k))
        k += 1
    for folder in existing + stale:
        source = _source_of(folder)
        if source != episode.id:
            raise ConfigError(f"'{folder.name}' is another episode, not a part of '{episode.id}'",
                              path=folder / EPISODE_FILE,
                              hint="rename that episode's folder, then split again")
    if existing and not force:
        raise ConfigError(f"part '{existing[0].name}' already exists from an earlier split",
                          path=existing[0],
                          hint="run again with --force to replace the parts (host-edited "
                               "notes are kept)")
    for folder in stale:
        mine = _host_files(folder)
        if mine:
            raise ConfigError(f"this split makes fewer parts, but '{folder.name}' holds "
                              f"{mine[0].name}, which a host may have edited",
                              path=mine[0], hint="move that part folder out of episodes/ "
                                                 "(or delete it), then split again")
    kept = tuple(f for folder in existing for f in _host_files(folder))
    return kept, tuple(stale)


def _source_of(folder: Path) -> Any:
    document = read_yaml(folder / EPISODE_FILE, "episode.yaml", "")
    return document.get("source") if hasattr(document, "get") else None


def _host_files(folder: Path) -> list[Path]:
    generated = {*_GENERATED, layout.mastered_audio_name(folder.name)}
    return sorted(p for p in folder.iterdir() if p.name not in generated)


# ---------------------------------------------------------------- phase 2: write


def _write_part(show: Show, context: _Context, k: int, quiet: bool) -> MasteredAudio:
    from ..audio import master_episode

    part = context.parts[k]
    start, end = context.plan.spans[k]
    cuts = [0, *(c.index for c in context.plan.cuts), len(context.transcript.segments)]
    segments = context.transcript.segments[cuts[k]:cuts[k + 1]]
    _progress(quiet, f"split: mastering part {k + 1} of {len(context.parts)} ({part.id}) …")
    body = context.audio.between(start, end)
    # The part's transcript is timed to its finished MP3, after the intro and bumper.
    offset, duration = context.clips.layout(body, welcome_back=k > 0)
    timed = retime(context.transcript, segments, start=start, end=end, offset=offset,
                   duration=duration)
    # The part's own chapters, from its transcript as it will be saved and timed to its MP3:
    # chapters.json, the ID3 tags and the notes all show this one list.
    chapters = write_episode_chapters(show, part, Transcript.from_dict(timed.to_dict()))
    mastered = master_episode(show, part, body, layout.mastered_audio(part), chapters=chapters,
                              chapters_from="output", welcome_back=k > 0, clips=context.clips)
    transcripts.write_all(replace(timed, audio_sha256=atomic.sha256(mastered.path)), part.folder)
    _write_episode_yaml(part)
    return mastered


def retime(transcript: Transcript, segments: tuple[Any, ...], *, start: float, end: float,
           offset: float, duration: float) -> Transcript:
    """The segments cut from [start, end] of the source, timed from `offset` in the part's
    audio; times are kept inside the part (recognized word edges can stray into the pause)."""
    shift = offset - start
    lo, hi = offset, offset + (end - start)

    def move(t: float) -> float:
        return round(min(max(t + shift, lo), hi), 3)

    moved = tuple(replace(s, start=move(s.start), end=move(s.end),
                          words=tuple(replace(w, start=move(w.start), end=move(w.end))
                                      for w in s.words)) for s in segments)
    return replace(transcript, segments=moved, duration=round(duration, 3), corrections=())


def _write_episode_yaml(part: Episode) -> None:
    assert part.series is not None
    fields: dict[str, Any] = {
        "title": part.title, "number": part.number, "date": part.date, "guests": list(part.guest_slugs),
        "audio": part.audio, "series": {"name": part.series.name, "part": part.series.part,
                                        "of": part.series.of},
        "source": part.source, "status": part.status}
    for key, value, default in (("season", part.season, None), ("explicit", part.explicit, None),
                                ("episode_type", part.episode_type, "full")):
        if value != default:
            fields[key] = value
    path = part.folder / EPISODE_FILE
    if path.is_file():
        update_yaml(path, fields)  # keeps the guid, hook, topics and comments of an earlier split
    else:
        write_episode_yaml(part.folder, fields)


def _summary(episode: Episode, context: _Context, mastered: tuple[MasteredAudio, ...]) -> str:
    parts = context.parts
    text = (f"split {episode.id} into {len(parts)} parts: {parts[0].id} … {parts[-1].id} "
            f"(E{parts[0].number}–E{parts[-1].number}, {parts[0].date} to {parts[-1].date}), "
            f"cuts at {', '.join(clock(c.time) for c in context.plan.cuts)}; "
            f"{min(m.loudness for m in mastered):.1f} to {max(m.loudness for m in mastered):.1f}"
            f" LUFS, true peak at most {max(m.true_peak for m in mastered):.1f} dBTP")
    text += context.tidied
    if context.clips.welcome_back is None:
        text += "; no welcome-back bumper (set audio.welcome_back in show.yaml)"
    if context.kept_notes:
        text += f"; kept {len(context.kept_notes)} host file(s) such as " \
                f"{context.kept_notes[0].parent.name}/{context.kept_notes[0].name}"
    return text


def _clips_note(clips: ShowClips, count: int) -> str:
    notes = [f"the {clock(c.duration)} {name}" for name, c in
             (("intro", clips.intro), ("outro", clips.outro)) if c is not None]
    if clips.welcome_back is not None:
        notes.append(f"the {clock(clips.welcome_back.duration)} welcome-back bumper on parts "
                     f"2–{count}")
    return f" (finished length, with {' and '.join(notes)})" if notes else ""


def _progress(quiet: bool, line: str) -> None:
    if not quiet and sys.stderr.isatty():
        print(line, file=sys.stderr, flush=True)


def stage_inputs(show: Show, episode: Episode) -> list[Any]:
    """What the parts depend on, for the up-to-date check (see `digest`)."""
    return [episode.folder / TRANSCRIPT_JSON, episode.audio_path, loaded_settings(show, episode),
            show.audio.intro, show.audio.outro, show.audio.welcome_back, show.artwork,
            *tidy.edit_inputs(episode)]
