"""Fixtures for the deploy tests: the feed fixture show, published once as of 1 February 2026
(with a page for E1), copied for each test; and one real remote per kind of target."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from showrunner.synth import Conversation, solo_script, speak
from showrunner.synth.speech import HOST_VOICE

from ..feed_fixtures import CHAPTERS, SRT, VTT, build_show
from ..helpers import run, write
from .remotes import FolderView, RemoteView, RsyncView, S3View
from .servers import Sshd, s3_server, sshd

FEB = "2026-02-01"
AFTER_E5 = "2099-06-02"  # the day after the fixture's far-future E5: releases it


@pytest.fixture(scope="session")
def speech() -> Conversation:
    """About 70 s of the host's generated speech, as an MP3 (cached across runs)."""
    return speak(solo_script("Jason Reed"), {"Jason Reed": HOST_VOICE}, mp3=True)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, speech: Conversation) -> Path:
    show = build_show(tmp_path_factory.mktemp("deploy") / "show", speech)
    # E5 (held back until 2099) gets transcripts and chapters: releasing it adds several files.
    write(show / "episodes" / "E5", {"transcript.vtt": VTT, "transcript.srt": SRT,
                                     "chapters.json": CHAPTERS})
    # E1's page first: the home page and sitemap, written with the feed, then list it.
    assert run(["render", "E1"], show).exit_code == 0
    publish(show, FEB)
    return show


def publish(show: Path, now: str) -> None:
    result = run(["feed", "--now", now, "--quiet"], show)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="session")
def changes(tmp_path_factory: pytest.TempPathFactory, built: Path) -> dict[str, Path]:
    """public/ after a change, each made once by the real `feed` command on a copy of the show:
    `e2-new-take` (E2's audio is now its first 30 s), `e5-released` (a new episode with
    transcripts and chapters), `e2-withdrawn` (E2 back to draft, its audio gone from public/)."""
    made = {}
    for change in ("e2-new-take", "e5-released", "e2-withdrawn"):
        show = Path(shutil.copytree(built, tmp_path_factory.mktemp(change) / "show"))
        e2 = show / "episodes" / "E2"
        if change == "e2-new-take":
            cut = e2 / "cut.mp3"
            subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-i",
                            str(e2 / "episode.mp3"), "-t", "30", "-c", "copy", str(cut)],
                           check=True)
            cut.replace(e2 / "episode.mp3")
        if change == "e2-withdrawn":
            yaml = e2 / "episode.yaml"
            yaml.write_text(yaml.read_text().replace("status: released", "status: draft"))
        publish(show, AFTER_E5 if change == "e5-released" else FEB)
        if change == "e2-withdrawn":
            (show / "public" / "episodes" / "E2" / "episode.mp3").unlink()
        made[change] = show / "public"
    return made


def switch_public(show: Path, public: Path) -> None:
    """Make `public` the show's public/ (as if its change had been published there)."""
    shutil.rmtree(show / "public")
    shutil.copytree(public, show / "public")


@pytest.fixture
def published(tmp_path: Path, built: Path) -> Path:
    """A copy of the published show of the test's own (public/ holds pages, MP3s, feed)."""
    return Path(shutil.copytree(built, tmp_path / "show"))


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    with s3_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def ssh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    with sshd(tmp_path_factory.mktemp("sshd")) as server:
        yield server


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Test credentials in the environment, and none of the machine's own AWS settings."""
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_DEFAULT_REGION", "us-east-1"), ("AWS_EC2_METADATA_DISABLED", "true"),
                        ("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config")),
                        ("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))):
        monkeypatch.setenv(name, value)


def add_deploy(show: Path, section: str) -> None:
    """Append a `deploy:` section to the show's show.yaml."""
    with open(show / "show.yaml", "a", encoding="utf-8") as handle:
        handle.write(section)


def s3_remote(show: Path, endpoint: str) -> S3View:
    bucket = f"show-{uuid.uuid4().hex[:12]}"
    view = S3View(endpoint, bucket, "podcast")
    view.client.create_bucket(Bucket=bucket)
    add_deploy(show, f"deploy:\n  s3: {{bucket: {bucket}, prefix: podcast/, "
                     f"endpoint_url: '{endpoint}', region: us-east-1}}\n")
    return view


@pytest.fixture(params=["s3", "rsync", "folder"])
def remote(request: pytest.FixtureRequest, published: Path, tmp_path: Path) -> RemoteView:
    """The published show, with show.yaml deploying to a real remote of each kind."""
    if request.param == "s3":
        request.getfixturevalue("aws")
        return s3_remote(published, request.getfixturevalue("s3_endpoint"))
    if request.param == "rsync":
        server: Sshd = request.getfixturevalue("ssh_server")
        (tmp_path / "server").mkdir()  # the server's folder; deploy makes www/ inside it
        add_deploy(published, server.deploy_yaml(tmp_path / "server" / "www"))
        return RsyncView(tmp_path / "server" / "www")
    add_deploy(published, f"deploy:\n  folder: {tmp_path / 'www'}\n")
    return FolderView(tmp_path / "www")
