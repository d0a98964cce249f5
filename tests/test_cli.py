"""Every command explains itself with a real example."""

from __future__ import annotations

import pytest

from showrunner.cli import main

from .helpers import run

COMMANDS = sorted(main.commands)


def test_all_spec_commands_exist() -> None:
    assert set(COMMANDS) >= {"init", "new", "transcribe", "split", "notes", "render", "feed",
                             "validate", "episode", "deploy", "import"}


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_an_example(command: str) -> None:
    result = run([command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output and f"showrunner {command}" in result.output


def test_usage_error_is_one_line() -> None:
    result = run(["new"])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "--help" in result.stderr
