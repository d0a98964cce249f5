"""The SSH side of the rsync target: the ssh command `deploy.ssh` describes, and one connection
shared by every rsync run of a deploy (one login, at most one passphrase prompt)."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from ...model import DeploySettings

_LOGIN = re.compile(r"^([^@\[\]:/]+@)?(?:\[([^\]]+)\]|([^:/\[\]]+)):")


def ssh_command(settings: DeploySettings) -> list[str] | None:
    """The ssh command rsync runs; None leaves it to RSYNC_RSH (when deploy.ssh is unset)."""
    options = []
    if settings.ssh_port is not None:
        options += ["-p", str(settings.ssh_port)]
    if settings.ssh_identity is not None:
        options += ["-i", str(settings.ssh_identity), "-o", "IdentitiesOnly=yes"]
    if settings.ssh_known_hosts is not None:
        options += ["-o", f"UserKnownHostsFile={settings.ssh_known_hosts}"]
    if not options and os.environ.get("RSYNC_RSH"):
        return None
    if not sys.stdin.isatty():  # no one to type a passphrase: fail instead of waiting
        options += ["-o", "BatchMode=yes"]
    return ["ssh", *options, "-o", "ConnectTimeout=15"]


def login(destination: str) -> str:
    """`user@host:/path` -> `user@host`; `user@[::1]:/path` -> `user@::1`."""
    match = _LOGIN.match(destination)
    assert match is not None, destination  # show.yaml's check lets only these through
    return (match.group(1) or "") + (match.group(2) or match.group(3))


@contextlib.contextmanager
def shared(ssh: list[str], destination: str,
           failed: Callable[[int, str], Exception]) -> Iterator[list[str]]:
    """Log in once; yield the ssh command that reuses that connection while the block runs.
    A failed login raises `failed(exit status, what ssh wrote on stderr)`."""
    where = login(destination)
    with tempfile.TemporaryDirectory(prefix="showrunner-ssh-") as folder, \
            tempfile.TemporaryFile("w+") as errors:
        control = ["-o", f"ControlPath={folder}/master"]
        master = subprocess.Popen([*ssh, *control, "-o", "ControlMaster=yes", "-N", where],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=errors)
        try:
            _wait_until_ready(master, Path(folder) / "master", errors, failed)
            yield [*ssh, *control, "-o", "ControlMaster=no"]
        finally:
            subprocess.run([*ssh, *control, "-O", "exit", where], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           check=False, timeout=15)
            _stop(master)


def _wait_until_ready(master: subprocess.Popen[bytes], socket: Path, errors: IO[str],
                      failed: Callable[[int, str], Exception]) -> None:
    # ssh opens the control socket once the login has succeeded.
    while not socket.exists():
        if master.poll() is not None:
            errors.seek(0)
            raise failed(master.returncode, errors.read())
        time.sleep(0.02)


def _stop(master: subprocess.Popen[bytes]) -> None:
    if master.poll() is None:
        master.terminate()
        try:
            master.wait(timeout=5)
        except subprocess.TimeoutExpired:
            master.kill()
            master.wait()
