"""A server over SSH, with rsync on both ends: `deploy: {rsync: user@host:/path}`.

Files are compared by content (`--checksum`); rsync writes each into a temp file on the server
and renames it, so a reader sees the old file or the new one. One rsync run per step of the
plan. SSH is configured as usual (~/.ssh/config, the agent, RSYNC_RSH), or by `deploy.ssh`:
port, identity (a private key file) and known_hosts.
"""

from __future__ import annotations

import contextlib
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from typing import IO

from ...errors import DeployError
from ...model import DeploySettings, Show
from ..files import LocalFile, hidden
from .base import Remote, Sent, Target
from .ssh import shared, ssh_command

# Dot-files are never sent nor deleted; a symbolic link is sent as the file it points to (as
# the other targets do); names are logged as they are (the plan matches them).
_BASE = ("--recursive", "--checksum", "--exclude=.*", "--copy-links", "--8-bit-output")


class RsyncTarget(Target):
    kind = "rsync"

    def __init__(self, source: str, destination: str, ssh: list[str] | None) -> None:
        self.source, self.destination, self.ssh = source, destination, ssh
        self.rsh = ssh  # the ssh command of each rsync run: once open, the shared connection

    @classmethod
    def from_settings(cls, settings: DeploySettings, show: Show) -> RsyncTarget:
        assert settings.rsync is not None
        if shutil.which("rsync") is None:
            raise DeployError("rsync is not installed here", hint="install it (apt-get "
                              "install rsync); the server needs it too")
        return cls(f"{show.public}/", settings.rsync.rstrip("/") + "/", ssh_command(settings))

    def describe(self) -> str:
        return self.destination.rstrip("/")

    @contextlib.contextmanager
    def open(self) -> Iterator[None]:
        """One SSH login for the whole deploy (not with RSYNC_RSH: that command is yours)."""
        if self.ssh is None:
            yield
            return
        with shared(self.ssh, self.destination,
                    lambda code, stderr: rsync_error(code, stderr, self.describe())) as rsh:
            self.rsh = rsh
            try:
                yield
            finally:
                self.rsh = self.ssh

    def compare(self, files: Sequence[LocalFile]) -> Remote:
        # A dry run with --delete lists what would be sent and what would go; nothing changes.
        out, _ = self._run(["--dry-run", "--delete", "--itemize-changes", "--out-format=%i %n"])
        by_name = {f.name: f for f in files}
        changed, extra = [], []
        for line in out.splitlines():
            code, _, name = line.partition(" ")
            name = name.strip()
            if code == "*deleting" and not name.endswith("/") and not hidden(name):
                extra.append(name)
            elif code[:1] in "<>c" and code[1:2] == "f" and name in by_name:
                changed.append(by_name[name])
        order = {f.name: i for i, f in enumerate(files)}
        return Remote(tuple(sorted(changed, key=lambda f: order[f.name])), tuple(sorted(extra)))

    def send(self, files: Sequence[LocalFile], sent: Sent) -> None:
        by_name = {f.name: f for f in files}

        def logged(line: str) -> None:  # rsync names each file it sent (and each folder)
            if line in by_name:
                sent(by_name[line])

        with tempfile.NamedTemporaryFile("w", suffix=".list") as listing:
            listing.write("\0".join(by_name))
            listing.flush()
            self._run([f"--files-from={listing.name}", "--from0", "--out-format=%n"], logged)

    def delete(self, names: Sequence[str]) -> None:
        # --existing with --ignore-existing updates nothing: this run only deletes.
        self._run(["--delete", "--existing", "--ignore-existing"])

    def _run(self, options: list[str],
             on_line: Callable[[str], None] | None = None) -> tuple[str, str]:
        rsh = ["-e", shlex.join(self.rsh)] if self.rsh else []
        command = ["rsync", *_BASE, *rsh, *options, self.source, self.destination]
        lines: list[str] = []
        with tempfile.TemporaryFile("w+") as errors:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors,
                                       stdin=subprocess.DEVNULL, text=True)
            try:
                _read(process.stdout, lines, on_line)
                code = process.wait()
            finally:  # interrupted: stop rsync; its temp file on the server is removed
                if process.poll() is None:
                    process.kill()
                    process.wait()
            errors.seek(0)
            stderr = errors.read()
        if code != 0:
            raise rsync_error(code, stderr, self.describe())
        return "\n".join(lines), stderr


def _read(stream: IO[str] | None, lines: list[str],
          on_line: Callable[[str], None] | None) -> None:
    assert stream is not None
    for raw in stream:
        line = raw.rstrip("\n")
        lines.append(line)
        if on_line is not None:
            on_line(line)


def rsync_error(code: int, stderr: str, where: str) -> DeployError:
    """One line for a failed rsync run, from what it and ssh wrote on stderr."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    text = " ".join(lines)
    rules = (
        ("No space left on device", "the server's disk is full",
         "free space on the server; the remote feed is as it was, and the next deploy resumes"),
        ("Permission denied (publickey", "the server refused the login (permission denied)",
         "check the user, the key (deploy.ssh.identity) and the server's authorized_keys"),
        ("Host key verification failed", "the server's host key is unknown or has changed",
         "connect once with ssh to check and accept it, or set deploy.ssh.known_hosts"),
        ("Permission denied", "cannot write on the server (permission denied)",
         "make the folder writable by the user that deploys"),
        ("command not found", "rsync is not installed on the server", "install it there"),
        ("failed: No such file or directory", "the folder does not exist on the server",
         "create its parent folder there (rsync makes only the last one)"),
        ("Connection refused", "cannot reach the server (connection refused)",
         "check the host name and deploy.ssh.port"),
        ("Could not resolve hostname", "cannot reach the server (unknown host name)",
         "check the host name in deploy.rsync"),
        ("timed out", "cannot reach the server (timed out)", "check the host and the network"),
    )
    for needle, what, hint in rules:
        if needle in text:
            return DeployError(f"{where}: {what}", hint=hint)
    last = lines[-1] if lines else f"exit status {code}"
    return DeployError(f"{where}: rsync failed: {last}",
                       hint="fix that and deploy again; the remote feed is as it was")

