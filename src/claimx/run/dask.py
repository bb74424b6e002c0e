"""Run extraction on Dask: workers write the shards, the driver keeps only counts.

The driver lists the input files and cuts plain JSONL archives into pieces of
``batch_size`` lines (a byte offset each, so a piece is read by seeking); a
``.gz`` archive is one task, because a gzip stream can only be read from its
start and a piece that skipped to its place would decompress everything before
it. Tasks are grouped into partitions of about ``batch_size`` documents.

Each partition runs on a worker: it reads its documents, cuts them into batches
and writes each batch with :func:`batch.shard_batch` into its own folder under
``<output>.parts/`` (renamed into place, as a local run does), and sends back
only counts. The driver joins the shards in partition order, which is the local
run's order, so the output is byte-identical to ``--workers 1``; no record ever
travels to the driver, so its memory does not grow with the archive.

A doc_id seen again becomes ``E109`` exactly as in a local run (the first place
wins, every document counts, error or not). The driver decides, in input order,
before a partition is extracted: ids of plain files are known from the walk, ids
inside JSONL files come from a quick reading pass on the workers (16-byte digests
and line numbers, not records). Where each id was first seen is kept in an
on-disk SQLite index, so that too stays bounded.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import struct
import tempfile
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from ..errors import ConfigError, DocumentError, Errors, RunError, at
from ..io.files import errors_path_for
from ..io.outputs import OutputLock
from ..io.readers import Found, Input
from . import batch
from .batch import Job
from .progress import Summary

Task = tuple[Found, str, "str | None", "tuple[int, int, int] | None"]  # (file, doc_id, format, JSONL piece)
Dups = dict[tuple[int, int], str]  # (task in partition, document in task) -> where the id was first seen

CONNECT_TIMEOUT = 10.0  # seconds to reach a scheduler before giving up (E070)
_ID = struct.Struct("<16sI")  # a JSONL document in the reading pass: doc_id digest, line (0: none)


# -- planning (driver) ---------------------------------------------------------------------------


def plan(
    paths: list[str],
    settings,
    *,
    lines: int,
    force_format: str | None = None,
    skip: Iterable[str | os.PathLike] = (),
    follow_links: bool = False,
) -> Iterator[Task]:
    """(file, doc_id, format, JSONL piece) tasks in the local run's order, lazily.

    The files are those of the local run's walk (``skip`` and ``follow_links`` as in
    :func:`claimx.io.readers.discover`; a refused file travels as such and becomes its
    error record on the worker). A plain JSONL file is cut into pieces of ``lines``
    lines, so one big archive is read by many workers; a ``.gz`` one and any other
    file is one task.
    """
    from ..io.readers import discover, format_of, jsonl_chunks

    for found in discover(paths, settings.exclude, skip=skip, follow_links=follow_links):
        fmt = force_format or format_of(found.path)[0]
        if fmt == "jsonl" and found.refused is None:
            yield from (
                (found, found.doc_id, fmt, chunk) for chunk in jsonl_chunks(found.path, lines, settings.max_bytes)
            )
        else:
            yield found, found.doc_id, fmt, None


def _size(task: Task, lines: int) -> int:
    """Documents a task holds at least (a whole JSONL file: unknown, so a partition of its own)."""
    chunk = task[3]
    if chunk is None:
        return 1
    return chunk[2] if chunk[2] >= 0 else lines


def partitions(tasks: Iterable[Task], lines: int) -> Iterator[list[Task]]:
    """Consecutive tasks grouped into partitions of about ``lines`` documents."""
    part: list[Task] = []
    docs = 0
    for task in tasks:
        part.append(task)
        docs += _size(task, lines)
        if docs >= lines:
            yield part
            part, docs = [], 0
    if part:
        yield part


# -- on the workers ------------------------------------------------------------------------------

_SETTINGS: dict[Job, object] = {}
# A worker started with several threads shares one pipeline per process; a spaCy
# pipeline is not made to be called from two threads at once.
_ONE_AT_A_TIME = threading.Lock()


def _input_settings(job: Job):
    """The job's input settings, parsed once per worker process (not once per partition)."""
    if job not in _SETTINGS:
        _SETTINGS[job] = job.settings().settings.input
    return _SETTINGS[job]


def _read_task(task: Task, settings) -> Iterator[Input]:
    """The documents of one task, with the doc_ids the local walk gives them."""
    from ..io.readers import read_found, read_jsonl_chunk

    found, doc_id, fmt, chunk = task
    if chunk is not None:
        yield from read_jsonl_chunk(found.path, doc_id, settings, chunk, shown=found.shown)
    else:
        yield from read_found(found, settings, fmt)


