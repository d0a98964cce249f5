"""rsync over SSH: the one-line errors of a refused key, an unknown host key and a closed port,
against a real sshd on 127.0.0.1; and what rsync's own failures read as."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from showrunner.deploy.targets.rsync import rsync_error
from showrunner.deploy.targets.ssh import login

from ..helpers import assert_one_line_error, run
from .conftest import add_deploy
from .servers import Sshd, _free_port


def test_a_key_the_server_does_not_know_is_one_line(published: Path, ssh_server: Sshd,
                                                    tmp_path: Path) -> None:
    stranger = tmp_path / "stranger"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(stranger)],
                   check=True)
    section = ssh_server.deploy_yaml(tmp_path / "www")
    add_deploy(published, section.replace(str(ssh_server.identity), str(stranger)))
    assert_one_line_error(run(["deploy"], published), "refused the login",
                          "deploy.ssh.identity")
    assert not (tmp_path / "www").exists()


def test_an_unknown_host_key_is_one_line(published: Path, ssh_server: Sshd,
                                         tmp_path: Path) -> None:
    (tmp_path / "known_hosts").write_text("")
    section = ssh_server.deploy_yaml(tmp_path / "www")
    add_deploy(published, section.replace(str(ssh_server.known_hosts),
                                          str(tmp_path / "known_hosts")))
    assert_one_line_error(run(["deploy"], published), "host key is unknown",
                          "deploy.ssh.known_hosts")


def test_a_closed_port_is_one_line(published: Path, ssh_server: Sshd, tmp_path: Path) -> None:
    section = ssh_server.deploy_yaml(tmp_path / "www")
    add_deploy(published, section.replace(f"port: {ssh_server.port}", f"port: {_free_port()}"))
    assert_one_line_error(run(["deploy"], published), "cannot reach the server",
                          "connection refused")


@pytest.mark.parametrize(("stderr", "needle"), [
    ('rsync: [receiver] write failed on "/srv/www/episodes/E1/episode.mp3": No space left on '
     'device (28)\nrsync error: error in file IO (code 11) at receiver.c(381)',
     "the server's disk is full"),
    ('rsync: [receiver] mkstemp "/srv/www/.feed.xml.Xq2" failed: Permission denied (13)\n'
     "rsync error: some files/attrs were not transferred (code 23) at main.c(1338)",
     "cannot write on the server (permission denied)"),
    ("bash: line 1: rsync: command not found\nrsync: connection unexpectedly closed",
     "rsync is not installed on the server"),
    ("rsync: something new\nrsync error: unexplained error (code 255) at io.c(232)",
     "rsync failed: rsync error: unexplained error"),
])
def test_rsync_failures_read_as_one_line(stderr: str, needle: str) -> None:
    line = rsync_error(12, stderr, "deploy@example.com:/srv/www").one_line()
    assert line.startswith("deploy@example.com:/srv/www: ") and needle in line
    assert "\n" not in line and " — " in line


@pytest.mark.parametrize(("destination", "expected"), [
    ("deploy@example.com:/srv/www", "deploy@example.com"), ("example.com:www", "example.com"),
    ("deploy@[2001:db8::1]:/srv/www", "deploy@2001:db8::1"),
])
def test_login_is_read_from_the_destination(destination: str, expected: str) -> None:
    assert login(destination) == expected
