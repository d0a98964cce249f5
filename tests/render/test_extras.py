"""The episode page's extras that need no page: ISO 8601 durations, JSON safe in <script>."""

from __future__ import annotations

import json

import pytest

from showrunner.render.extras import iso_duration, script_json


@pytest.mark.parametrize(("seconds", "text"), [(0, "PT0S"), (2, "PT2S"), (60, "PT1M"),
                                               (100, "PT1M40S"), (3600, "PT1H"),
                                               (3754, "PT1H2M34S"), (7200 + 5, "PT2H5S")])
def test_iso_duration(seconds: int, text: str) -> None:
    assert iso_duration(seconds) == text


def test_script_json_cannot_close_the_script() -> None:
    data = {"name": "</script><script>alert(1)</script> <!-- & -->"}
    text = script_json(data)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == data
