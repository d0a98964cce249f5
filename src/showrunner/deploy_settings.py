"""show.yaml's `deploy:` section: its schema, and the checks that make it a `DeploySettings`.

    deploy:
      s3: {bucket: my-show, prefix: podcast, endpoint_url: https://…, region: eu-central-1}
      # or  rsync: deploy@example.com:/var/www/show     (with ssh: {port, identity, known_hosts})
      # or  folder: /var/www/show
      notify: {websub: https://pubsubhubbub.appspot.com/, ping: https://…/pubnotify}

Exactly one target per show. Credentials never live here: S3 reads the usual AWS environment
variables or profile (`profile:` names one), SSH reads the usual keys, agent and ~/.ssh/config.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .layout import SHOW_FILE
from .model import DeploySettings
from .schema import Field, Obj

DEPLOY_SCHEMA = Obj({
    "s3": Obj({"bucket": Field(required=True, example="my-show"),
               "prefix": Field(example="podcast"),
               "endpoint_url": Field("url", example="https://s3.eu-central-1.amazonaws.com"),
               "region": Field(example="eu-central-1"),
               "profile": Field(example="showrunner")}),
    "rsync": Field(example="deploy@example.com:/var/www/show"),
    "ssh": Obj({"port": Field("int", minimum=1, maximum=65535, example="2222"),
                "identity": Field("path", example="~/.ssh/show_deploy"),
                "known_hosts": Field("path", example="~/.ssh/known_hosts")}),
    "folder": Field("path", example="/var/www/show"),
    "notify": Obj({"websub": Field("url", example="https://pubsubhubbub.appspot.com/"),
                   "ping": Field("url", example="https://example.com/pubnotify")}),
}, example="{folder: /var/www/show}")

KINDS = ("s3", "rsync", "folder")
_RSYNC = re.compile(r"^(?:[A-Za-z0-9_][\w.+-]*@)?(?:[A-Za-z0-9][\w.-]*|\[[0-9A-Fa-f:.]+\]):(.+)$")
_BUCKET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$")
_TARGETS_HINT = "write one of: s3: {bucket: my-show}, rsync: user@host:/path, folder: /path"


def deploy_settings(clean: dict[str, Any] | None, root: Path) -> DeploySettings | None:
    """The checked `deploy:` section (already validated against DEPLOY_SCHEMA), or None."""
    if clean is None:
        return None
    path = root / SHOW_FILE
    kinds = [kind for kind in KINDS if kind in clean]
    if not kinds:
        raise ConfigError("'deploy' names no target", path=path, hint=_TARGETS_HINT)
    if len(kinds) > 1:
        raise ConfigError(f"'deploy' names {len(kinds)} targets ({', '.join(kinds)}); a show "
                          "deploys to one", path=path, hint="keep one and remove the others")
    if "ssh" in clean and kinds != ["rsync"]:
        raise ConfigError("'deploy.ssh' is set but the target is not rsync", path=path,
                          hint="remove 'ssh:', or deploy with 'rsync: user@host:/path'")
    notify = clean.get("notify") or {}
    for key in ("websub", "ping"):
        _web(notify.get(key), f"deploy.notify.{key}", path)
    return DeploySettings(kind=kinds[0], **_s3(clean.get("s3"), path),
                          **_rsync(clean.get("rsync"), clean.get("ssh") or {}, root, path),
                          folder=_local(clean.get("folder"), root, "deploy.folder"),
                          websub_hub=notify.get("websub"), ping_url=notify.get("ping"))


def _s3(s3: dict[str, Any] | None, path: Path) -> dict[str, Any]:
    if s3 is None:
        return {}
    bucket = s3["bucket"].strip()
    if bucket.startswith("s3://") or not _BUCKET.match(bucket):
        raise ConfigError(f"'deploy.s3.bucket' is {bucket!r}, not a bucket name", path=path,
                          hint="write only the bucket's name, e.g. my-show; the folder inside "
                               "it goes in 'prefix:'")
    prefix = (s3.get("prefix") or "").strip().strip("/")
    if ".." in prefix.split("/") or "//" in prefix:
        raise ConfigError(f"'deploy.s3.prefix' is {prefix!r}", path=path,
                          hint="write a plain folder name such as podcast or shows/workbench")
    _web(s3.get("endpoint_url"), "deploy.s3.endpoint_url", path)
    return {"s3_bucket": bucket, "s3_prefix": prefix, "s3_endpoint_url": s3.get("endpoint_url"),
            "s3_region": s3.get("region"), "s3_profile": s3.get("profile")}


def _rsync(destination: str | None, ssh: dict[str, Any], root: Path,
           path: Path) -> dict[str, Any]:
    if destination is None:
        return {}
    match = _RSYNC.match(destination.strip())
    if match is None or not match.group(1).strip():
        raise ConfigError(f"'deploy.rsync' is {destination!r}, not user@host:/path", path=path,
                          hint="write the server and folder, e.g. "
                               "deploy@example.com:/var/www/show")
    return {"rsync": destination.strip(), "ssh_port": ssh.get("port"),
            "ssh_identity": _local(ssh.get("identity"), root, "deploy.ssh.identity"),
            "ssh_known_hosts": _local(ssh.get("known_hosts"), root, "deploy.ssh.known_hosts")}


def _web(url: str | None, where: str, path: Path) -> None:
    if url is not None and not url.startswith(("http://", "https://")):
        raise ConfigError(f"'{where}' is {url!r}, not a web address", path=path,
                          hint="write a full address starting with https://")


def _local(value: str | None, root: Path, where: str) -> Path | None:
    # `~` is the producer's home; anything else relative is relative to the show folder.
    if not value:
        return None
    try:
        return root / Path(value).expanduser()
    except RuntimeError:  # ~someone, and there is no such user
        raise ConfigError(f"'{where}' is {value!r}: no such home folder",
                          path=root / SHOW_FILE, hint="write the full path") from None
