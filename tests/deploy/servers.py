"""Real servers for the deploy tests, on 127.0.0.1 only, each started and stopped by a test
fixture: an S3 API (moto's threaded server), an OpenSSH server with a throwaway key, and an HTTP
server that records the notifications it receives."""

from __future__ import annotations

import contextlib
import getpass
import http.server
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path


@contextlib.contextmanager
def s3_server() -> Iterator[str]:
    """moto's S3 API on a free port; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@dataclass(frozen=True)
class Sshd:
    """A running sshd: log in as `user` on 127.0.0.1:`port` with `identity`."""

    port: int
    user: str
    identity: Path
    known_hosts: Path
    folder: Path

    def deploy_yaml(self, remote: Path) -> str:
        return (f"deploy:\n  rsync: {self.user}@127.0.0.1:{remote}\n"
                f"  ssh: {{port: {self.port}, identity: {self.identity}, "
                f"known_hosts: {self.known_hosts}}}\n")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _keygen(path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "showrunner-test",
                    "-f", str(path)], check=True)


def _sshd_config(folder: Path, port: int) -> Path:
    config = folder / "sshd_config"
    config.write_text(f"""\
Port {port}
ListenAddress 127.0.0.1
HostKey {folder / "host_key"}
AuthorizedKeysFile {folder / "authorized_keys"}
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
PidFile none
LogLevel ERROR
""")
    return config


@contextlib.contextmanager
def sshd(folder: Path) -> Iterator[Sshd]:
    """An sshd of its own (own host key, own config, own authorized key) on a free port."""
    binary = shutil.which("sshd") or "/usr/sbin/sshd"
    assert Path(binary).is_file(), "sshd is missing: `make test` installs openssh-server"
    if os.geteuid() == 0:  # what the system service's RuntimeDirectory would provide
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    _keygen(folder / "host_key")
    _keygen(folder / "client_key")
    shutil.copyfile(folder / "client_key.pub", folder / "authorized_keys")
    port = _free_port()
    log = folder / "sshd.log"
    with open(log, "w") as stderr:
        process = subprocess.Popen([binary, "-D", "-e", "-f", str(_sshd_config(folder, port))],
                                   stderr=stderr, stdin=subprocess.DEVNULL)
    try:
        _wait_for_port(port, process, log)
        known_hosts = folder / "known_hosts"
        known_hosts.write_text(f"[127.0.0.1]:{port} {(folder / 'host_key.pub').read_text()}")
        yield Sshd(port, getpass.getuser(), folder / "client_key", known_hosts, folder)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        assert process.poll() is None, f"sshd exited: {log.read_text()}"
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise AssertionError(f"sshd did not listen on {port}: {log.read_text()}")


@dataclass
class Received:
    method: str
    path: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    probed: object = None  # what `probe()` returned when the request came in


@contextlib.contextmanager
def http_receiver(probe: Callable[[], object] = lambda: None,
                  ) -> Iterator[tuple[str, list[Received]]]:
    """An HTTP server answering 204 to anything; yields its base URL and what it received."""
    received: list[Received] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _record(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            received.append(Received(self.command, self.path, self.rfile.read(length),
                                     dict(self.headers.items()), probe()))
            self.send_response(204)
            self.end_headers()

        do_GET = do_POST = _record

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
