"""The README's tour is true: `make demo` from a clean clone runs the demo show to a valid feed."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from .feed_fixtures import partytime
from .helpers import REPO, run


def test_readme_names_exactly_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text()
    block = re.search(r"## Two commands\n\n```sh\n(.*?)```", readme, re.S)
    assert block is not None
    assert [line.split("#")[0].strip() for line in block.group(1).splitlines()] == \
        ["make demo", "make test"]
    assert (REPO / ".ci" / "run").read_text().strip().endswith("make test")


@pytest.mark.e2e
def test_make_demo_from_a_clean_clone(tmp_path: Path) -> None:
    clone = tmp_path / "showrunner"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    # The clone uses this checkout's installed environment (-o: never reinstall it from the
    # clone); `make install` itself is what CI's own fresh clone exercises.
    stamps = REPO / ".stamps"
    done = subprocess.run(["make", "-C", str(clone), "demo", f"VENV={REPO / '.venv'}",
                           f"STAMPS={stamps}", "-o", str(stamps / "install"),
                           "--no-print-directory"],
                          capture_output=True, text=True, timeout=1200,
                          env=dict(os.environ, MAKEFLAGS=""), check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    for promise in ("feed:        public/feed.xml", "home page:   public/index.html",
                    "first page:  public/episodes/rise-and-shine-1/index.html",
                    "make preview"):
        assert promise in done.stdout
    feed = clone / "public" / "feed.xml"
    assert run(["validate", str(feed)]).exit_code == 0
    assert (clone / "public/episodes/rise-and-shine-1/index.html").is_file()
    assert (clone / "public/index.html").is_file()
    parsed = partytime(feed)
    assert [item["title"] for item in parsed["items"]] == \
        [f"Rising Early with Mary Chen – Part {k} of 3" for k in (1, 2, 3)]  # as written
    status = subprocess.run(["git", "-C", str(clone), "status", "--porcelain"],
                            capture_output=True, text=True, check=True).stdout
    assert status == ""  # generated material stays out of git (.gitignore covers it)
