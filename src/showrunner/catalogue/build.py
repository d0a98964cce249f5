"""`showrunner catalogue build`: the per-episode stages for many episodes on Ray, then the feed
once.

Why Ray: its actors keep a loaded speech model across tasks (loading tiny.en costs more than
transcribing a short episode), a local runtime starts in-process with no setup, and the same
code joins a cluster by address. One task is one episode, so speaker labels stay consistent
within it. Each task runs `pipeline.run_episode` itself, so the output is byte for byte what
`showrunner episode` writes, and its content-hash checks make a re-run skip finished episodes.

Work is handed out one episode per idle worker (not pre-split), so a long episode does not
hold back a queue behind it. A worker that dies is restarted by Ray and its episode retried;
outputs are written atomically, so a killed worker leaves the old files or the new ones.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import audio, pipeline, transcribe
from ..config import list_episodes, load_episode, load_show
from ..errors import ConfigError, ShowrunnerError
from ..model import Episode, Show

# A killed worker is restarted and its episode retried this many times before it counts as
# failed: enough for a preempted machine, not for an episode that crashes every worker.
RETRIES = 2
_LOST = " (the worker was lost)"


@dataclass(frozen=True)
class EpisodeOutcome:
    """One episode's build: the stage lines `showrunner episode` prints, or the error."""

    episode_id: str
    lines: tuple[str, ...] = ()
    error: str | None = None
    seconds: float = 0.0  # of audio

    @property
    def ran(self) -> int:
        """How many stages did work (were not skipped as up to date)."""
        return sum("up to date, skipped" not in line and "made by split" not in line
                   for line in self.lines)


@dataclass(frozen=True)
class CatalogueResult:
    outcomes: tuple[EpisodeOutcome, ...]
    up_to_date: tuple[str, ...]
    feed_summary: str

    @property
    def failed(self) -> tuple[EpisodeOutcome, ...]:
        return tuple(o for o in self.outcomes if o.error)

    @property
    def summary(self) -> str:
        built = len(self.outcomes) - len(self.failed)
        return (f"built {built} episode(s), {len(self.failed)} failed, "
                f"{len(self.up_to_date)} already up to date; feed: {self.feed_summary}")


@dataclass(frozen=True)
class Cluster:
    """Where the work runs: `address` None starts a local Ray runtime in this process; "auto"
    or host:port joins a running cluster. `gpus` per worker (0: the CPU)."""

    address: str | None = None
    workers: int | None = None
    gpus: float = 0.0


Progress = Callable[[EpisodeOutcome], None]


def build_catalogue(show: Show, episode_ids: Sequence[str] = (), *, cluster: Cluster = Cluster(),
                    now: dt.datetime | None = None, on_start: Callable[[list[Episode]], None]
                    | None = None, on_done: Progress | None = None) -> CatalogueResult:
    """Build `episode_ids` (default: every episode that is not a split part) on Ray, then
    publish the feed once. A failed episode is reported; the others go on."""
    chosen = _chosen(show, episode_ids)
    pending: list[Episode] = []
    done: list[Episode] = []
    broken: list[EpisodeOutcome] = []
    for episode in chosen:
        try:
            built = pipeline.is_up_to_date(on_device(show, cluster.gpus > 0), episode.id)
            (done if built else pending).append(episode)
        except ShowrunnerError as exc:  # e.g. a missing recording: reported, never sent
            broken.append(EpisodeOutcome(episode.id, error=exc.one_line(relative_to=show.root)))
    if on_start is not None:
        on_start(pending)
    outcomes = broken + (_on_ray(show, pending, cluster, on_done) if pending else [])
    feed, site = pipeline.publish_show(show, now=now, quiet=True)
    return CatalogueResult(tuple(outcomes), tuple(e.id for e in done),
                           f"{feed.summary}; {site.summary}")


def on_device(show: Show, gpu: bool) -> Show:
    """The show as a worker runs it: on a GPU, faster-whisper on CUDA in float16 (settings
    that shape the transcript, so the up-to-date check uses them too)."""
    if not gpu:
        return show
    settings = dataclasses.replace(show.transcription, device="cuda", compute_type="float16")
    return dataclasses.replace(show, transcription=settings)


def audio_seconds(episode: Episode) -> float:
    """The length of the episode's recording (0 when it has none yet)."""
    path = episode.audio_path
    try:
        return audio.probe(path).duration if path is not None and path.is_file() else 0.0
    except ShowrunnerError:  # a broken recording: its build reports it, by name
        return 0.0


def _chosen(show: Show, episode_ids: Sequence[str]) -> list[Episode]:
    if episode_ids:
        return [load_episode(show, episode_id) for episode_id in episode_ids]
    chosen = [e for e in list_episodes(show) if not e.source]
    if not chosen:
        raise ConfigError("no episodes to build", path=show.root / "episodes",
                          hint="add one with 'showrunner new' or 'showrunner import'")
    return chosen


# ---------------------------------------------------------------- Ray


