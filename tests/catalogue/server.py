"""A real feed to import: tiny MP3s made by ffmpeg, served by a local http.server thread that
answers byte ranges (and can cut a response short once, to test resuming)."""

from __future__ import annotations

import functools
import hashlib
import html
import http.server
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from showrunner.demo import artwork_jpeg

PODCAST_GUID = "c7b1a8a4-2f46-5f0e-9a38-3f4f4b1e2d11"


@functools.cache
def sine_mp3(seconds: float, hz: int) -> bytes:
    done = subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                           f"sine=frequency={hz}:duration={seconds}", "-ac", "1", "-b:a", "32k",
                           "-f", "mp3", "-"], capture_output=True, check=True)
    return done.stdout


@dataclass
class Files:
    """What the server serves: path -> bytes; `cut_once`: paths answered short the first time;
    `hits`: every path asked for, in order."""

    files: dict[str, bytes] = field(default_factory=dict)
    cut_once: set[str] = field(default_factory=set)
    stall: set[str] = field(default_factory=set)  # send the headers, then nothing for 3 s
    unsized: set[str] = field(default_factory=set)  # no Content-Length: the body ends at close
    redirects: dict[str, str] = field(default_factory=dict)  # path -> Location (a 302)
    hits: list[str] = field(default_factory=list)


def _handler(store: Files) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            store.hits.append(self.path)
            if self.path in store.redirects:
                self.send_response(302)
                self.send_header("Location", store.redirects[self.path])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            data = store.files.get(self.path)
            if data is None:
                self.send_error(404)
                return
            start = 0
            etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
            ranged = self.headers.get("Range", "")
            if self.headers.get("If-Range", etag) != etag:
                ranged = ""  # changed since: the whole new file, as RFC 9110 says
            if ranged.startswith("bytes="):
                start = int(ranged[6:].split("-")[0])
                if start >= len(data):
                    self.send_error(416)
                    return
            self.send_response(206 if start else 200)
            if start:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            if self.path not in store.unsized:
                self.send_header("Content-Length", str(len(data) - start))
            self.send_header("ETag", etag)
            self.end_headers()
            body = data[start:]
            if self.path in store.stall:
                time.sleep(3)
            if self.path in store.cut_once:
                store.cut_once.discard(self.path)
                body = body[: len(body) // 2]  # then the connection closes: a broken download
            self.wfile.write(body)
            self.wfile.flush()

    return Handler


class _Quiet(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up (a timed-out download) is expected here, not news


@contextmanager
def serving(store: Files) -> Iterator[str]:
    """Serve `store` on 127.0.0.1; yield the base URL."""
    server = _Quiet(("127.0.0.1", 0), _handler(store))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass(frozen=True)
class Item:
    guid: str
    title: str
    pub_date: str
    url: str
    length: int
    number: int | None = None
    description: str = "<p>An episode.</p>"
    extra: str = ""


def item_xml(item: Item) -> str:
    number = f"<itunes:episode>{item.number}</itunes:episode>" if item.number else ""
    return (f"<item><title>{html.escape(item.title)}</title>"
            f"<guid isPermaLink=\"false\">{html.escape(item.guid)}</guid>"
            f"<pubDate>{item.pub_date}</pubDate>"
            f"<enclosure url=\"{html.escape(item.url)}\" length=\"{item.length}\" "
            f"type=\"audio/mpeg\"/>{number}<itunes:episodeType>full</itunes:episodeType>"
            f"<description><![CDATA[{item.description}]]></description>{item.extra}</item>")


def feed_xml(base: str, items: list[Item], *, doctype: str = "") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>{doctype}
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
     xmlns:atom="http://www.w3.org/2005/Atom" xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel>
<title>Old Kitchen</title>
<link>https://old.example.com</link>
<description><![CDATA[<p>A show that moved <b>here</b>.</p>]]></description>
<language>en-us</language>
<atom:link href="https://old.example.com/feed.xml" rel="self" type="application/rss+xml"/>
<itunes:author>Jason Reed</itunes:author>
<itunes:owner><itunes:name>Jason Reed</itunes:name><itunes:email>jason@example.com</itunes:email></itunes:owner>
<itunes:image href="{base}/art/cover.jpg"/>
<itunes:category text="Business"><itunes:category text="Entrepreneurship"/></itunes:category>
<itunes:explicit>false</itunes:explicit>
<podcast:guid>{PODCAST_GUID}</podcast:guid>
<podcast:person role="host">Jason Reed</podcast:person>
{"".join(item_xml(i) for i in items)}
</channel>
</rss>
"""


def artwork() -> bytes:
    return artwork_jpeg("Old Kitchen")
