"""The commands for a back catalogue: `import` an existing show's feed, and `catalogue build`
many episodes at once on Ray."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from .options import NOW_OPTION, QUIET_OPTION, SHOW_OPTION, show_in


@click.command("import")
@click.argument("feed_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--media", type=click.Path(file_okay=False, path_type=Path),
              help="A folder holding the episodes' audio, matched by file name (else each is "
                   "downloaded, resuming where a previous run stopped).")
@click.option("--force", is_flag=True, help="Write show.yaml and already-imported episodes again.")
@click.option("--max-mb", type=click.IntRange(1), default=2048, show_default=True,
              help="The largest download accepted, in MB.")
@click.option("--timeout", type=click.FloatRange(0.1), default=30.0, show_default=True,
              help="Seconds a download may stall before it is given up (resumed next run).")
@QUIET_OPTION
@SHOW_OPTION
def import_feed_command(feed_file: Path, media: Path | None, force: bool, max_mb: int, timeout: float,
            quiet: bool, show_dir: Path) -> None:
    """Import an existing show from its RSS feed: each item becomes an episode folder that
    keeps its guid, dates and enclosure for ever; the channel becomes show.yaml (an existing
    one is kept). A re-run imports only new items. Exits 1 if an item was skipped.

    \b
    Example:
      showrunner import old-feed.xml --media ~/old-host/mp3s --show my-show
    """
    from ..catalogue import DownloadLimits, ImportOptions, import_feed, progress_line

    limits = DownloadLimits(max_bytes=max_mb * 1024 * 1024, read_timeout_s=timeout)
    result = import_feed(show_dir, feed_file, ImportOptions(media, force, limits),
                         report=lambda line: click.echo(line, err=True),
                         progress=None if quiet else progress_line(sys.stderr))
    click.echo(result.summary)
    if result.skipped:
        sys.exit(1)


@click.group()
def catalogue() -> None:
    """Work on many episodes at once (a back catalogue).

    \b
    Example, every episode of the show on this machine's cores:
      showrunner catalogue build
    """


@catalogue.command("build")
@click.argument("episode_ids", nargs=-1)
@click.option("--ray", "address", help="Join a running Ray cluster: 'auto' or HOST:PORT "
                                       "(default: start Ray on this machine).")
@click.option("--workers", type=click.IntRange(1), help="Workers (default: one per CPU).")
@click.option("--gpus", type=click.FloatRange(0), default=0.0, show_default=True,
              help="GPUs per worker; >0 runs faster-whisper on CUDA in float16.")
@NOW_OPTION
@QUIET_OPTION
@SHOW_OPTION
def catalogue_build(episode_ids: tuple[str, ...], address: str | None, workers: int | None,
                    gpus: float, now: dt.datetime | None, quiet: bool, show_dir: Path) -> None:
    """Build many episodes (default: all) on Ray: transcribe, split, notes and render per
    episode, then the feed once. Finished episodes are skipped; a failed one is reported and
    the others go on (exit 1 if any failed). Needs: pip install 'showrunner[ray]'.

    \b
    Example, on this machine with two workers, then on a running cluster with GPUs:
      showrunner catalogue build --workers 2
      showrunner catalogue build --ray auto --workers 8 --gpus 1
    """
    from ..catalogue import Cluster, build_catalogue, catalogue_progress

    show = show_in(show_dir)
    with catalogue_progress(quiet) as progress:
        result = build_catalogue(show, episode_ids, cluster=Cluster(address, workers, gpus),
                                 now=now, on_start=progress.start, on_done=progress.done)
    for outcome in result.failed:
        click.echo(f"failed: {outcome.error}", err=True)
    click.echo(result.summary)
    if result.failed:
        sys.exit(1)
