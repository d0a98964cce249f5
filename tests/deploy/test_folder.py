"""A local folder target: it may not overlap the show's public/ (a --delete there would
remove the show's own files)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..helpers import assert_one_line_error, run, tree_hashes
from .conftest import add_deploy

# The show is published as of a fixed date; test_clock runs these with the clock moved on.
pytestmark = pytest.mark.clock


@pytest.mark.parametrize("where", ["public", ".", "public/mirror"])
def test_a_folder_overlapping_public_is_refused(published: Path, where: str) -> None:
    add_deploy(published, f"deploy:\n  folder: {where}\n")
    before = tree_hashes(published)
    assert_one_line_error(run(["deploy", "--delete"], published), "show.yaml",
                          "overlaps public/", "outside")
    assert tree_hashes(published) == before


def test_a_relative_folder_is_relative_to_the_show(published: Path) -> None:
    add_deploy(published, "deploy:\n  folder: ../www\n")
    result = run(["deploy"], published)
    assert result.exit_code == 0, result.output
    assert (published.parent / "www" / "feed.xml").read_bytes() == \
        (published / "public" / "feed.xml").read_bytes()