class EpisodeWorker:
    """A Ray actor: loads the show once and the speech model on first need, then builds one
    episode per call."""

    def __init__(self, show_root: str, threads: int, gpu: bool) -> None:
        self.show = on_device(load_show(Path(show_root)), gpu)
        # The thread count goes to the engine only: it shapes no output, and the show's
        # settings must digest as the driver's up-to-date check sees them.
        self.threads = threads if not self.show.transcription.threads else None
        self.engine: Any = None

    def pid(self) -> int:
        return os.getpid()

    def build(self, episode_id: str) -> EpisodeOutcome:
        seconds = 0.0
        try:
            episode = load_episode(self.show, episode_id)
            seconds = audio_seconds(episode)
            if self.engine is None and not pipeline.is_up_to_date(self.show, episode_id):
                self.engine = transcribe.load_engine(self.show, {"threads": self.threads})
            lines = pipeline.run_episode(self.show, episode_id, feed=False, quiet=True,
                                         engine=self.engine)
            return EpisodeOutcome(episode_id, tuple(lines), seconds=seconds)
        except ShowrunnerError as exc:
            return EpisodeOutcome(episode_id, error=exc.one_line(relative_to=self.show.root),
                                  seconds=seconds)
        except Exception as exc:  # noqa: BLE001 — one broken episode must not stop the others
            return EpisodeOutcome(episode_id, error=f"{episode_id}: unexpected "
                                  f"{type(exc).__name__}: {exc}", seconds=seconds)


def _on_ray(show: Show, pending: list[Episode], cluster: Cluster,
            on_done: Progress | None) -> list[EpisodeOutcome]:
    if cluster.address and "RAY_AUTH_MODE" not in os.environ and _has_ray_token():
        # `ray start` turns on token authentication and writes ~/.ray/auth_token, but a
        # driver only sends the token in token mode (read when ray is first imported); a
        # cluster without authentication ignores it.
        os.environ["RAY_AUTH_MODE"] = "token"
    ray = _ray()
    started_here = not ray.is_initialized()
    if started_here:
        _start(ray, cluster)
    try:
        workers = _workers(ray, show, cluster, len(pending))
        return _dispatch(ray, workers, [e.id for e in pending], on_done)
    finally:
        if started_here:
            ray.shutdown()


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ConfigError("Ray is not installed",
                          hint="pip install 'showrunner[ray]' (or build one episode at a time "
                               "with 'showrunner episode')") from None
    return ray


def _start(ray: Any, cluster: Cluster) -> None:
    import logging

    options: dict[str, Any] = {"logging_level": logging.ERROR, "log_to_driver": False}
    if cluster.address is None:
        options.update(include_dashboard=False, num_cpus=os.cpu_count() or 1)
    try:
        # "local": a Ray of our own, even where `ray start` left a cluster on this machine
        ray.init(address=cluster.address or "local", **options)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ConfigError(f"cannot join the Ray cluster at {cluster.address} "
                          f"({' '.join(str(exc).split())[:160]})",
                          hint="start one with 'ray start --head', or leave out --ray to run "
                               "on this machine") from None


def _has_ray_token() -> bool:
    return bool(os.environ.get("RAY_AUTH_TOKEN") or os.environ.get("RAY_AUTH_TOKEN_PATH")
                or (Path.home() / ".ray" / "auth_token").is_file())


def _workers(ray: Any, show: Show, cluster: Cluster, episodes: int) -> list[Any]:
    cpus = int(ray.cluster_resources().get("CPU", 1))
    count = max(1, min(cluster.workers or cpus, episodes))
    threads = max(1, cpus // count)
    actor = ray.remote(max_restarts=RETRIES, max_task_retries=RETRIES)(EpisodeWorker)
    options = {"num_cpus": threads, "num_gpus": cluster.gpus}
    return [actor.options(**options).remote(str(show.root), threads, cluster.gpus > 0)
            for _ in range(count)]


def _dispatch(ray: Any, workers: list[Any], queue: list[str],
              on_done: Progress | None) -> list[EpisodeOutcome]:
    """One episode per idle worker until the queue is empty."""
    queue = list(reversed(queue))
    running: dict[Any, tuple[Any, str]] = {}
    outcomes = []
    for worker in workers:
        if queue:
            episode_id = queue.pop()
            running[worker.build.remote(episode_id)] = (worker, episode_id)
    while running:
        (ready,), _ = ray.wait(list(running), num_returns=1)
        worker, episode_id = running.pop(ready)
        outcome = _outcome(ray, ready, episode_id)
        outcomes.append(outcome)
        if on_done is not None:
            on_done(outcome)
        if queue and not (outcome.error or "").endswith(_LOST):
            next_id = queue.pop()
            running[worker.build.remote(next_id)] = (worker, next_id)
    # Every worker was lost: what is left is reported, not silently dropped.
    return outcomes + [EpisodeOutcome(e, error=f"{e}: not built, no worker left")
                       for e in reversed(queue)]


def _outcome(ray: Any, ready: Any, episode_id: str) -> EpisodeOutcome:
    try:
        return ray.get(ready)
    except ray.exceptions.RayError as exc:  # the worker died more often than it is restarted
        return EpisodeOutcome(episode_id, error=f"{episode_id}: {_reason(exc)}{_LOST}")


def _reason(exc: Exception) -> str:
    """The line of a Ray error that says what went wrong: the last `...Error: ...` line of
    the remote traceback (e.g. an older showrunner on the cluster), else its first line."""
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip() for line in str(exc).splitlines()]
    lines = [line for line in lines if line]
    errors = [line for line in lines if re.match(r"^[\w.]+(Error|Exception|Exit): ", line)]
    return (errors[-1] if errors else lines[0] if lines else type(exc).__name__)[:200]
