"""Progress (files and bytes) is drawn on stderr only when it is a terminal."""

from __future__ import annotations

import io
import os
from pathlib import Path

from showrunner.config import load_show
from showrunner.deploy import deploy_show

from .conftest import add_deploy


def test_progress_is_drawn_on_a_terminal_only(published: Path, tmp_path: Path) -> None:
    add_deploy(published, f"deploy:\n  folder: {tmp_path / 'www'}\n")
    main, secondary = os.openpty()
    with open(secondary, "w") as terminal:
        deploy_show(load_show(published), stream=terminal)
    drawn = _read_all(main)
    assert "deploying: 0/14 files, 0 B of 2.4 MB" in drawn
    assert "deploying: 14/14 files, 2.4 MB of 2.4 MB" in drawn and drawn.endswith("\n")

    not_a_terminal = io.StringIO()
    (tmp_path / "www" / "feed.xml").unlink()
    result = deploy_show(load_show(published), stream=not_a_terminal)
    assert result.sent == ("feed.xml",) and not_a_terminal.getvalue() == ""


def _read_all(main: int) -> str:
    """Everything written to the terminal (its other end is closed: reading ends in EIO)."""
    chunks = []
    try:
        while chunk := os.read(main, 1 << 16):
            chunks.append(chunk)
    except OSError:
        pass
    finally:
        os.close(main)
    return b"".join(chunks).decode()
