"""`showrunner preview`: serve public/ on localhost the way a podcast host serves it.

Apple asks a host to answer HEAD and byte-range requests (206 Partial Content), which
`python -m http.server` does not. werkzeug's `send_from_directory` does both, refuses paths
that leave the folder, and answers conditional requests (ETag, If-Modified-Since).
"""

from __future__ import annotations

import mimetypes
import signal
import socket
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .model import Show

# Types Python's table may lack on a minimal machine: podcast apps and browsers check them.
for _type, _suffix in (("audio/mpeg", ".mp3"), ("text/vtt", ".vtt"),
                       ("application/x-subrip", ".srt"), ("application/rss+xml", ".xml")):
    mimetypes.add_type(_type, _suffix)

Application = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def public_app(folder: Path) -> Application:
    """A WSGI application serving `folder`: index.html for a folder, 404 outside it."""
    from werkzeug.exceptions import HTTPException, NotFound
    from werkzeug.utils import send_from_directory
    from werkzeug.wrappers import Request

    def application(environ: dict[str, Any], start_response: Callable[..., Any]
                    ) -> Iterable[bytes]:
        request = Request(environ)
        name = request.path.lstrip("/")
        if name == "" or name.endswith("/") or (folder / name).is_dir():
            name = f"{name.rstrip('/')}/index.html".lstrip("/")
        try:
            response = send_from_directory(folder, name, environ, max_age=0)
        except HTTPException as exc:
            response = exc.get_response(environ)
        except OSError:  # a file removed while it is being sent
            response = NotFound().get_response(environ)
        return response(environ, start_response)

    return application


def serve(show: Show, *, host: str, port: int,
          on_ready: Callable[[str], None]) -> None:
    """Serve the show's public/ until interrupted; `on_ready` gets the address."""
    from werkzeug.serving import make_server

    folder = show.public
    if not folder.is_dir():
        raise ConfigError("nothing to preview yet", path=folder,
                          hint="build it first: showrunner episode EPISODE_ID (or make site)")
    # Bound here, not by werkzeug, which prints its own message and exits on a busy port.
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
        listener.listen(64)
    except OSError as exc:
        listener.close()
        raise ConfigError(f"cannot listen on {host}:{port} ({exc.strerror})",
                          hint="pick another port with --port") from None
    server = make_server(host, port, public_app(folder), threaded=True, fd=listener.fileno())
    shown = f"[{host}]" if ":" in host else host
    on_ready(f"http://{shown}:{listener.getsockname()[1]}/")
    # Ctrl+C and a service manager's SIGTERM both stop it cleanly, even where SIGINT came
    # in ignored (a shell's background job), which would leave Ctrl+C doing nothing.
    previous = {number: signal.signal(number, _stop) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.serve_forever()  # returns on KeyboardInterrupt
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        server.server_close()
        listener.close()


def _stop(number: int, frame: object) -> None:
    raise KeyboardInterrupt
