"""show.yaml's `deploy:` section: each kind of target reads into DeploySettings, and every
mistake is one line naming the setting and how to fix it."""

from __future__ import annotations

from pathlib import Path

import pytest

from showrunner.config import load_show

from .helpers import assert_one_line_error, make_show, run, tree_hashes


def _show(tmp_path: Path, section: str) -> Path:
    show = make_show(tmp_path / "show")
    with open(show / "show.yaml", "a", encoding="utf-8") as handle:
        handle.write(section)
    return show


def test_an_s3_target(tmp_path: Path) -> None:
    show = _show(tmp_path, "deploy:\n  s3: {bucket: my-show, prefix: /podcast/, "
                           "endpoint_url: 'https://s3.example.com', region: eu-central-1}\n"
                           "  notify: {websub: 'https://hub.example.com/'}\n")
    settings = load_show(show).deploy
    assert settings is not None and settings.kind == "s3"
    assert (settings.s3_bucket, settings.s3_prefix, settings.s3_endpoint_url,
            settings.s3_region) == ("my-show", "podcast", "https://s3.example.com",
                                    "eu-central-1")
    assert settings.websub_hub == "https://hub.example.com/" and settings.ping_url is None


def test_an_rsync_target_with_ssh_options(tmp_path: Path) -> None:
    show = _show(tmp_path, "deploy:\n  rsync: deploy@example.com:/srv/www/\n"
                           "  ssh: {port: 2222, identity: keys/deploy, known_hosts: ~/kh}\n")
    settings = load_show(show).deploy
    assert settings is not None and settings.kind == "rsync"
    assert settings.rsync == "deploy@example.com:/srv/www/" and settings.ssh_port == 2222
    assert settings.ssh_identity == show / "keys" / "deploy"
    assert settings.ssh_known_hosts == Path.home() / "kh"


def test_a_folder_target_and_no_target(tmp_path: Path) -> None:
    settings = load_show(_show(tmp_path, "deploy:\n  folder: /srv/www\n")).deploy
    assert settings is not None and (settings.kind, settings.folder) == ("folder", Path("/srv/www"))
    assert load_show(make_show(tmp_path / "plain")).deploy is None


BAD = [
    ("no target", "deploy:\n  notify: {ping: 'https://example.com/ping'}\n",
     ["'deploy' names no target", "rsync: user@host:/path"]),
    ("two targets", "deploy:\n  folder: /srv/www\n  rsync: a@b:/c\n",
     ["'deploy' names 2 targets (rsync, folder)", "keep one"]),
    ("ssh without rsync", "deploy:\n  folder: /srv/www\n  ssh: {port: 22}\n",
     ["'deploy.ssh' is set but the target is not rsync"]),
    ("rsync without a folder", "deploy:\n  rsync: example.com\n",
     ["'deploy.rsync' is 'example.com', not user@host:/path"]),
    ("rsync option injection", "deploy:\n  rsync: '-e sh:/x'\n", ["not user@host:/path"]),
    ("a bucket URL", "deploy:\n  s3: {bucket: 's3://my-show/podcast'}\n",
     ["'deploy.s3.bucket'", "not a bucket name", "prefix"]),
    ("no bucket", "deploy:\n  s3: {prefix: podcast}\n", ["'deploy.s3.bucket' is missing"]),
    ("a prefix climbing out", "deploy:\n  s3: {bucket: my-show, prefix: a/../b}\n",
     ["'deploy.s3.prefix'"]),
    ("a mail hub", "deploy:\n  folder: /srv\n  notify: {websub: 'mailto:hub@example.com'}\n",
     ["'deploy.notify.websub'", "not a web address"]),
    ("a typo", "deploy:\n  foldr: /srv/www\n", ["'deploy.foldr' is not a known setting",
                                                "did you mean 'deploy.folder'"]),
    ("a port out of range", "deploy:\n  rsync: a@b:/c\n  ssh: {port: 70000}\n",
     ["'deploy.ssh.port'", "above the maximum 65535"]),
    ("credentials", "deploy:\n  s3: {bucket: my-show, secret_access_key: x}\n",
     ["'deploy.s3.secret_access_key' is not a known setting"]),
]


@pytest.mark.parametrize(("section", "needles"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_a_bad_deploy_section_is_one_line(tmp_path: Path, section: str,
                                          needles: list[str]) -> None:
    show = _show(tmp_path, section)
    before = tree_hashes(show)
    assert_one_line_error(run(["deploy"], show), "show.yaml", *needles)
    assert tree_hashes(show) == before


def test_deploy_without_a_deploy_section_says_how_to_add_one(tmp_path: Path) -> None:
    assert_one_line_error(run(["deploy"], make_show(tmp_path / "show")),
                          "show.yaml has no 'deploy:' section", "deploy: {folder:")
