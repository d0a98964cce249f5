"""The fast YAML reading gives exactly the round-trip parser's values, or steps aside."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from showrunner import yamlread

REPO = Path(__file__).resolve().parent.parent

CASES = [
    'title: "Finding the Grain"\nnumber: 58\ndate: 2026-03-10\nguests: [dana-ortiz]\n',
    "title: No\nhook: yes\nother: on\nflag: off\nsure: true\nnot: False\n",
    "time: 1:30\nlength: 1:30.5\nprice: 1.50\nexp: 1e3\nneg: -7\nzero: 0\nnothing: ~\n",
    "empty:\nnull_word: null\ninf: .inf\nwhen: 2026-03-10 10:30:00\n",
    "title: |\n  Two lines\n  of text\nlist:\n  - a\n  - {b: 1}\n",
    "title: 'quoted: colon'\n# a comment\nextra: {k: v}\n",
]
UNSURE = [
    "number: 010\n",  # YAML 1.1 reads octal 8, YAML 1.2 decimal 10
    "number: 0o17\n",
    "a: 1\na: 2\n",  # a duplicate key
    "%YAML 1.1\n---\na: yes\n",
    "a: !custom 3\n",
    "a: [unclosed\n",
]


def _plain(value: object) -> str:
    return json.dumps(value, default=str, sort_keys=True)


@pytest.mark.parametrize("text", CASES)
def test_values_equal_the_round_trip_parser(text: str) -> None:
    assert _plain(yamlread.load(text)) == _plain(yamlread.round_trip(text, Path("x.yaml")))


def test_every_yaml_file_in_the_repository_reads_the_same() -> None:
    files = [p for p in REPO.rglob("*.yaml") if ".git" not in p.parts and ".venv" not in p.parts]
    assert files
    for path in files:
        text = path.read_text()
        fast = yamlread.load(text)
        if fast is not None:
            assert _plain(fast) == _plain(yamlread.round_trip(text, path)), path


@pytest.mark.parametrize("text", UNSURE)
def test_what_the_parsers_could_read_differently_is_left_to_round_trip(text: str) -> None:
    assert yamlread.load(text) is None
