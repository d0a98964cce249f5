"""S3: what the objects carry (Content-Type, Cache-Control, sha256), how unchanged objects are
recognised, and the one-line errors, against moto's S3 API server."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from showrunner.deploy.targets.s3 import client_error

from ..helpers import assert_one_line_error, run, write
from .conftest import add_deploy, s3_remote
from .remotes import deploy

SHORT, LONG, HOUR = "public, max-age=300", "public, max-age=31536000, immutable", \
    "public, max-age=3600"
EXPECTED = {
    "feed.xml": ("application/rss+xml", SHORT),
    "episodes/E1/index.html": ("text/html; charset=utf-8", SHORT),
    "episodes/E1/episode.mp3": ("audio/mpeg", LONG),
    "artwork.jpg": ("image/jpeg", LONG),
    "cover.png": ("image/png", LONG),
    "episodes/E1/transcript.vtt": ("text/vtt; charset=utf-8", HOUR),
    "episodes/E1/transcript.srt": ("application/x-subrip", HOUR),
    "episodes/E1/transcript.pc20.json": ("application/json", HOUR),
    "episodes/E1/transcript.html": ("text/html; charset=utf-8", HOUR),
    "episodes/E1/transcript.txt": ("text/plain; charset=utf-8", HOUR),
    "episodes/E1/chapters.json": ("application/json+chapters", HOUR),
    "style.css": ("text/css; charset=utf-8", HOUR),
}


@pytest.mark.usefixtures("aws")
def test_every_object_carries_its_type_cache_policy_and_sha256(published: Path,
                                                               s3_endpoint: str) -> None:
    write(published / "public", {"cover.png": b"\x89PNG\r\n\x1a\n", "style.css": "p {}\n",
                                 "episodes/E1/transcript.txt": "Jason Reed: Welcome.\n"})
    view = s3_remote(published, s3_endpoint)
    deploy(published)
    for name, (content_type, cache_control) in EXPECTED.items():
        head = view.head(name)
        assert (head["ContentType"], head["CacheControl"]) == (content_type, cache_control), name
        local = (published / "public" / name).read_bytes()
        assert head["Metadata"]["sha256"] == hashlib.sha256(local).hexdigest()
        assert head["ContentLength"] == len(local)


@pytest.mark.usefixtures("aws")
def test_an_object_whose_etag_is_not_its_md5_is_compared_by_sha256(published: Path,
                                                                   s3_endpoint: str) -> None:
    # A multipart upload's ETag is not the file's MD5: the sha256 in its metadata decides.
    view = s3_remote(published, s3_endpoint)
    audio = published / "public" / "episodes" / "E1" / "episode.mp3"
    sha = hashlib.sha256(audio.read_bytes()).hexdigest()
    multipart = TransferConfig(multipart_threshold=1, multipart_chunksize=5 * 1024 * 1024)
    view.client.upload_file(str(audio), view.bucket, "podcast/episodes/E1/episode.mp3",
                            ExtraArgs={"Metadata": {"sha256": sha}}, Config=multipart)
    view.client.upload_file(str(audio), view.bucket, "podcast/episodes/E2/episode.mp3",
                            Config=multipart)  # same bytes, but nothing says so
    assert "-" in view.head("episodes/E1/episode.mp3")["ETag"]
    result = deploy(published)
    assert "episodes/E1/episode.mp3" not in result.sent
    assert "episodes/E2/episode.mp3" in result.sent


def test_missing_credentials_are_one_line(published: Path, s3_endpoint: str,
                                          aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    s3_remote(published, s3_endpoint)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    assert_one_line_error(run(["deploy"], published), "no AWS credentials found",
                          "AWS_ACCESS_KEY_ID")


@pytest.mark.usefixtures("aws")
def test_a_bucket_that_does_not_exist_is_one_line(published: Path, s3_endpoint: str) -> None:
    add_deploy(published, f"deploy:\n  s3: {{bucket: no-such-show, endpoint_url: '{s3_endpoint}'}}\n")
    assert_one_line_error(run(["deploy"], published), "s3://no-such-show",
                          "bucket 'no-such-show' not found", "deploy.s3.bucket")


@pytest.mark.parametrize(("code", "status", "needles"), [
    ("AccessDenied", 403, ["permission denied", "s3:PutObject"]),
    ("InvalidAccessKeyId", 403, ["refused the AWS credentials", "AWS_PROFILE"]),
    ("NoSuchBucket", 404, ["bucket 'my-show' not found"]),
    ("SlowDown", 503, ["answered SlowDown", "run again to resume"]),
])
def test_answers_from_the_storage_service_become_one_line(code: str, status: int,
                                                          needles: list[str]) -> None:
    # The errors a real service sends for cases moto's server does not enforce (IAM).
    answer = {"Error": {"Code": code, "Message": "…"},
              "ResponseMetadata": {"HTTPStatusCode": status}}
    line = client_error(ClientError(answer, "PutObject"), "my-show", "s3://my-show").one_line()
    assert line.startswith("s3://my-show: ") and "\n" not in line
    assert all(needle in line for needle in needles), line
