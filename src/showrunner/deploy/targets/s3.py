"""S3-compatible object storage through boto3 (AWS, Cloudflare R2, Backblaze B2, MinIO, …).

Each object carries its sha256 in its metadata (`x-amz-meta-sha256`). An object whose ETag is
the file's MD5 (a plain upload) is known unchanged from the listing alone; any other is asked
for its sha256. A PUT is atomic: readers see the old object or the new one. Credentials come
from the usual AWS environment variables, shared files or profile, never from show.yaml.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from ...errors import DeployError
from ...model import DeploySettings, Show
from ..files import LocalFile, hidden, read_checked
from .base import Remote, Sent, Target

_CREDENTIALS_HINT = ("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (or "
                     "deploy.s3.profile) naming a profile in ~/.aws/credentials")


class S3Target(Target):
    kind = "s3"

    def __init__(self, client: Any, bucket: str, prefix: str) -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix

    @classmethod
    def from_settings(cls, settings: DeploySettings, show: Show) -> S3Target:
        assert settings.s3_bucket is not None
        return cls(_client(settings), settings.s3_bucket, settings.s3_prefix)

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}".rstrip("/")

    def key(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name

    def compare(self, files: Sequence[LocalFile]) -> Remote:
        listing = self._listing()
        changed = tuple(f for f in files if not self._holds(f, listing.get(f.name)))
        names = {f.name for f in files}
        return Remote(changed, tuple(sorted(n for n in listing if n not in names)))

    def send(self, files: Sequence[LocalFile], sent: Sent) -> None:
        for file in files:
            with self._errors():
                self.client.put_object(
                    Bucket=self.bucket, Key=self.key(file.name), Body=read_checked(file),
                    ContentType=file.content_type, CacheControl=file.cache_control,
                    Metadata={"sha256": file.sha256})
            sent(file)

    def delete(self, names: Sequence[str]) -> None:
        for start in range(0, len(names), 1000):  # DeleteObjects takes 1000 keys at a time
            batch = [{"Key": self.key(name)} for name in names[start:start + 1000]]
            with self._errors():
                answer = self.client.delete_objects(Bucket=self.bucket,
                                                    Delete={"Objects": batch, "Quiet": True})
            for failed in answer.get("Errors", [])[:1]:
                raise _fail(self.describe(), f"could not delete {failed.get('Key')}: "
                            f"{failed.get('Message') or failed.get('Code')}",
                            _permission_hint(self.bucket))

    def _listing(self) -> dict[str, tuple[int, str]]:
        """name -> (size, ETag) of every object under the prefix, hidden names left out."""
        start = f"{self.prefix}/" if self.prefix else ""
        found: dict[str, tuple[int, str]] = {}
        with self._errors():
            for page in self.client.get_paginator("list_objects_v2").paginate(
                    Bucket=self.bucket, Prefix=start):
                for item in page.get("Contents", []):
                    name = item["Key"][len(start):]
                    if name and not hidden(name) and not name.endswith("/"):
                        found[name] = (int(item["Size"]), str(item.get("ETag", "")).strip('"'))
        return found

    def _holds(self, file: LocalFile, there: tuple[int, str] | None) -> bool:
        if there is None or there[0] != file.size:
            return False
        if there[1] == file.md5:
            return True
        with self._errors():
            head = self.client.head_object(Bucket=self.bucket, Key=self.key(file.name))
        return bool(head.get("Metadata", {}).get("sha256") == file.sha256)

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield
        except ClientError as exc:
            raise client_error(exc, self.bucket, self.describe()) from exc
        except BotoCoreError as exc:
            raise botocore_error(exc, self.describe()) from exc


def _client(settings: DeploySettings) -> Any:
    try:
        import boto3
        from botocore.config import Config
        from botocore.exceptions import BotoCoreError
    except ImportError:
        raise DeployError("deploying to S3 needs boto3, which is not installed",
                          hint="pip install 'showrunner[deploy]'") from None
    where = f"s3://{settings.s3_bucket}"
    try:
        session = boto3.session.Session(profile_name=settings.s3_profile,
                                        region_name=settings.s3_region)
        if session.get_credentials() is None:
            raise _fail(where, "no AWS credentials found", _CREDENTIALS_HINT)
        # Checksums only where S3 requires them: several S3-compatible stores refuse the
        # newer default ones.
        config = Config(connect_timeout=10, read_timeout=60,
                        retries={"max_attempts": 3, "mode": "standard"},
                        request_checksum_calculation="when_required",
                        response_checksum_validation="when_required")
        return session.client("s3", endpoint_url=settings.s3_endpoint_url, config=config)
    except BotoCoreError as exc:
        raise botocore_error(exc, where) from exc


def client_error(exc: Any, bucket: str, where: str) -> DeployError:
    """One line for an error answer from the storage service."""
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if code == "NoSuchBucket":
        return _fail(where, f"bucket '{bucket}' not found",
                     "create it, or fix deploy.s3.bucket (and endpoint_url or region) in "
                     "show.yaml")
    if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken",
                "InvalidToken", "TokenRefreshRequired"):
        return _fail(where, f"the storage service refused the AWS credentials ({code})",
                     _CREDENTIALS_HINT)
    if code in ("AccessDenied", "AllAccessDisabled", "Forbidden", "403") or status == 403:
        return _fail(where, "permission denied", _permission_hint(bucket))
    message = error.get("Message") or code or str(exc)
    return _fail(where, f"the storage service answered {code or status}: {message}",
                 "check deploy.s3 in show.yaml; run again to resume")


def botocore_error(exc: Exception, where: str) -> DeployError:
    """One line for a failure before any answer: no credentials, no connection, no profile."""
    from botocore.exceptions import (
        ConnectionError,
        NoCredentialsError,
        PartialCredentialsError,
        ProfileNotFound,
    )

    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return _fail(where, "no AWS credentials found", _CREDENTIALS_HINT)
    if isinstance(exc, ProfileNotFound):
        return _fail(where, str(exc), _CREDENTIALS_HINT)
    if isinstance(exc, ConnectionError):
        return _fail(where, f"cannot reach the storage service ({exc})",
                     "check deploy.s3.endpoint_url and the network; run again to resume")
    return _fail(where, f"S3 failed: {exc}", "run again to resume")


def _permission_hint(bucket: str) -> str:
    return (f"the credentials in use may not write to bucket '{bucket}': allow s3:ListBucket, "
            "s3:GetObject, s3:PutObject and s3:DeleteObject")


def _fail(where: str, message: str, hint: str) -> DeployError:
    # The location is a URL, not a file path: it leads the message instead of `path=`.
    return DeployError(f"{where}: {message}", hint=hint)
