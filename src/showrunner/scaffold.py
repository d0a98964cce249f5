"""`init` and `new`: create a show folder and episode folders."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterable
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
                audio: Path | None = None) -> Episode:
    """Create episodes/<id>/episode.yaml; refuse duplicates and unknown guests."""
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
    fields["status"] = "draft"
    staging = show.episodes_dir / f".{episode_id}.new"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        write_episode_yaml(staging, fields)
        if audio:
            atomic.write_bytes(staging / audio.name, audio.read_bytes())
        staging.rename(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return load_episode(show, episode_id)
