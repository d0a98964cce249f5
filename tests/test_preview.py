"""`showrunner preview`, run as a user runs it (a child process on a free port), asked by a
plain HTTP client the way players and Apple's checks ask."""

from __future__ import annotations

import http.client
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .helpers import assert_one_line_error, make_show, run, write

SCRIPT = "from showrunner.cli import main; main()"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int]]:
    show = make_show(tmp_path_factory.mktemp("preview") / "show")
    public = show / "public"
    mp3 = public / "episodes" / "E1" / "episode.mp3"
    mp3.parent.mkdir(parents=True)
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=3",
                    "-b:a", "64k", str(mp3)], check=True)
    write(public, {"index.html": "<h1>home</h1>", "episodes/E1/index.html": "<h1>E1</h1>",
                   "feed.xml": "<rss/>"})
    process = subprocess.Popen([sys.executable, "-c", SCRIPT, "preview", "--port", "0",
                                "--show", str(show)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    assert found, (line, process.stderr.read() if process.poll() is not None else "")
    try:
        yield public, int(found.group(1))
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)  # a loaded CI machine is slow
        assert process.returncode == 0 and "stopped" in out and "Traceback" not in err, err


def _ask(port: int, method: str, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_a_byte_range_of_an_mp3_is_206_with_exactly_those_bytes(
        served: tuple[Path, int]) -> None:
    public, port = served
    whole = (public / "episodes/E1/episode.mp3").read_bytes()
    status, headers, body = _ask(port, "GET", "/episodes/E1/episode.mp3", Range="bytes=0-99")
    assert status == 206 and body == whole[:100]
    assert headers["content-range"] == f"bytes 0-99/{len(whole)}"
    assert headers["content-type"] == "audio/mpeg"
    # The last bytes, as a player asks when it reads ID3v1 tags or seeks to the end
    status, _, body = _ask(port, "GET", "/episodes/E1/episode.mp3", Range="bytes=-10")
    assert status == 206 and body == whole[-10:]


def test_head_gives_the_length_and_range_support_without_a_body(
        served: tuple[Path, int]) -> None:
    public, port = served
    status, headers, body = _ask(port, "HEAD", "/episodes/E1/episode.mp3")
    assert status == 200 and body == b""
    assert int(headers["content-length"]) == (public / "episodes/E1/episode.mp3").stat().st_size
    assert headers["accept-ranges"] == "bytes"


def test_a_range_past_the_end_is_416(served: tuple[Path, int]) -> None:
    public, port = served
    size = (public / "episodes/E1/episode.mp3").stat().st_size
    status, _, _ = _ask(port, "GET", "/episodes/E1/episode.mp3", Range=f"bytes={size + 10}-")
    assert status == 416


def test_folders_serve_their_index_and_nothing_outside_public_is_served(
        served: tuple[Path, int]) -> None:
    _, port = served
    assert _ask(port, "GET", "/")[2] == b"<h1>home</h1>"
    assert _ask(port, "GET", "/episodes/E1/")[2] == b"<h1>E1</h1>"
    assert _ask(port, "GET", "/episodes/E1")[2] == b"<h1>E1</h1>"
    assert _ask(port, "GET", "/../show.yaml")[0] == 404
    assert _ask(port, "GET", "/%2e%2e/show.yaml")[0] == 404
    assert _ask(port, "GET", "/missing.mp3")[0] == 404


def test_nothing_built_yet_is_one_line_naming_the_folder(tmp_path: Path) -> None:
    show = make_show(tmp_path / "show")
    assert_one_line_error(run(["preview", "--port", "0"], show), "public", "showrunner episode")


def test_a_port_in_use_is_one_line_naming_the_fix(served: tuple[Path, int]) -> None:
    public, port = served
    assert_one_line_error(run(["preview", "--port", str(port)], public.parent), str(port),
                          "--port")


def test_help_has_an_example() -> None:
    result = run(["preview", "--help"])
    assert result.exit_code == 0 and "showrunner preview" in result.output.split("Example")[1]
