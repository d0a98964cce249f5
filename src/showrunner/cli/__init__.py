"""The command line: option parsing only. Each command loads the show and calls one stage
(`catalogue` holds the commands for many episodes at once; `options` the shared options).

Stages are imported inside the commands so that `--help` never loads torch or whisper.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from ..errors import ShowrunnerError
from .catalogue import catalogue, import_feed_command
from .options import (
    NOW_OPTION,
    QUIET_OPTION,
    SHOW_OPTION,
    episode_in,
    setting_type,
    show_in,
)


class ShowrunnerGroup(click.Group):
    """Turns every ShowrunnerError (and any surprise) into one line on stderr, no traceback."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        debug = "--debug" in sys.argv[1:]
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except ShowrunnerError as exc:
            if debug:
                raise
            _fail(exc.one_line(relative_to=Path.cwd()), 1)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.Abort:
            _fail("interrupted; outputs are left as they were before this run", 130)
        except click.UsageError as exc:
            where = f"'showrunner {exc.ctx.command_path.split(' ', 1)[-1]} --help'" \
                if exc.ctx and " " in exc.ctx.command_path else "'showrunner --help'"
            _fail(f"{exc.format_message()} — see {where}", 2)
        except KeyboardInterrupt:
            _fail("interrupted; outputs are left as they were before this run", 130)
        except Exception as exc:  # noqa: BLE001 — the promise is: no traceback without --debug
            if debug:
                raise
            _fail(f"unexpected {type(exc).__name__}: {exc} — run again with --debug and report it", 70)
        return None


def _fail(line: str, code: int) -> None:
    from ..errors import _printable

    click.echo(f"error: {_printable(' '.join(str(line).split()))}", err=True)
    sys.exit(code)


@click.group(cls=ShowrunnerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.version_option(package_name="showrunner")
def main(debug: bool) -> None:
    """showrunner: from raw recording to published podcast episode.

    \b
    Example, a whole episode from the raw recording to the feed:
      showrunner new E12 --title "Finding the Grain" --guest dana-ortiz
      cp ~/recordings/dana.wav episodes/E12/
      showrunner episode E12
    """


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path), required=False)
@click.option("--title", default="My Show", show_default=True, help="The show's title.")
@click.option("--templates", "copy_templates", is_flag=True,
              help="Also copy the default templates into FOLDER/templates to edit them.")
@SHOW_OPTION
def init(folder: Path | None, title: str, copy_templates: bool, show_dir: Path) -> None:
    """Scaffold a new show: show.yaml (every setting commented), guests/, episodes/.

    \b
    Example:
      showrunner init my-show --title "The Workbench"
    """
    from ..scaffold import init_show

    for path in init_show(folder or show_dir, title=title, copy_templates=copy_templates):
        click.echo(f"created {path}")