def _digest(doc_id: str) -> bytes:
    return hashlib.blake2b(doc_id.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def read_ids(tasks: list[Task], job: Job) -> list[bytes | None]:
    """Reading pass of one partition: packed (digest, line) of each JSONL task's documents.

    Plain files are None: their id and place are known to the driver from the walk.
    """
    settings = _input_settings(job)
    return [
        b"".join(_ID.pack(_digest(inp.doc_id), inp.source.line or 0) for inp in _read_task(task, settings))
        if task[3] is not None
        else None
        for task in tasks
    ]


def extract_partition(
    tasks: list[Task], job: Job, folder: str, dups: Dups, batch_size: int
) -> tuple[list[tuple[int, int]], Summary]:
    """Extract one partition into shards in ``folder``: (records, errors) per shard, and the counts.

    ``dups`` marks the documents the driver found to repeat an earlier doc_id;
    they become E109 error records, as in a local run.
    """
    settings = _input_settings(job)
    summary = Summary()
    shards = []
    docs = _marked(tasks, settings, dups)
    with _ONE_AT_A_TIME:
        while inputs := list(islice(docs, batch_size)):
            results = batch.shard_batch(job, inputs, Path(folder), len(shards))
            for is_err, codes in results:
                summary.add(is_err, codes)
            errs = sum(is_err for is_err, _ in results)
            shards.append((len(results) - errs, errs))
    return shards, summary


def _marked(tasks: list[Task], settings, dups: Dups) -> Iterator[Input]:
    for t, task in enumerate(tasks):
        for k, inp in enumerate(_read_task(task, settings)):
            first = dups.get((t, k))
            if first is not None and inp.error is None:
                where = inp.source.where
                inp.error = DocumentError(Errors.E109, source=where, doc_id=inp.doc_id, first=first)
            yield inp


# -- the doc_id index (driver) -------------------------------------------------------------------


class FirstSeen:
    """doc_id digest -> where it was first seen, in SQLite on local disk (memory stays flat)."""

    def __init__(self, directory: str) -> None:
        self.db = sqlite3.connect(os.path.join(directory, "ids.sqlite"))
        self.db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
            "CREATE TABLE seen (digest BLOB PRIMARY KEY, place BLOB) WITHOUT ROWID;"
        )

    def first(self, digest: bytes, where: str) -> str | None:
        """Where this id was first seen, if that is another place; registers it otherwise."""
        place = where.encode("utf-8", "surrogatepass")
        if self.db.execute("INSERT OR IGNORE INTO seen VALUES (?, ?)", (digest, place)).rowcount:
            return None
        (before,) = self.db.execute("SELECT place FROM seen WHERE digest = ?", (digest,)).fetchone()
        return None if before == place else before.decode("utf-8", "surrogatepass")

    def check(self, tasks: list[Task], ids: list[bytes | None] | None) -> Dups:
        """The repeated ids of one partition, registering the others (partitions in input order)."""
        dups: Dups = {}
        for t, (found, doc_id, _, _) in enumerate(tasks):
            packed = ids[t] if ids is not None else None
            docs = [(_digest(doc_id), 0)] if packed is None else _ID.iter_unpack(packed)
            for k, (digest, line) in enumerate(docs):
                first = self.first(digest, at(found.shown, line) if line else found.shown)
                if first is not None:
                    dups[t, k] = first
        self.db.commit()
        return dups

    def close(self) -> None:
        self.db.close()


# -- the run (driver) ----------------------------------------------------------------------------


def run_dask(
    paths: list[str],
    *,
    output: Path,
    errors: Path | None,
    job: Job,
    batch_size: int = 64,
    force_format: str | None = None,
    scheduler: str | None = None,
    client=None,
    connect_timeout: float = CONNECT_TIMEOUT,
    progress: batch.Progress | None = None,
    follow_links: bool = False,
) -> Summary:
    """Extract ``paths`` into ``output`` on a Dask cluster: same bytes as a local run.

    ``client`` is a connected ``distributed.Client`` to use (left open); else one
    connects to ``scheduler`` within ``connect_timeout`` seconds, or starts a local
    cluster of two processes.
    """
    if "-" in paths:
        raise ConfigError(Errors.E074, message="it cannot read stdin ('-'): workers read the input files themselves")
    output = Path(os.path.abspath(output))
    errors = errors or errors_path_for(output)
    settings = job.settings().settings.input
    tasks = plan(
        paths, settings, lines=batch_size, force_format=force_format, skip=(output, errors), follow_links=follow_links
    )
    with OutputLock(output):  # a second run on the same output fails fast (E012), as a local run does
        return _run_locked(tasks, output, errors, job, batch_size, client, scheduler, connect_timeout, progress)


