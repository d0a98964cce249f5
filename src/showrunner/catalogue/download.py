"""Media over HTTP(S): resumed with a Range request where a partial file was left, bounded in
size and time, never following a redirect to anything but http(s)."""

from __future__ import annotations

import http.client
import os
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .reading import BadItem

_CONTENT_RANGE = re.compile(r"bytes (\d+)-\d+/(\d+|\*)")
CHUNK = 64 * 1024


@dataclass(frozen=True)
class DownloadLimits:
    """The most one file may be: bytes, seconds between two reads, seconds in all."""

    max_bytes: int = 2 * 1024**3
    read_timeout_s: float = 30.0
    total_timeout_s: float = 3600.0


class _HttpOnly(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str,
                         headers: Any, newurl: str) -> urllib.request.Request | None:
        if not re.match(r"^https?://", newurl, re.I):
            raise BadItem(f"the server redirects to '{newurl[:40]}', not an http(s) address")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_HttpOnly)
Progress = Callable[[int, int | None], None]


def progress_line(stream: IO[str]) -> Callable[[str, int, int | None], None] | None:
    """A download's progress as one line redrawn on `stream`, if it is a terminal."""
    if not stream.isatty():
        return None

    def draw(label: str, done: int, total: int | None) -> None:
        of = f" of {total / 1e6:.1f}" if total else ""
        stream.write(f"\rdownloading {label}: {done / 1e6:.1f}{of} MB\x1b[K")
        stream.flush()
    return draw


def fetch(url: str, part: Path, limits: DownloadLimits, progress: Progress | None = None) -> Path:
    """Download `url` into `part`, continuing what `part` already holds; return `part` once
    whole. An interrupted download leaves `part` for the next run to resume."""
    have = part.stat().st_size if part.is_file() else 0
    validator = _validator_file(part)
    headers = {"User-Agent": "showrunner-import"}
    if have:
        headers["Range"] = f"bytes={have}-"
        if validator.is_file():  # the file changed since: the server sends it whole (200)
            headers["If-Range"] = validator.read_text().strip()
    request = urllib.request.Request(url, headers=headers)
    try:
        response = _OPENER.open(request, timeout=limits.read_timeout_s)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # nothing past what we have: it was whole
            return part
        raise BadItem(f"downloading {url} failed: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise BadItem(f"downloading {url} failed: {reason}") from None
    with response:
        start, total = _span(response, have)
        if total is not None and total > limits.max_bytes:
            raise BadItem(f"the audio is {total} bytes, over the {limits.max_bytes}-byte limit")
        if start == 0:
            _keep_validator(response, validator)
        _stream(response, part, start, total, limits, progress)
    validator.unlink(missing_ok=True)
    return part


def _validator_file(part: Path) -> Path:
    return part.with_name(part.name + ".validator")


def _keep_validator(response: object, validator: Path) -> None:
    """The ETag (else Last-Modified) of a download begun from scratch, for If-Range later."""
    headers = getattr(response, "headers", {})
    value = headers.get("ETag") or headers.get("Last-Modified")
    validator.parent.mkdir(parents=True, exist_ok=True)
    if value and "\n" not in value:
        validator.write_text(value + "\n")
    else:
        validator.unlink(missing_ok=True)


def _span(response: object, have: int) -> tuple[int, int | None]:
    """Where the body starts in the file and the file's whole size, if the server says."""
    headers = getattr(response, "headers", {})
    status = getattr(response, "status", 200)
    if status == 206:
        match = _CONTENT_RANGE.match(headers.get("Content-Range", ""))
        if match and int(match.group(1)) == have:
            return have, None if match.group(2) == "*" else int(match.group(2))
        raise BadItem("the server answered the resumed download with the wrong range")
    length = headers.get("Content-Length")
    return 0, int(length) if length and length.isdigit() else None


def _stream(response: object, part: Path, start: int, total: int | None,
            limits: DownloadLimits, progress: Progress | None) -> None:
    deadline = time.monotonic() + limits.total_timeout_s
    done = start
    part.parent.mkdir(parents=True, exist_ok=True)
    with open(part, "r+b" if start else "wb") as handle:
        handle.truncate(start)
        handle.seek(start)
        while True:
            try:
                block = response.read(CHUNK)  # type: ignore[attr-defined]
            except (TimeoutError, OSError, http.client.HTTPException) as exc:
                raise BadItem(f"the download stopped at {done} bytes ({exc or 'timed out'}); "
                              "run the import again to resume it") from None
            if not block:
                break
            done += len(block)
            if done > limits.max_bytes:
                handle.close()
                part.unlink(missing_ok=True)
                raise BadItem(f"the audio is over the {limits.max_bytes}-byte limit")
            handle.write(block)
            if progress is not None:
                progress(done, total)
            if time.monotonic() > deadline:
                raise BadItem(f"the download took over {limits.total_timeout_s:g} s (stopped at "
                              f"{done} bytes); run the import again to resume it")
        handle.flush()
        os.fsync(handle.fileno())
    if total is not None and done < total:
        raise BadItem(f"the download stopped at {done} of {total} bytes; run the import "
                      "again to resume it")
