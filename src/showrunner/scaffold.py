"""`init` and `new`: create a show folder and episode folders."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from . import atomic
from .config import (
    check_episode_id,
    episode_folder,
    load_episode,
    load_guest,
    next_episode_number,
    write_episode_yaml,
)
from .errors import ConfigError
from .layout import EPISODE_FILE, SHOW_FILE
from .model import Episode, Show
from .templating import default_templates_dir


def init_show(folder: Path, *, title: str, copy_templates: bool) -> list[Path]:
    """Create show.yaml (every setting commented), guests/, episodes/ and optionally templates/."""
    folder = Path(folder)
    show_file = folder / SHOW_FILE
    if show_file.exists():
        raise ConfigError("a show already exists here", path=show_file,
                          hint="pick an empty folder, or edit this show.yaml")
    skeleton = (resources.files("showrunner") / "skeleton" / "show.yaml").read_text("utf-8")
    safe_title = title.replace("\\", "\\\\").replace('"', '\\"')
    created = [show_file]
    atomic.write_text(show_file, skeleton.replace("__TITLE__", safe_title))
    for name in ("guests", "episodes"):
        (folder / name).mkdir(exist_ok=True)
        created.append(folder / name)
    if copy_templates:
        target = folder / "templates"
        target.mkdir(exist_ok=True)
        for template in sorted(default_templates_dir().iterdir()):
            if template.is_file() and not (target / template.name).exists():
                atomic.write_bytes(target / template.name, template.read_bytes())
                created.append(target / template.name)
    return created


def new_episode(show: Show, episode_id: str, *, title: str, number: int | None = None,
                guests: Iterable[str] = (), date: dt.date | None = None,
                audio: Path | None = None, tracks: Mapping[str, Path] | None = None) -> Episode:
    """Create episodes/<id>/episode.yaml; refuse duplicates and unknown guests. `tracks`
    (a host's or guest's slug -> that person's recording) make a multitrack episode."""
    check_episode_id(episode_id)
    folder = episode_folder(show, episode_id)
    if folder.exists():
        raise ConfigError(f"episode '{episode_id}' already exists", path=folder / EPISODE_FILE,
                          hint="choose another id, or edit the existing episode.yaml")
    for slug in guests:
        load_guest(show, slug)
    if not title.strip():
        raise ConfigError("the title is empty", hint="pass --title \"…\"")
    fields: dict[str, Any] = {"title": title,
                              "number": number if number is not None else next_episode_number(show)}
    if date:
        fields["date"] = date
    if guests:
        fields["guests"] = list(guests)
    if audio:
        fields["audio"] = audio.name
    files = [audio] if audio else []
    if tracks:
        fields["tracks"] = _checked_tracks(show, guests, tracks, audio)
        files += list(tracks.values())
    fields["status"] = "draft"
    staging = show.episodes_dir / f".{episode_id}.new"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        write_episode_yaml(staging, fields)
        for file in files:
            atomic.write_bytes(staging / file.name, file.read_bytes())
        staging.rename(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return load_episode(show, episode_id)


def _checked_tracks(show: Show, guests: Iterable[str], tracks: Mapping[str, Path],
                    audio: Path | None) -> dict[str, str]:
    """`tracks:` for episode.yaml (slug -> file name), refused before anything is written."""
    people = {host.slug for host in show.hosts} | set(guests)
    if audio:
        raise ConfigError("--audio and --track both given", hint="pass one --track SLUG=FILE "
                          "per person, or --audio with the mixed recording")
    for slug, path in tracks.items():
        if slug not in people:
            raise ConfigError(f"track '{path.name}' is for '{slug}', who is not a host or a "
                              "guest of this episode", path=path,
                              hint=f"use one of: {', '.join(sorted(people))} (or add --guest "
                                   f"{slug})")
    names = [path.name for path in tracks.values()]
    if len(set(names)) != len(names):
        raise ConfigError("two tracks have the same file name", hint="rename one of them")
    return {slug: path.name for slug, path in tracks.items()}


def parse_tracks(options: Iterable[str]) -> dict[str, Path]:
    """`--track SLUG=FILE` values -> {slug: path}; a malformed one or a missing file refused."""
    tracks: dict[str, Path] = {}
    for option in options:
        slug, sep, file = option.partition("=")
        if not sep or not slug.strip() or not file.strip():
            raise ConfigError(f"--track {option!r} is not SLUG=FILE",
                              hint="e.g. --track mary-chen=mary.wav")
        path = Path(file.strip()).expanduser()
        if not path.is_file():
            raise ConfigError("track file not found", path=path,
                              hint="check the path given to --track")
        tracks[slug.strip()] = path
    return tracks
