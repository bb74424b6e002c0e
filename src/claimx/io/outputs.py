"""Where a batch run may write: what ``-o`` may be, the output lock, and stale temporary files.

An output path is a promise: claimx writes that file (and its errors file, its
``.parts/`` folder and its ``.lock`` beside it) and nothing else. So before any work,
an output that is a folder, one of the inputs or the errors file itself is refused;
a device or FIFO is written by opening it, never replaced; and one run at a time may
write an output, guarded by an exclusive ``flock`` on ``<output>.lock``.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, Errors, RunError
from .files import TEMP_SUFFIX, errors_path_for, is_special, temp_prefix


@dataclass(frozen=True)
class Target:
    """An output path as given and as written (symlinks resolved)."""

    given: Path
    path: Path
    special: bool  # a device, FIFO or socket: opened and streamed to, no shards, no rename

    @classmethod
    def of(cls, given: Path) -> Target:
        return cls(given, Path(os.path.realpath(given)), is_special(given))


def check_outputs(
    output: Path, errors: Path | None, inputs: Iterable[str], *, resume: bool = False
) -> tuple[Target, Target | None]:
    """The output and errors targets of a run, or a usage error (exit 2) before anything is read.

    The errors file defaults to ``<output>.errors.jsonl`` beside a regular output; for a
    device or FIFO output it defaults to None (stderr), as for stdout, so that no file
    appears beside a device.
    """
    out = Target.of(output)
    err = Target.of(errors) if errors is not None else None if out.special else Target.of(errors_path_for(output))
    inputs = list(inputs)
    check_target(out, inputs)
    if err is not None:
        check_target(err, inputs)
        if _same(out, err) and not _char_device(out.path):
            raise ConfigError(Errors.E015, path=out.given)
    if resume and out.special:
        raise ConfigError(Errors.E016, path=out.given)
    return out, err


def check_target(target: Target, inputs: Iterable[str]) -> None:
    """A file claimx is to write must not be a folder (E013) nor one of the input files (E014)."""
    if target.path.is_dir():
        raise ConfigError(Errors.E013, path=target.given)
    for given in inputs:
        if given != "-" and not os.path.isdir(given) and _same(target, Target.of(Path(given))):
            raise ConfigError(Errors.E014, path=target.given, input=given)


def check_walked_output(target: Target | None, walked: set[str]) -> None:
    """An output found by walking an input folder is skipped, and rewritten: only if it is an earlier output.

    ``claimx extract data/ -o data/claims.jsonl`` run twice must not read its own output
    back; but ``-o data/archive.jsonl`` naming an input archive would destroy it (E014).
    """
    if target is not None and str(target.path) in walked and not earlier_output(target.path):
        raise ConfigError(Errors.E014, path=target.given, input=target.path)


def earlier_output(path: Path) -> bool:
    """True for an empty file or one whose first line is a claimx record or error record."""
    try:
        with path.open("rb") as fh:
            first = fh.readline(1 << 20)
    except OSError:
        return False
    if not first.strip():
        return True
    try:
        obj = json.loads(first)
    except ValueError:
        return False
    return isinstance(obj, dict) and "doc_id" in obj and "source" in obj and ("schema_version" in obj or "code" in obj)


def _same(a: Target, b: Target) -> bool:
    try:
        return os.path.samefile(a.path, b.path)
    except OSError:
        return a.path == b.path


def _char_device(path: Path) -> bool:
    try:
        return stat.S_ISCHR(os.stat(path).st_mode)
    except OSError:
        return False


def lock_path(output: Path) -> Path:
    return output.with_name(output.name + ".lock")


def probe_lock(output: Path) -> None:
    """Fail now (E012) if another run holds the lock of ``output``; creates nothing.

    Called before the pipeline is built, so a second run fails in milliseconds.
    """
    try:
        fd = os.open(lock_path(output), os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return  # no lock file (or none we can open): acquiring it later tells
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise RunError(Errors.E012, output=output, lock=lock_path(output)) from None
    finally:
        os.close(fd)  # closing releases a lock we may just have taken


class OutputLock:
    """An exclusive ``flock`` on ``<output>.lock`` held for the run; the file is removed at the end.

    The kernel drops a flock when its holder dies, so a lock file left by a killed run
    is never "held" and needs no clean-up. Workers inherit the descriptor, so the lock
    stays held while any of them could still write a shard.
    """

    def __init__(self, output: Path) -> None:
        self.output = output
        self.path = lock_path(output)
        self.fd: int | None = None

    def __enter__(self) -> OutputLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise RunError(Errors.E012, output=self.output, lock=self.path) from None
            # The run that held it may have removed the file between our open and our lock:
            # then we hold a lock on a file nobody else sees; open the current one again.
            try:
                current = os.stat(self.path)
            except FileNotFoundError:
                current = None
            mine = os.fstat(fd)
            if current is not None and (current.st_dev, current.st_ino) == (mine.st_dev, mine.st_ino):
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())  # for people who look: which process writes
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            self.path.unlink(missing_ok=True)  # still held: nobody can have taken it in between
            os.close(self.fd)
            self.fd = None


def remove_stale_temps(path: Path) -> list[Path]:
    """Delete the temporary files a killed run left for ``path`` (``.claims.jsonl.x1y2z3a4.tmp``).

    Only names :func:`claimx.io.files.atomic_writers` makes (its prefix, mkstemp's eight
    characters, its suffix) and only regular files; call it holding the output's lock.
    """
    pattern = re.compile(re.escape(temp_prefix(path)) + r"[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX))
    removed = []
    try:
        names = os.listdir(path.parent)
    except OSError:
        return removed
    for name in names:
        candidate = path.parent / name
        if pattern.fullmatch(name) and candidate.is_file() and not candidate.is_symlink():
            candidate.unlink(missing_ok=True)
            removed.append(candidate)
    return removed
