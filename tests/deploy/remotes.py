"""What a remote holds, read independently of showrunner (boto3 for S3, the file system for a
folder or the SSH server's folder)."""

from __future__ import annotations

import functools
import os
import shutil
from pathlib import Path
from typing import Any

from showrunner.config import load_show
from showrunner.deploy import DeployResult, deploy_show


class RemoteView:
    """The files a remote holds, by name under the deploy root."""

    def files(self) -> dict[str, bytes]:
        raise NotImplementedError

    def seed(self, show: Path) -> None:
        """Bring the remote to what a first deploy of `show` leaves."""
        deploy(show)


def deploy(show: Path, **options: Any) -> DeployResult:
    return deploy_show(load_show(show), quiet=True, **options)


class FolderView(RemoteView):
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def files(self) -> dict[str, bytes]:
        if not self.folder.is_dir():
            return {}
        found = {}
        for folder, _, names in os.walk(self.folder):
            for name in names:
                path = Path(folder) / name
                try:
                    found[path.relative_to(self.folder).as_posix()] = path.read_bytes()
                except FileNotFoundError:
                    # rsync's in-flight temp file (".feed.xml.TBugAk"), read mid-transfer:
                    # renamed away under us, it was never a file the remote serves.
                    continue
        return found


class RsyncView(FolderView):
    """The SSH server's folder, read directly (the server runs on this machine)."""

    def seed(self, show: Path) -> None:
        # What a first deploy leaves, without its four SSH logins (the first deploy itself is
        # tested on its own).
        shutil.copytree(show / "public", self.folder)


@functools.cache
def s3_client(endpoint: str) -> Any:
    """A client of the test's own, with its own keys (moto accepts any)."""
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


class S3View(RemoteView):
    def __init__(self, endpoint: str, bucket: str, prefix: str) -> None:
        self.bucket, self.prefix = bucket, prefix
        self.client = s3_client(endpoint)

    def files(self) -> dict[str, bytes]:
        listing = self.client.list_objects_v2(Bucket=self.bucket)
        found = {}
        for item in listing.get("Contents", []):
            key = item["Key"]
            assert key.startswith(f"{self.prefix}/"), f"{key} is outside the prefix"
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
            found[key[len(self.prefix) + 1:]] = body
        return found

    def head(self, name: str) -> dict[str, Any]:
        return dict(self.client.head_object(Bucket=self.bucket, Key=f"{self.prefix}/{name}"))


def public_files(show: Path) -> dict[str, bytes]:
    """What a deploy should leave remotely: public/ without its dot-files."""
    return {name: content for name, content in FolderView(show / "public").files().items()
            if not any(part.startswith(".") for part in name.split("/"))}
