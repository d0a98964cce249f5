"""`showrunner episode`: every stage for one episode, in order, skipping what is up to date.

Order (each stage reads what the one before wrote):
  transcribe -> split (when episode.yaml asks for parts) -> master (a single episode's MP3)
  -> notes -> render, for the episode or for each of its parts -> feed (once, for the show).

A stage is skipped when the digest of its inputs (content hashes of audio, settings, templates
and YAML, never file times alone) equals the one recorded in the episode's state file after
its last successful run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from . import atomic
from .config import EPISODE_FILE, load_episode, load_guests
from .model import Episode, Show
from .public import published_audio
from .templating import default_templates_dir
from .transcripts import TRANSCRIPT_JSON

STATE_FILE = ".showrunner-state.json"
LOCK_FILE = ".showrunner.lock"


def run_episode(show: Show, episode_id: str, *, force: bool = False, feed: bool = True,
                quiet: bool = False, now: dt.datetime | None = None) -> Iterator[str]:
    """Run the stages for `episode_id`; yield one line per stage saying what it did or skipped.

    `now` is the moment the feed is published as of (default: the clock)."""
    episode = load_episode(show, episode_id)
    for folder in (episode.folder, show.public, show.root):
        atomic.sweep_stale(folder)
    if episode.source:
        # A split part: its audio and transcript were made by splitting its source episode.
        yield f"transcribe {episode.id}: part of {episode.source}, made by split"
        episodes = [episode]
    else:
        yield from _source_stages(show, episode, force, quiet)
        episodes = _parts_of(show, episode) if episode.parts else [episode]
    for each in episodes:
        yield _stage(each, "notes", _notes_inputs(show, each), force,
                     lambda each=each: _notes(show, each, quiet))  # type: ignore[misc]
        yield _stage(each, "render", _render_inputs(show, each), force,
                     lambda each=each: _render(show, each))  # type: ignore[misc]
    if feed:
        from .feed import publish_feed

        with show_lock(show):
            yield f"feed: {publish_feed(show, now=now, quiet=quiet).summary}"


def _source_stages(show: Show, episode: Episode, force: bool, quiet: bool) -> Iterator[str]:
    yield _stage(episode, "transcribe", _transcribe_inputs(show, episode), force,
                 lambda: _transcribe(show, episode, force, quiet))
    if episode.parts:
        yield _stage(episode, "split", _split_inputs(show, episode), force,
                     lambda: _split(show, episode, quiet))
    else:
        yield _stage(episode, "master", _master_inputs(show, episode), force,
                     lambda: _master(show, episode))


# ---------------------------------------------------------------- the stages


def _transcribe(show: Show, episode: Episode, force: bool, quiet: bool) -> str:
    from .transcribe import transcribe_episode

    return str(transcribe_episode(show, episode, overrides={}, force=force, quiet=quiet).summary)


def _split(show: Show, episode: Episode, quiet: bool) -> str:
    from .split import split_episode

    # Part numbers come from the show's next free number: one split at a time per show.
    with show_lock(show):
        result = split_episode(show, episode, parts=episode.parts, max_minutes=None,
                               first_number=episode.number, first_date=episode.date,
                               dry_run=False, force=True, quiet=quiet)
    return str(result.summary)


def _master(show: Show, episode: Episode) -> str:
    from .mastering import master_episode

    source = episode.audio_path
    if source is None or not source.is_file():
        return "no audio to master"
    return str(master_episode(show, episode, source, episode.folder / f"{episode.id}.mp3").summary)


def _notes(show: Show, episode: Episode, quiet: bool) -> str:
    from .notes import write_notes

    return str(write_notes(show, episode, force=False, quiet=quiet).summary)


def _render(show: Show, episode: Episode) -> str:
    from .render import render_episode

    return str(render_episode(show, episode).summary)


def _parts_of(show: Show, episode: Episode) -> list[Episode]:
    count = episode.parts or 0
    return [load_episode(show, f"{episode.id}-{k}") for k in range(1, count + 1)
            if (show.episodes_dir / f"{episode.id}-{k}" / EPISODE_FILE).is_file()]


# ---------------------------------------------------------------- inputs of each stage


def _settings(show: Show, episode: Episode) -> list[Any]:
    # The loaded settings, not the YAML bytes: comments, key order and the ids the feed stores
    # on first publication (guid, podcast:guid) do not make a stage redo its work; nor does
    # how the show folder was named (`--show .` or an absolute path) or where it was moved.
    values = [replace(show, podcast_guid=None), replace(episode, guid=None),
              load_guests(show, episode)]
    return _portable(values, show.root.resolve())


def _portable(value: Any, root: Path) -> Any:
    """`value` with every Path made relative to the show folder, for a stable digest."""
    if isinstance(value, Path):
        resolved = value.resolve()
        return str(resolved.relative_to(root)) if resolved.is_relative_to(root) else str(value)
    if is_dataclass(value) and not isinstance(value, type):
        return [type(value).__name__,
                [(f.name, _portable(getattr(value, f.name), root)) for f in fields(value)]]
    if isinstance(value, list | tuple):
        return [_portable(each, root) for each in value]
    if isinstance(value, dict):
        return {key: _portable(each, root) for key, each in value.items()}
    return value


def _transcribe_inputs(show: Show, episode: Episode) -> list[Any]:
    voices = [h.voice_sample for h in show.hosts] + \
        [g.voice_sample for g in load_guests(show, episode)]
    return [episode.audio_path, show.transcription.as_dict(), show.glossary, show.corrections,
            [h.name for h in show.hosts], episode.guests, voices]


def _split_inputs(show: Show, episode: Episode) -> list[Any]:
    return [episode.folder / TRANSCRIPT_JSON, episode.audio_path, _settings(show, episode),
            show.audio.intro, show.audio.outro, show.audio.welcome_back, show.artwork]


def _master_inputs(show: Show, episode: Episode) -> list[Any]:
    return [episode.audio_path, episode.folder / TRANSCRIPT_JSON, _settings(show, episode),
            show.audio.intro, show.audio.outro, show.artwork]


def _notes_inputs(show: Show, episode: Episode) -> list[Any]:
    return [episode.folder / TRANSCRIPT_JSON, _settings(show, episode), _templates(show, ".md")]


def _render_inputs(show: Show, episode: Episode) -> list[Any]:
    folder = episode.folder
    return [folder / "notes.md", folder / "chapters.json", _settings(show, episode),
            _templates(show, ".html"), published_audio(episode),
            sorted(folder.glob("transcript.*"))]


def _templates(show: Show, kind: str) -> list[Path]:
    folders = [default_templates_dir(), show.templates_dir]
    return sorted(p for folder in folders if folder.is_dir() for p in folder.iterdir()
                  if kind in p.name or p.suffix == ".css")


# ---------------------------------------------------------------- digests and state


def _stage(episode: Episode, name: str, inputs: Iterable[Any], force: bool,
           work: Callable[[], str]) -> str:
    digest = inputs_digest(inputs)
    state = _read_state(episode.folder)
    if not force and state.get(name) == digest:
        return f"{name} {episode.id}: up to date, skipped"
    outcome = work()
    # Recorded after the work, from the inputs as they were before it: an interrupted stage
    # leaves the old digest, so the next run redoes it.
    state = _read_state(episode.folder)
    state[name] = digest
    atomic.write_text(episode.folder / STATE_FILE, json.dumps(state, indent=1, sort_keys=True))
    return f"{name} {episode.id}: {outcome.removeprefix(f'{episode.id}: ')}"


def inputs_digest(inputs: Iterable[Any]) -> str:
    """sha256 over values and over the content of every file among them (missing = absent)."""
    sha = hashlib.sha256()
    for item in inputs:
        _feed(sha, item)
    return sha.hexdigest()


def _feed(sha: Any, item: Any) -> None:
    if isinstance(item, Path):
        sha.update(f"path:{item.name}:".encode())
        if item.is_file():
            with open(item, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    sha.update(block)
        else:
            sha.update(b"<absent>")
    elif isinstance(item, list | tuple):
        sha.update(b"[")
        for each in item:
            _feed(sha, each)
        sha.update(b"]")
    elif isinstance(item, dict):
        _feed(sha, sorted(item.items(), key=lambda kv: str(kv[0])))
    else:
        sha.update(repr(item).encode())


def _read_state(folder: Path) -> dict[str, str]:
    try:
        return dict(json.loads((folder / STATE_FILE).read_text()))
    except (OSError, ValueError):
        return {}


@contextlib.contextmanager
def show_lock(show: Show) -> Iterator[None]:
    """An exclusive lock on the show, for work that two `make -j` processes must not interleave."""
    path = show.root / LOCK_FILE
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