@main.command()
@click.argument("episode_id")
@click.option("--title", required=True, help="The episode's title (no episode number in it).")
@click.option("--number", type=int, help="Episode number (default: the next free one).")
@click.option("--guest", "guests", multiple=True, help="Guest slug from guests/ (repeatable).")
@click.option("--date", "date", type=click.DateTime(["%Y-%m-%d"]), help="Publication date.")
@click.option("--audio", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Raw recording to copy into the episode folder.")
@click.option("--track", "tracks", multiple=True, metavar="SLUG=FILE",
              help="One person's track of a multitrack recording (repeatable), instead of "
                   "--audio: a host or guest slug and the file to copy in.")
@SHOW_OPTION
def new(episode_id: str, title: str, number: int | None, guests: tuple[str, ...],
        date: dt.datetime | None, audio: Path | None, tracks: tuple[str, ...],
        show_dir: Path) -> None:
    """Create episodes/EPISODE_ID/ with its episode.yaml.

    \b
    Example:
      showrunner new E58 --title "Finding the Grain" --guest dana-ortiz --audio ~/dana.wav
      showrunner new E59 --title "…" --guest dana-ortiz --track jason-reed=jason.wav \\
          --track dana-ortiz=dana.wav
    """
    from ..scaffold import new_episode, parse_tracks

    episode = new_episode(show_in(show_dir), episode_id, title=title, number=number,
                          guests=guests, date=date.date() if date else None, audio=audio,
                          tracks=parse_tracks(tracks))
    click.echo(f"created {episode.folder / 'episode.yaml'} (E{episode.number})")


@main.command()
@click.argument("episode_id")
@click.option("--engine", help="faster-whisper (default) or openai-whisper.")
@click.option("--model", help="Model name (tiny.en, small.en, …), a local model folder, or "
                              "package:<module>/<folder> inside an installed Python package.")
@click.option("--language", help="Spoken language code, e.g. en; auto lets the model tell.")
@click.option("--beam-size", type=setting_type("beam_size"), help="Beam size (1 = greedy).")
@click.option("--compute-type", type=setting_type("compute_type"),
              help="CTranslate2 compute type (faster-whisper).")
@click.option("--threads", type=setting_type("threads"), help="CPU threads (0 = engine default).")
@click.option("--vad/--no-vad", default=None, help="Skip silence with voice activity detection.")
@click.option("--batched/--no-batched", default=None, help="faster-whisper batched inference.")
@click.option("--disfluencies/--no-disfluencies", default=None,
              help="Prompt the recognizer to write 'um' and 'uh' (for tidy).")
@click.option("--force", is_flag=True, help="Transcribe again even if nothing changed.")
@QUIET_OPTION
@SHOW_OPTION
def transcribe(episode_id: str, force: bool, quiet: bool, show_dir: Path, **overrides: Any) -> None:
    """Recognize the episode's raw audio into transcript.json, .srt, .vtt, .txt, .html.

    Speakers are separated and named from episode.yaml (host first).

    \b
    Example:
      showrunner transcribe E58 --model tiny.en --beam-size 5
    """
    show, this_episode = episode_in(show_dir, episode_id)
    from ..transcribe import transcribe_episode

    result = transcribe_episode(show, this_episode, overrides=overrides,
                                force=force, quiet=quiet)
    click.echo(result.summary)


@main.command()
@click.argument("episode_id")
@click.option("--parts", type=int, help="Number of parts to cut the conversation into.")
@click.option("--max-minutes", type=float, help="Instead of --parts: the longest a part may be.")
@click.option("--first-number", type=int, help="Episode number of part 1 (default: next free).")
@click.option("--first-date", type=click.DateTime(["%Y-%m-%d"]),
              help="Publication date of part 1; the others follow on consecutive days.")
@click.option("--dry-run", is_flag=True, help="Print the planned cuts and why; write nothing.")
@click.option("--force", is_flag=True, help="Replace existing parts (never ones with host-edited notes).")
@QUIET_OPTION
@SHOW_OPTION
def split(episode_id: str, parts: int | None, max_minutes: float | None, first_number: int | None,
          first_date: dt.datetime | None, dry_run: bool, force: bool, quiet: bool,
          show_dir: Path) -> None:
    """Cut one long conversation into a multi-part series with finished MP3s.

    \b
    Example:
      showrunner split E58 --parts 3 --first-date 2026-03-09 --dry-run
    """
    show, this_episode = episode_in(show_dir, episode_id)
    from ..split import split_episode

    result = split_episode(show, this_episode, parts=parts,
                           max_minutes=max_minutes, first_number=first_number,
                           first_date=first_date.date() if first_date else None,
                           dry_run=dry_run, force=force, quiet=quiet)
    click.echo(result.summary)


@main.command()
@click.argument("episode_id")
@click.option("--force", is_flag=True, help="Replace notes.md (a timestamped backup is kept).")
@QUIET_OPTION
@SHOW_OPTION
def notes(episode_id: str, force: bool, quiet: bool, show_dir: Path) -> None:
    """Draft notes.md: hook, why-listen, topic bullets, calls to action, guest bio, transcript.

    An existing notes.md is never overwritten: the new draft goes to notes.draft.md.

    \b
    Example:
      showrunner notes E58
    """
    show, this_episode = episode_in(show_dir, episode_id)
    from ..notes import write_notes

    result = write_notes(show, this_episode, force=force, quiet=quiet)
    for line in result.notices:  # e.g. the language model failed: the offline wording stands
        click.echo(line, err=True)
    click.echo(result.summary)


@main.command()
@click.argument("episode_id")
@click.option("--dry-run", is_flag=True, help="Print what would go and the time saved; write nothing.")
@SHOW_OPTION
def tidy(episode_id: str, dry_run: bool, show_dir: Path) -> None:
    """Propose cuts (fillers, repeated words, long pauses) into cuts.yaml for the host to edit.

    A cut already in cuts.yaml is never changed: set its `keep: true` to keep that audio.
    Settings: `tidy: {kinds: [filler, repeat, pause], max_pause: 0.8}` in show.yaml.
    `episode`, `split` and `notes` then apply the cuts not kept: the MP3 loses them, and the
    transcript, chapters, soundbite and durations are timed to what is left.

    \b
    Example:
      showrunner tidy E58 --dry-run
    """
    show, this_episode = episode_in(show_dir, episode_id)
    from ..tidy import tidy_episode

    result = tidy_episode(show, this_episode, dry_run=dry_run)
    for line in result.lines(dry_run):
        click.echo(line)


@main.command()
@click.argument("episode_id")
@SHOW_OPTION
def render(episode_id: str, show_dir: Path) -> None:
    """Turn notes.md into the web page public/episodes/EPISODE_ID/index.html.

    \b
    Example:
      showrunner render E58 && python -m http.server -d public
    """
    show, this_episode = episode_in(show_dir, episode_id)
    from ..render import render_episode

    result = render_episode(show, this_episode)
    click.echo(result.summary)


@main.command()
@NOW_OPTION
@QUIET_OPTION
@SHOW_OPTION
def feed(now: dt.datetime | None, quiet: bool, show_dir: Path) -> None:
    """Publish every released episode to public/feed.xml (validated, replaced atomically),
    then the show's home page public/index.html and public/sitemap.xml listing the same ones.

    \b
    Example:
      showrunner feed && showrunner validate public/feed.xml
    """
    from ..pipeline import publish_show

    result, site = publish_show(show_in(show_dir), now=now, quiet=quiet)
    if not quiet:
        for line in result.warnings:
            click.echo(line, err=True)
    click.echo(result.summary)
    click.echo(site.summary)


@main.command()
@click.argument("feed_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@SHOW_OPTION
def validate(feed_file: Path | None, show_dir: Path) -> None:
    """Check a feed against Apple Podcasts and Podcasting 2.0 rules; exit 1 on errors.

    \b
    Example:
      showrunner validate public/feed.xml
    """
    from ..feed import validate_feed_file

    path = feed_file or show_in(show_dir).public / "feed.xml"
    report = validate_feed_file(path)
    for finding in report.findings:
        click.echo(finding.line())
    click.echo(report.summary)
    if report.errors:
        sys.exit(1)


@main.command()
@click.option("--dry-run", is_flag=True, help="Print what would be sent and deleted; change nothing.")
@click.option("--delete", is_flag=True,
              help="Also remove remote files public/ no longer has (after the new feed is up).")
@QUIET_OPTION
@SHOW_OPTION
def deploy(dry_run: bool, delete: bool, quiet: bool, show_dir: Path) -> None:
    """Send public/ to the target in show.yaml's deploy: section (S3, rsync over SSH or a
    folder): only what changed, media first, the feed last. Credentials come from the
    environment (AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; your SSH keys).

    \b
    Example, with  deploy: {s3: {bucket: my-show, region: eu-central-1}}  in show.yaml:
      showrunner feed && showrunner deploy --dry-run && showrunner deploy
    """
    from ..deploy import deploy_show

    result = deploy_show(show_in(show_dir), dry_run=dry_run, delete=delete, quiet=quiet)
    for line in result.plan.lines() if dry_run else ():
        click.echo(line)
    for line in result.warnings:  # a notification that failed: the deploy itself is done
        click.echo(line, err=True)
    click.echo(result.summary)


@main.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="The port to listen on (0: any free one).")
@click.option("--bind", default="127.0.0.1", show_default=True,
              help="The address to listen on (0.0.0.0 shows it to your network).")
@SHOW_OPTION
def preview(port: int, bind: str, show_dir: Path) -> None:
    """Serve public/ on this machine as a podcast host would (HEAD and byte ranges, so
    players can seek), until Ctrl+C.

    \b
    Example:
      showrunner preview      # then open http://127.0.0.1:8000/
    """
    from ..preview import serve

    show = show_in(show_dir)
    serve(show, host=bind, port=port, on_ready=lambda address: click.echo(
        f"serving {show.public} at {address} (Ctrl+C stops)"))
    click.echo("stopped")


@main.command()
@click.argument("episode_id")
@click.option("--force", is_flag=True, help="Redo every stage even if nothing changed.")
@click.option("--no-feed", is_flag=True, help="Skip the feed (make builds it once, after all episodes).")
@NOW_OPTION
@QUIET_OPTION
@SHOW_OPTION
def episode(episode_id: str, force: bool, no_feed: bool, now: dt.datetime | None, quiet: bool,
            show_dir: Path) -> None:
    """Every stage for one episode (transcribe, split, notes, render, feed), skipping what is
    up to date.

    \b
    Example:
      showrunner episode E58
    """
    from ..pipeline import run_episode

    for line in run_episode(show_in(show_dir), episode_id, force=force, feed=not no_feed,
                            quiet=quiet, now=now):
        click.echo(line)


# The back-catalogue commands live in their own module, with the same shared options.
main.add_command(import_feed_command)
main.add_command(catalogue)
