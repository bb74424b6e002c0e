"""Writing files: atomic writes (a reader never sees half a file), output names, checks of ``-o`` paths."""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO

from ..errors import ConfigError, Errors


def temp_prefix(path: Path) -> str:
    """The name prefix of :func:`atomic_writers`' temporary files for ``path`` (``.claims.jsonl.``)."""
    return f".{path.name}."


TEMP_SUFFIX = ".tmp"


def is_special(path: str | Path) -> bool:
    """True for an existing device, FIFO or socket (symlinks followed): written by opening, never by rename."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def current_umask() -> int:
    """The process umask, read without changing it where /proc allows (os.umask can only set it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def atomic_writer(path: Path, *, binary: bool = False) -> Iterator[IO]:
    """Write ``path`` so that a reader never sees half a file (see :func:`atomic_writers`)."""
    with atomic_writers(path, binary=binary) as (fh,):
        yield fh


@contextmanager
def atomic_writers(*paths: Path, binary: bool = False) -> Iterator[list[IO]]:
    """Write several files together: each to a temporary file beside it, renamed into place at the end.

    All are written and synced before any is renamed, so a failure (a full disk) leaves
    every one of them as it was. A symlink is followed and its target replaced (the link
    stays); an existing device, FIFO or socket is opened and written in place, never
    replaced by a regular file. New files get ``0o666 & ~umask`` (mkstemp alone gives 0600).
    """
    with ExitStack() as stack:
        handles: list[IO] = []
        staged: list[tuple[IO, str, Path]] = []  # regular files: (handle, temporary file, target)
        for path in paths:
            target = Path(os.path.realpath(path))
            if is_special(target):
                handles.append(stack.enter_context(_open_special(target, binary)))
                continue
            if target.is_dir():
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=temp_prefix(target), suffix=TEMP_SUFFIX, dir=target.parent)
            stack.callback(Path(tmp).unlink, missing_ok=True)  # a no-op once renamed
            fh = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n")
            handles.append(stack.enter_context(fh))
            staged.append((fh, tmp, target))
        try:
            yield handles
            for fh, path in zip(handles, paths, strict=False):
                _named(fh.flush, path)
            mode = 0o666 & ~current_umask()
            for fh, _, target in staged:
                _named(lambda fh=fh: (os.fchmod(fh.fileno(), mode), os.fsync(fh.fileno())), target)
        except OSError as exc:
            if exc.filename is not None:
                raise
            # A full disk surfaces in write() or fsync(), which name no file: name the place.
            folders = {Path(os.path.realpath(p)).parent for p in paths}
            where = paths[0] if len(paths) == 1 else folders.pop() if len(folders) == 1 else paths[0]
            raise OSError(exc.errno, exc.strerror, str(where)) from exc
        for _, tmp, target in staged:
            os.replace(tmp, target)


def _named(step, path: Path) -> None:
    """Run ``step``; an OSError naming no file names ``path``."""
    try:
        step()
    except OSError as exc:
        if exc.filename is not None:
            raise
        raise OSError(exc.errno, exc.strerror, str(path)) from exc


@contextmanager
def _open_special(path: Path, binary: bool) -> Iterator[IO]:
    """Open a device or FIFO for writing; a FIFO nobody reads is an error (ENXIO), not a hang."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.ENXIO and stat.S_ISFIFO(os.stat(path).st_mode):
            raise OSError(exc.errno, "no process is reading this FIFO", str(path)) from None
        raise
    try:
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
    except OSError:
        os.close(fd)
        raise
    with os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
        yield fh


def errors_path_for(output: Path) -> Path:
    """``claims.jsonl`` -> ``claims.errors.jsonl``."""
    name = output.name
    stem = name[: -len(".jsonl")] if name.endswith(".jsonl") else output.stem
    return output.with_name(f"{stem}.errors.jsonl")


def check_output_path(path: Path) -> Path:
    """Refuse, before any work, an output path that cannot become a file.

    An existing folder, or a file where a parent folder should be, would otherwise fail
    only when the results are written, after all the reading and scoring; missing
    parent folders are fine (they are made, as for every claimx output).
    """
    if path.is_dir():
        raise ConfigError(Errors.E052, path=path, reason="is a folder; -o takes a file name")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ConfigError(Errors.E052, path=path, reason=f"{parent} is not a folder")
            break
    return path
