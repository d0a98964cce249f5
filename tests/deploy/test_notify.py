"""After the new feed is up: a WebSub hub ping and a podping-style GET, received by a real
HTTP server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from ..helpers import run
from .conftest import add_deploy
from .servers import Received, _free_port, http_receiver

FEED_URL = "https://example.com/feed.xml"


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[tuple[str, list[Received]]]:
    # Each request records the feed the remote held when it came in.
    with http_receiver(lambda: (tmp_path / "www" / "feed.xml").read_bytes()) as server:
        yield server


def test_the_hub_and_the_ping_hear_of_the_new_feed(published: Path, tmp_path: Path,
                                                   receiver: tuple[str, list[Received]]) -> None:
    url, received = receiver
    add_deploy(published, f"deploy:\n  folder: {tmp_path / 'www'}\n"
                          f"  notify: {{websub: '{url}/hub', ping: '{url}/ping?token=abc'}}\n")
    result = run(["deploy"], published)
    assert result.exit_code == 0, result.output + result.stderr
    hub, ping = received
    assert (hub.method, hub.path) == ("POST", "/hub")
    assert hub.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(hub.body.decode()) == {"hub.mode": ["publish"], "hub.url": [FEED_URL]}
    assert ping.method == "GET" and urlsplit(ping.path).path == "/ping"
    assert parse_qs(urlsplit(ping.path).query) == {"token": ["abc"], "url": [FEED_URL]}
    assert hub.headers["User-Agent"].startswith("showrunner/")
    feed = (published / "public" / "feed.xml").read_bytes()
    assert hub.probed == ping.probed == feed  # told only once the new feed was up
    assert f"notified WebSub hub {url}/hub, ping {url}/ping?token=abc" in result.stdout

    again = run(["deploy"], published)  # the feed did not change: no one is told again
    assert again.exit_code == 0 and len(received) == 2


def test_a_hub_that_does_not_answer_is_a_warning(published: Path, tmp_path: Path) -> None:
    hub = f"http://127.0.0.1:{_free_port()}/hub"
    add_deploy(published, f"deploy:\n  folder: {tmp_path / 'www'}\n  notify: {{websub: '{hub}'}}\n")
    result = run(["deploy"], published)
    assert result.exit_code == 0
    assert result.stderr.startswith(f"warning: WebSub hub {hub}: did not answer")
    assert "the feed is up" in result.stderr and "14 file(s) sent" in result.stdout
