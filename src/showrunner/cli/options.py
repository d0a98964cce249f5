"""The options every command shares, and loading the show before a stage is imported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..schema import TRANSCRIPTION_SCHEMA

SHOW_OPTION = click.option(
    "--show", "show_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
    show_default=True, help="The show folder (the one holding show.yaml).")
NOW_OPTION = click.option(
    "--now", type=click.DateTime(),
    help="Publish the feed as of this time, e.g. 2026-03-10 (default: the clock). Episodes "
         "dated later are held back.")
QUIET_OPTION = click.option("--quiet", "-q", is_flag=True, help="No progress bar or chatter.")


def setting_type(name: str) -> click.ParamType:
    """The click type of a transcription flag, from the show.yaml schema's table."""
    field = TRANSCRIPTION_SCHEMA.fields[name]
    if field.choices:
        return click.Choice(list(field.choices))
    return click.IntRange(int(field.minimum), int(field.maximum))


def show_in(show_dir: Path) -> Any:
    from ..config import load_show

    return load_show(show_dir)


def episode_in(show_dir: Path, episode_id: str) -> tuple[Any, Any]:
    # Loaded before a stage is imported: bad input fails fast, without loading torch.
    from ..config import load_episode

    show = show_in(show_dir)
    return show, load_episode(show, episode_id)
