"""`showrunner deploy` against a real remote of each kind (an S3 API server, an SSH server with
rsync, a folder): only what changed is sent, the feed last, and an interrupted deploy never
leaves a feed that names a missing file."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from showrunner.deploy import LocalFile

from ..helpers import run
from .conftest import switch_public
from .remotes import RemoteView, deploy, public_files

BASE = "https://example.com/"
E2_AUDIO = "episodes/E2/episode.mp3"


def enclosures(feed: bytes) -> list[tuple[str, int]]:
    return [(e.get("url", "")[len(BASE):], int(e.get("length", "-1")))
            for e in ET.fromstring(feed).iter("enclosure")]


def assert_feed_is_whole(files: dict[str, bytes]) -> None:
    """Every enclosure the remote feed names is there, at the length it states."""
    for name, length in enclosures(files["feed.xml"]):
        assert name in files, f"the remote feed names {name}, which the remote lacks"
        assert len(files[name]) == length, name


def test_first_deploy_sends_public_media_first_and_the_feed_last(published: Path,
                                                                 remote: RemoteView) -> None:
    order: list[str] = []
    result = deploy(published, on_sent=lambda file: order.append(file.name))
    assert remote.files() == public_files(published)
    assert order[-1] == "feed.xml"
    assert order.index("episodes/E1/index.html") > max(
        order.index(name) for name in order if name.endswith((".mp3", ".vtt", ".json")))
    assert set(result.sent) == set(public_files(published)) and result.plan.unchanged == 0


def test_a_changed_episode_sends_only_its_audio_the_home_page_and_the_feed(
        published: Path, remote: RemoteView, changes: dict[str, Path]) -> None:
    remote.seed(published)
    switch_public(published, changes["e2-new-take"])
    result = deploy(published)
    assert result.sent == (E2_AUDIO, "index.html", "feed.xml")  # the home page: E2's duration
    assert remote.files() == public_files(published)
    assert_feed_is_whole(remote.files())


def test_an_interrupted_deploy_keeps_the_remote_feed_and_the_next_run_resumes(
        published: Path, remote: RemoteView, changes: dict[str, Path]) -> None:
    remote.seed(published)
    before = remote.files()["feed.xml"]
    switch_public(published, changes["e5-released"])  # E5's audio, transcripts and chapters
    arrived: list[LocalFile] = []

    def interrupt_after_two(file: LocalFile) -> None:
        arrived.append(file)
        if len(arrived) == 2:
            raise KeyboardInterrupt  # Ctrl-C; for rsync, this kills it in the middle of a run

    with pytest.raises(KeyboardInterrupt):
        deploy(published, on_sent=interrupt_after_two)
    files = remote.files()
    assert files["feed.xml"] == before
    assert_feed_is_whole(files)
    assert "episodes/E5/episode.mp3" not in [name for name, _ in enclosures(files["feed.xml"])]

    public = public_files(published)
    in_place = {name for name, content in files.items() if public.get(name) == content}
    assert "episodes/E5/episode.mp3" in {f.name for f in arrived}

    resumed = deploy(published)
    assert resumed.sent[-1] == "feed.xml"
    assert not in_place & set(resumed.sent)  # what is already there is not sent again
    assert remote.files() == public_files(published)
    assert_feed_is_whole(remote.files())


def test_dry_run_changes_nothing(published: Path, remote: RemoteView,
                                 changes: dict[str, Path]) -> None:
    empty = run(["deploy", "--dry-run"], published)
    assert empty.exit_code == 0, empty.output
    assert "send feed.xml" in empty.stdout and "dry run, nothing sent" in empty.stdout
    assert remote.files() == {}

    remote.seed(published)
    switch_public(published, changes["e2-new-take"])
    (published / "public" / "episodes" / "E1" / "index.html").unlink()
    before = remote.files()
    result = run(["deploy", "--dry-run", "--delete"], published)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"send {E2_AUDIO} (") and lines[0].endswith(", audio/mpeg)")
    assert lines[1].startswith("send index.html (")  # the home page shows E2's new duration
    assert lines[2].startswith("send feed.xml (")
    assert lines[3] == "delete episodes/E1/index.html"
    assert "would send 3 file(s)" in lines[4] and "1 to delete" in lines[4]
    assert remote.files() == before


def test_a_deploy_with_nothing_changed_sends_no_file(
        published: Path, remote: RemoteView, record_property: pytest.RecordProperty) -> None:
    remote.seed(published)
    started = time.monotonic()
    result = run(["deploy"], published)
    seconds = time.monotonic() - started
    record_property("nothing_changed_seconds", round(seconds, 2))  # reported, not asserted
    print(f"re-deploy with nothing changed: {seconds:.2f} s")
    assert result.exit_code == 0, result.output
    assert "0 file(s) sent (0 B), 0 deleted; 14 unchanged" in result.stdout


def test_delete_removes_files_only_after_the_new_feed_is_up(
        published: Path, remote: RemoteView, changes: dict[str, Path]) -> None:
    remote.seed(published)
    switch_public(published, changes["e2-withdrawn"])
    assert deploy(published, dry_run=True).plan.kept == 1  # without --delete, it stays

    remote_at_feed: list[set[str]] = []

    def arrived(file: LocalFile) -> None:
        if file.name == "feed.xml":
            remote_at_feed.append(set(remote.files()))

    result = deploy(published, delete=True, on_sent=arrived)
    assert result.sent == ("index.html", "feed.xml") and result.deleted == (E2_AUDIO,)
    assert E2_AUDIO in remote_at_feed[0]  # still there while the new feed went up
    assert remote.files() == public_files(published)