def _run_locked(
    tasks: Iterator[Task],
    output: Path,
    errors: Path,
    job: Job,
    batch_size: int,
    client,
    scheduler: str | None,
    connect_timeout: float,
    progress: batch.Progress | None,
) -> Summary:
    own = client is None
    client = client or _connect(scheduler, connect_timeout)
    parts = output.with_name(output.name + ".parts")
    if parts.exists():
        shutil.rmtree(parts)
    summary = Summary()
    try:
        with tempfile.TemporaryDirectory(prefix="claimx-ids-") as tmp:
            index = FirstSeen(tmp)
            try:
                folders = []
                for folder, shards, counts in _run(
                    client, partitions(tasks, batch_size), job, parts, batch_size, index
                ):
                    _merge(summary, counts)
                    folders.append((folder, len(shards)))
                    if progress:
                        progress(summary, False)
            finally:
                index.close()
        _join_shards(output, errors, folders)
    except _cluster_errors() as exc:
        raise RunError(Errors.E072, message=f"{type(exc).__name__}: {exc}") from None
    finally:
        if own:
            client.close()  # stops our workers first, so none writes a shard after the folder is gone
        shutil.rmtree(parts, ignore_errors=True)
    if progress:
        progress(summary, True)
    return summary


def _connect(scheduler: str | None, timeout: float):
    """A client for ``scheduler`` (a local cluster when None); never hangs past ``timeout``."""
    try:
        from dask.distributed import Client
    except ImportError as exc:
        raise ConfigError(Errors.E071, message=exc) from None
    if scheduler is None:
        return Client(processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None)
    try:
        return Client(scheduler, timeout=timeout)
    except ValueError as exc:  # an address the scheduler protocols cannot parse
        raise ConfigError(Errors.E074, message=f"--scheduler {scheduler!r}: {exc}") from None
    except OSError:  # refused, no route, or timed out
        raise RunError(Errors.E070, address=scheduler, seconds=f"{timeout:g}") from None


def _cluster_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean the cluster (not a document, not our disk) failed mid-run."""
    from distributed.client import FutureCancelledError
    from distributed.comm.core import CommClosedError
    from distributed.scheduler import KilledWorker

    return KilledWorker, CommClosedError, FutureCancelledError


def _run(
    client, parts_iter: Iterator[list[Task]], job: Job, parts: Path, batch_size: int, index: FirstSeen
) -> Iterator[tuple[Path, list[tuple[int, int]], Summary]]:
    """(folder, shard counts, summary) of each partition, in order; a bounded number in flight.

    A partition's reading pass goes first (higher priority); once every earlier
    partition's ids are registered, its duplicates are known and it is extracted.
    """
    window = max(4, 2 * sum(client.nthreads().values()))
    reading: deque[tuple[Path, list[Task], object]] = deque()
    extracting: deque[tuple[Path, object]] = deque()

    def extract_oldest_read() -> None:
        folder, tasks, fut = reading.popleft()
        dups = index.check(tasks, fut.result() if fut is not None else None)
        extracting.append(
            (folder, client.submit(extract_partition, tasks, job, str(folder), dups, batch_size, pure=False))
        )

    def collect_oldest() -> tuple[Path, list[tuple[int, int]], Summary]:
        folder, fut = extracting.popleft()
        shards, counts = fut.result()
        return folder, shards, counts

    for p, tasks in enumerate(parts_iter):
        folder = parts / f"partition-{p:08d}"
        jsonl = any(t[3] is not None for t in tasks)
        reading.append((folder, tasks, client.submit(read_ids, tasks, job, pure=False, priority=1) if jsonl else None))
        while len(reading) > window:
            extract_oldest_read()
        while len(extracting) > window:
            yield collect_oldest()
    while reading:
        extract_oldest_read()
    while extracting:
        yield collect_oldest()


def _merge(summary: Summary, counts: Summary) -> None:
    summary.inputs += counts.inputs
    summary.records += counts.records
    summary.errors += counts.errors
    summary.warnings.update(counts.warnings)


def _shards_in(folder: Path, expected: int) -> list[Path]:
    """The record shards of one partition folder, in order (named as run_batch names them).

    A worker that wrote somewhere the driver cannot see (no shared file system)
    would otherwise give a silently shorter output.
    """
    shards = sorted(p for p in folder.glob("part-*.jsonl") if not p.name.endswith(".errors.jsonl"))
    if len(shards) != expected:
        raise RunError(Errors.E073, folder=folder, expected=expected, found=len(shards))
    return shards


def _join_shards(output: Path, errors: Path, folders: list[tuple[Path, int]]) -> None:
    """Every partition's shards, in partition order, into the output and errors files."""
    shards = [s for folder, n in folders for s in _shards_in(folder, n)]
    batch.join_shards(output, errors, [(s, s.with_name(s.name.replace(".jsonl", ".errors.jsonl"))) for s in shards])
