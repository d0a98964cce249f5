"""`showrunner catalogue build` on a real local Ray cluster (`ray start --head` on 127.0.0.1):
20 short episodes with real speech, two workers, one of them killed mid-run."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from showrunner import transcripts
from showrunner.synth import TOPICS, Conversation, interview_script, speak
from showrunner.synth.speech import GUEST_VOICE, HOST_VOICE

from ..conftest import GUEST, HOST
from ..feed_fixtures import partytime
from ..helpers import REPO, SHOW_YAML, add_episode, make_show, run, tree_hashes

pytestmark = pytest.mark.e2e
EPISODES = [f"E{n:02d}" for n in range(1, 21)]
NOW = "2026-06-01"
SCRIPT = "from showrunner.cli import main; main()"
# One recognizer thread, as each of two workers on two cores gets: the sequential reference
# run uses the same settings, so its output must be the same bytes.
ONE_THREAD = SHOW_YAML.replace("transcription:\n", "transcription:\n  threads: 1\n")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def ray_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real head node on this machine with two CPUs; stopped after the module."""
    ray = Path(sys.executable).with_name("ray")
    port = _free_port()
    # Ray's socket paths must stay short: a temp dir of our own under /tmp.
    temp = Path(f"/tmp/ray-sr-{os.getpid()}")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "src"),
                                                         os.environ.get("PYTHONPATH", "")]),
               RAY_USAGE_STATS_ENABLED="0")
    subprocess.run([str(ray), "start", "--head", "--node-ip-address", "127.0.0.1",
                    "--port", str(port), "--num-cpus", "2", "--include-dashboard", "false",
                    "--disable-usage-stats", "--temp-dir", str(temp)],
                   check=True, capture_output=True, env=env, timeout=180)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        subprocess.run([str(ray), "stop", "--force"], capture_output=True, env=env, timeout=120)
        shutil.rmtree(temp, ignore_errors=True)


@pytest.fixture(scope="module")
def talks() -> list[Conversation]:
    """Four short interviews (one topic each), reused round-robin by the 20 episodes."""
    voices = {HOST: HOST_VOICE, GUEST: GUEST_VOICE}
    return [speak(interview_script(HOST, GUEST, TOPICS[k:k + 1]), voices) for k in range(4)]


def _catalogue(root: Path, talks: list[Conversation]) -> Path:
    show = make_show(root, show_yaml=ONE_THREAD)
    for n, episode_id in enumerate(EPISODES):
        add_episode(show, episode_id, f"title: Talk {n + 1}\nnumber: {n + 1}\n"
                                      f"date: 2026-01-{n + 1:02d}\nstatus: released\n"
                                      "guests: [mary-chen]\naudio: raw.wav\n",
                    talks[n % len(talks)].wav)
    return show


def _worker_pids() -> list[int]:
    found = subprocess.run(["pgrep", "-f", "ray::EpisodeWorker"], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def _rendered(show: Path) -> int:
    return sum("render" in json.loads(p.read_text())
               for p in show.glob("episodes/*/.showrunner-state.json") if p.stat().st_size)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, ray_cluster: str,
          talks: list[Conversation]) -> tuple[Path, subprocess.CompletedProcess[str], int]:
    """The catalogue built by two workers, one of which is killed once episodes are done."""
    show = _catalogue(tmp_path_factory.mktemp("catalogue") / "show", talks)
    command = [sys.executable, "-c", SCRIPT, "catalogue", "build", "--ray", ray_cluster,
               "--workers", "2", "--now", NOW, "--show", str(show)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    killed = 0
    deadline = time.monotonic() + 600
    while process.poll() is None and time.monotonic() < deadline and not killed:
        if _rendered(show) >= 2 and len(_worker_pids()) == 2:
            os.kill(_worker_pids()[0], signal.SIGKILL)
            killed = 1
        time.sleep(0.2)
    out, err = process.communicate(timeout=900)
    return show, subprocess.CompletedProcess(command, process.returncode, out, err), killed


def test_every_episode_is_built_despite_a_killed_worker(built: tuple[Path, Any, int]) -> None:
    show, done, killed = built
    assert killed == 1, "the test never killed a worker: it proves nothing"
    assert done.returncode == 0, done.stderr[-3000:]
    assert "built 20 episode(s), 0 failed, 0 already up to date" in done.stdout
    assert "Traceback" not in done.stderr
    for episode_id in EPISODES:
        folder = show / "episodes" / episode_id
        transcript = transcripts.load(folder / "transcript.json")  # whole, not half-written
        assert {s.speaker for s in transcript.segments} == {HOST, GUEST}
        assert (show / "public" / "episodes" / episode_id / "index.html").is_file()
        assert not list(folder.glob(".*.tmp*")) and not list(folder.glob("*.partial"))
    feed = show / "public" / "feed.xml"
    assert run(["validate", str(feed)]).exit_code == 0
    assert len(partytime(feed)["items"]) == 20


def test_output_is_what_showrunner_episode_writes(built: tuple[Path, Any, int],
                                                  tmp_path: Path,
                                                  talks: list[Conversation]) -> None:
    show, _, _ = built
    alone = _catalogue(tmp_path / "show", talks)
    for episode_id in ("E01", "E06"):  # two recordings, each built by whichever worker
        # As a one-CPU Ray worker runs: Ray sets OMP_NUM_THREADS to the worker's CPUs, and
        # the speech model's timings move by hundredths of a second with the thread count.
        subprocess.run([sys.executable, "-c", SCRIPT, "episode", episode_id, "--no-feed",
                        "--quiet", "--show", str(alone)], check=True, timeout=600,
                       env=dict(os.environ, OMP_NUM_THREADS="1"))
        for folder in (Path("episodes") / episode_id, Path("public/episodes") / episode_id):
            built_alone, built_by_ray = tree_hashes(alone / folder), tree_hashes(show / folder)
            # episode.yaml differs by the guid the feed gives an episode when first published
            for hashes in (built_alone, built_by_ray):
                hashes.pop("episode.yaml", None)
            assert built_alone == built_by_ray, folder


def test_a_second_run_redoes_nothing_and_starts_no_ray(built: tuple[Path, Any, int]) -> None:
    show, _, _ = built
    before = tree_hashes(show / "episodes")
    # No --ray: had anything been pending, a local Ray runtime would have started.
    result = run(["catalogue", "build", "--now", NOW, "--quiet"], show)
    assert result.exit_code == 0, result.output + result.stderr
    assert "built 0 episode(s), 0 failed, 20 already up to date" in result.stdout
    assert tree_hashes(show / "episodes") == before


def test_a_failed_episode_is_named_and_the_others_go_on(tmp_path: Path, ray_cluster: str,
                                                        talks: list[Conversation]) -> None:
    show = make_show(tmp_path / "show", show_yaml=ONE_THREAD)
    add_episode(show, "good", "title: Good\nnumber: 1\nguests: [mary-chen]\naudio: raw.wav\n",
                talks[0].wav)
    add_episode(show, "empty", "title: Empty\nnumber: 2\naudio: raw.wav\n")
    (show / "episodes" / "empty" / "raw.wav").write_bytes(b"not a wav")
    result = run(["catalogue", "build", "--ray", ray_cluster, "--now", NOW, "--quiet"], show)
    assert result.exit_code == 1
    assert "failed:" in result.stderr and "empty" in result.stderr and "raw.wav" in result.stderr
    assert "built 1 episode(s), 1 failed" in result.stdout
    assert (show / "public" / "episodes" / "good" / "index.html").is_file()
