"""The files of public/ as a deploy sees them: name, size, hashes, Content-Type, Cache-Control,
and the step each one goes in (media and transcripts, then pages, then the feed)."""

from __future__ import annotations

import hashlib
import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import DeployError
from ..layout import (
    CHAPTERS_FILE,
    FEED_FILE,
    PAGE_FILE,
    TRANSCRIPT_FILES,
    TRANSCRIPT_FORMATS,
)

# The order a deploy sends things in: nothing a page or the feed names may arrive after them.
MEDIA, PAGES, FEED = 0, 1, 2
STEP_NAMES = ("media and transcripts", "pages", "feed")

_BY_NAME = {FEED_FILE: "application/rss+xml", CHAPTERS_FILE: "application/json+chapters",
            **{f.file: f.mime for f in TRANSCRIPT_FORMATS}}
_BY_SUFFIX = {".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".html": "text/html", ".css": "text/css",
              ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
              ".webp": "image/webp", ".svg": "image/svg+xml", ".vtt": "text/vtt",
              ".srt": "application/x-subrip", ".json": "application/json", ".txt": "text/plain",
              ".xml": "application/xml", ".js": "text/javascript"}

# Cache-Control. The feed and pages change when an episode is published: apps and browsers
# look again within five minutes. Audio and images keep their names for good, so caches keep
# them a year (a file replaced under the same name needs a CDN invalidation). The rest
# (transcripts, chapters, styles) may be corrected: an hour.
SHORT = "public, max-age=300"
LONG = "public, max-age=31536000, immutable"
MEDIUM = "public, max-age=3600"
_LONG_SUFFIXES = {".mp3", ".m4a", ".jpg", ".jpeg", ".png", ".webp"}


@dataclass(frozen=True)
class LocalFile:
    """One file of public/: `name` is its path there, with '/' (`episodes/E1/E1.mp3`)."""

    name: str
    path: Path
    size: int
    sha256: str
    md5: str

    @property
    def step(self) -> int:
        base = self.name.rsplit("/", 1)[-1]
        if self.name == FEED_FILE:
            return FEED
        if base == PAGE_FILE or (base.endswith(".html") and base not in TRANSCRIPT_FILES):
            return PAGES
        return MEDIA

    @property
    def content_type(self) -> str:
        base = self.name.rsplit("/", 1)[-1]
        suffix = os.path.splitext(base)[1].lower()
        kind = _BY_NAME.get(base) or _BY_SUFFIX.get(suffix) or \
            mimetypes.guess_type(base)[0] or "application/octet-stream"
        return f"{kind}; charset=utf-8" if kind.startswith("text/") else kind

    @property
    def cache_control(self) -> str:
        suffix = os.path.splitext(self.name)[1].lower()
        if self.step != MEDIA:
            return SHORT
        return LONG if suffix in _LONG_SUFFIXES else MEDIUM


def hidden(name: str) -> bool:
    """Dot-files (editor and temp files, showrunner's own state) are never sent or deleted."""
    return any(part.startswith(".") for part in name.split("/"))


def scan(public: Path) -> list[LocalFile]:
    """Every file under public/ except hidden ones, sorted by name."""
    if not public.is_dir():
        raise DeployError("there is nothing to deploy yet (no public/ folder)", path=public,
                          hint="run 'showrunner feed' first")
    found = []
    for folder, dirs, names in os.walk(public):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for base in names:
            path = Path(folder) / base
            name = path.relative_to(public).as_posix()
            if not hidden(name) and path.is_file():
                found.append(_local_file(name, path))
    return sorted(found, key=lambda f: f.name)


def _local_file(name: str, path: Path) -> LocalFile:
    sha, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    size = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
            md5.update(block)
            size += len(block)
    return LocalFile(name, path, size, sha.hexdigest(), md5.hexdigest())


def read_checked(file: LocalFile) -> bytes:
    """The file's bytes, refused if they changed since the plan was made (a build running)."""
    content = file.path.read_bytes()
    if hashlib.sha256(content).hexdigest() != file.sha256:
        raise changed_error(file)
    return content


def changed_error(file: LocalFile) -> DeployError:
    return DeployError("changed while deploying", path=file.path,
                       hint="let the build finish, then run 'showrunner deploy' again; the "
                            "remote feed is as it was")
