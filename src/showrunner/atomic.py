"""Every file the product writes goes through here: temp file in the same folder, fsync, rename."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .errors import OutputError

TMP_SUFFIX = ".showrunner-tmp"
_TMP_PID = re.compile(r"\.(\d+)\.(?:[^.]+\.)?showrunner-tmp")


def write_bytes(path: Path, content: bytes) -> None:
    """Atomically replace `path` with `content`; readers see the old or the new file, never half."""
    with replacing(path) as handle:
        handle.write(content)


def write_text(path: Path, content: str) -> None:
    """Atomically replace `path` with UTF-8 `content`."""
    write_bytes(path, content.encode("utf-8"))


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[IO[bytes]]:
    """Yield a binary handle whose content replaces `path` only if the block completes."""
    path = Path(path)
    _make_folder(path.parent)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=TMP_SUFFIX,
                                        dir=path.parent)
    except OSError as exc:
        raise _output_error(path, exc) from exc
    tmp = Path(tmp_name)
    with _removed_on_failure(tmp, path):
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        _fsync_folder(path.parent)


@contextlib.contextmanager
def temporary_path(path: Path) -> Iterator[Path]:
    """Yield a temp path beside `path` for tools that write files themselves (ffmpeg);
    it is renamed onto `path` only if the block completes."""
    path = Path(path)
    _make_folder(path.parent)
    tmp = path.parent / f".{path.stem}.{os.getpid()}.{TMP_SUFFIX[1:]}{path.suffix}"
    with _removed_on_failure(tmp, path):
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        _fsync_folder(path.parent)


@contextlib.contextmanager
def _removed_on_failure(tmp: Path, path: Path) -> Iterator[None]:
    """Delete `tmp` if the block fails; an OS error becomes one line naming `path`."""
    try:
        yield
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _output_error(path, exc) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def sweep_stale(folder: Path) -> list[Path]:
    """Remove temp files left in `folder` by a process that was killed mid-write."""
    removed = []
    for tmp in folder.glob(f".*{TMP_SUFFIX}*"):
        match = _TMP_PID.search(tmp.name)
        if match and not _alive(int(match.group(1))):
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _output_error(folder, exc) from exc


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _output_error(path: Path, exc: OSError) -> OutputError:
    if exc.errno == errno.ENOSPC:
        return OutputError("the disk is full; nothing was changed", path=path,
                           hint="free some space and run the command again")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError("cannot write here (permission denied); nothing was changed", path=path,
                           hint="make the folder writable (chmod u+w) or run from a writable copy")
    return OutputError(f"cannot write: {exc.strerror or exc}", path=path,
                       hint="check the folder exists and is writable")


def sha256(path: Path) -> str:
    """Hex sha256 of the file's bytes (what says "this file has not changed")."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
