"""Before anything is sent: a feed that names a file public/ lacks, or states another length,
is refused, and the remote is left untouched. Dot-files are never sent nor deleted."""

from __future__ import annotations

from pathlib import Path

import pytest

from showrunner.deploy.files import FEED, MEDIA, PAGES, LocalFile

from ..helpers import assert_one_line_error, run
from .conftest import FEB, add_deploy, publish
from .remotes import FolderView, deploy

# The show is published as of a fixed date; test_clock runs these with the clock moved on.
pytestmark = pytest.mark.clock


@pytest.fixture
def www(published: Path, tmp_path: Path) -> FolderView:
    add_deploy(published, f"deploy:\n  folder: {tmp_path / 'www'}\n")
    return FolderView(tmp_path / "www")


def test_a_feed_naming_a_file_public_lacks_is_refused(published: Path, www: FolderView) -> None:
    (published / "public" / "episodes" / "E2" / "episode.mp3").unlink()
    assert_one_line_error(run(["deploy"], published), "feed.xml",
                          "names episodes/E2/episode.mp3, which public/ does not hold",
                          "showrunner feed")
    assert www.files() == {}


def test_an_enclosure_behind_the_analytics_prefix_is_still_checked(published: Path,
                                                                     www: FolderView) -> None:
    add_deploy(published, "analytics_prefix: https://op3.dev/e/\n")
    publish(published, FEB)
    assert "https://op3.dev/e/example.com/episodes/E2/episode.mp3" in \
        (published / "public" / "feed.xml").read_text(encoding="utf-8")
    (published / "public" / "episodes" / "E2" / "episode.mp3").unlink()
    assert_one_line_error(run(["deploy"], published), "feed.xml",
                          "names episodes/E2/episode.mp3, which public/ does not hold")
    assert www.files() == {}


def test_a_feed_stating_another_length_is_refused(published: Path, www: FolderView) -> None:
    with open(published / "public" / "episodes" / "E2" / "episode.mp3", "ab") as audio:
        audio.write(b"\0" * 10)
    assert_one_line_error(run(["deploy"], published), "states 567117 bytes for "
                          "episodes/E2/episode.mp3, which has 567127")
    assert www.files() == {}


def test_no_feed_yet_is_one_line(published: Path, www: FolderView) -> None:
    (published / "public" / "feed.xml").unlink()
    assert_one_line_error(run(["deploy"], published), "no feed to deploy", "showrunner feed")


def test_dot_files_are_neither_sent_nor_deleted(published: Path, www: FolderView) -> None:
    (published / "public" / ".DS_Store").write_bytes(b"\0")
    (www.folder / ".well-known").mkdir(parents=True)
    (www.folder / ".htaccess").write_text("AddType text/vtt .vtt\n")
    (www.folder / ".well-known" / "security.txt").write_text("Contact: x\n")
    deploy(published, delete=True)
    files = www.files()
    assert ".DS_Store" not in files
    assert {".htaccess", ".well-known/security.txt"} <= set(files)


@pytest.mark.parametrize(("name", "step"), [
    ("feed.xml", FEED), ("episodes/E1/index.html", PAGES), ("about.html", PAGES),
    ("episodes/E1/transcript.html", MEDIA), ("episodes/E1/episode.mp3", MEDIA),
    ("episodes/E1/chapters.json", MEDIA), ("episodes/E1/feed.xml", MEDIA),
])
def test_each_file_goes_in_its_step(name: str, step: int) -> None:
    assert LocalFile(name, Path(name), 0, "", "").step == step
