"""Batch runs: bounded memory, N worker processes, resumable shards, atomic outputs, one run per output.

Documents are read lazily and cut into numbered batches of ``batch_size``. Each
batch becomes one shard under ``<output>.parts/`` (records, its error records in
``.errors.jsonl`` beside it, and last a ``.json`` naming the inputs it covers),
written by the process that extracted it (a worker sends back only counts) and
renamed into place when complete. A killed run restarted with ``resume=True``
keeps the finished shards a fresh run would write identically
(:mod:`claimx.run.resume`) and redoes the rest; when every batch is done the shards
are joined, in batch order, into the output and errors files (both written to
temporary files and renamed) and the parts folder is removed. The output is
therefore byte-identical for any number of workers and any interruption.

Before anything is written, the output paths are checked (:mod:`claimx.io.outputs`)
and the pipeline is built once in this process (a broken setting or pack is
reported with nothing created; forked workers inherit the pipeline). The run
holds an exclusive lock on ``<output>.lock``. Workers ignore Ctrl-C and die with
the main process; a worker that dies stops the run (E017) with its finished
shards kept for ``--resume``.
"""

from __future__ import annotations

import ctypes
import dataclasses
import json
import os
import re
import shutil
import signal
import sys
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing, suppress
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from ..config.settings import Config
from ..errors import Errors, RunError
from ..io.files import atomic_writers
from ..io.outputs import (
    OutputLock,
    Target,
    check_outputs,
    check_walked_output,
    lock_path,
    probe_lock,
    remove_stale_temps,
)
from ..io.readers import Input, discover, read_inputs
from ..records.schema import ErrorRecord, dumps
from .extractor import Extractor
from .progress import Summary
from .resume import Fingerprint, Listing, fingerprint

Progress = Callable[[Summary, bool], None]
Warn = Callable[[str], None]

MANIFEST = "manifest.json"
_SHARD_FILE = re.compile(r"part-(\d{8})\.(?:jsonl|errors\.jsonl|json)")


@dataclass(frozen=True)
class Job:
    """What a worker needs to build its pipeline: small and picklable (never a live nlp).

    ``config_path`` is a pipeline config (``.cfg``) or a settings file (``.yaml``);
    ``overrides`` are dotted config overrides as (key, JSON value) pairs. ``digest``
    names the contents of the configuration files (:func:`run_batch` fills it), so a
    rule file edited between two runs in one process gives a new pipeline, not the
    cached one.
    """

    config_path: str | None
    packs: tuple[str, ...] | None
    include_text: bool = True
    overrides: tuple[tuple[str, str], ...] = ()
    digest: str = ""

    def override_dict(self) -> dict:
        return {key: json.loads(value) for key, value in self.overrides}

    def pipeline_config(self):
        from ..config.pipeline import read_pipeline_config

        overrides = self.override_dict()
        if self.packs is not None:
            overrides["rules.packs"] = list(self.packs)
        return read_pipeline_config(self.config_path, overrides)

    def settings(self) -> Config:
        """The claimx settings the job's pipeline config names."""
        from ..config.pipeline import settings_for

        return settings_for(self.pipeline_config())


_EXTRACTORS: OrderedDict[Job, Extractor] = OrderedDict()
_KEEP_PIPELINES = 4  # a process rarely needs more; each holds its compiled rules


def extractor_for(job: Job) -> Extractor:
    """One pipeline per process and job, built on first use."""
    ext = _EXTRACTORS.get(job)
    if ext is None:
        ext = Extractor(
            pipeline=job.config_path,
            overrides=job.override_dict(),
            packs=list(job.packs) if job.packs is not None else None,
        )
        _EXTRACTORS[job] = ext
        while len(_EXTRACTORS) > _KEEP_PIPELINES:
            _EXTRACTORS.popitem(last=False)
    _EXTRACTORS.move_to_end(job)
    return ext


def process_batch(job: Job, inputs: list[Input]) -> list[tuple[bool, str, list[str]]]:
    """(is_error, JSON line, warning codes) for each input, in order."""
    out = []
    for rec in extractor_for(job)(inputs):
        if isinstance(rec, ErrorRecord):
            out.append((True, dumps(rec), []))
        else:
            if not job.include_text:
                rec = rec.model_copy(update={"text": None})
            out.append((False, dumps(rec), [w.code for w in rec.warnings]))
    return out


def _batches(inputs: Iterable[Input], size: int) -> Iterator[list[Input]]:
    it = iter(inputs)
    while batch := list(islice(it, size)):
        yield batch


def shard_name(index: int, suffix: str) -> str:
    """``part-00000003.jsonl`` (records), ``.errors.jsonl`` (error records), ``.json`` (what it covers)."""
    return f"part-{index:08d}{suffix}"


def shard_batch(
    job: Job, inputs: list[Input], parts: Path, index: int, meta: dict | None = None
) -> list[tuple[bool, list[str]]]:
    """Extract one batch into its shard files; (is_error, warning codes) for each input.

    Run in the worker, so records travel to disk, not back to the parent process.
    ``meta`` (from :meth:`claimx.run.resume.Listing.cover`) is written last: only a shard
    with it counts as finished for ``--resume``; without it the shard is never kept.
    """
    results = process_batch(job, inputs)
    _write_atomic(parts / shard_name(index, ".errors.jsonl"), [line for err, line, _ in results if err])
    _write_atomic(parts / shard_name(index, ".jsonl"), [line for err, line, _ in results if not err])
    if meta is not None:
        _write_atomic(parts / shard_name(index, ".json"), [json.dumps(meta)])
    return [(err, codes) for err, _, codes in results]


class _WorkerDied(Exception):
    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


PR_SET_PDEATHSIG = 1


def _worker_init(parent: int) -> None:
    """Workers ignore Ctrl-C (the main process stops them) and die with the main process, even on kill -9."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the main process's handler, inherited by fork
    if sys.platform.startswith("linux"):
        with suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the main process died before prctl took effect
        os._exit(1)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Kill the workers now: a stopped run must not leave processes writing shards behind it."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    for proc in procs:
        with suppress(OSError, ValueError, AttributeError):
            proc.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        with suppress(OSError, ValueError, AssertionError, AttributeError):
            proc.join(timeout=5)


def _result(index: int, fut: Future):
    try:
        return index, fut.result()
    except BrokenProcessPool:
        raise _WorkerDied(index) from None


def _ordered(batches: Iterator[tuple[int, tuple]], workers: int, fn: Callable):
    """(index, fn(*args)) in batch order; at most 2 x workers batches in flight.

    On any exception, Ctrl-C, SIGTERM (raised as KeyboardInterrupt by the CLI) or the
    consumer closing the generator, the workers are killed before it propagates.
    """
    if workers <= 1:
        for index, args in batches:
            yield index, fn(*args)
        return
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_init, initargs=(os.getpid(),))
    pending: deque[tuple[int, Future]] = deque()
    try:
        for index, args in batches:
            try:
                pending.append((index, pool.submit(fn, *args)))
            except BrokenProcessPool:
                raise _WorkerDied(pending[0][0] if pending else index) from None
            if len(pending) >= 2 * workers:
                yield _result(*pending.popleft())
        while pending:
            yield _result(*pending.popleft())
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)


def _died(exc: _WorkerDied, batch_size: int, hint: str) -> RunError:
    first = exc.index * batch_size + 1
    return RunError(Errors.E017, index=exc.index, first=first, last=first + batch_size - 1, hint=hint)


class _Skip:
    """The run's own files (output, errors, lock, ``.parts/``), never read as inputs.

    Until the reader's walk takes a ``skip`` argument, the walk's results are filtered here.
    """

    def __init__(self, out: Target | None, err: Target | None) -> None:
        self.files: set[str] = set()
        self.folders: list[str] = []
        for target in (out, err):
            if target is not None and not target.special:
                self.files.update({str(target.path), str(lock_path(target.path))})
        if out is not None and not out.special:
            self.folders.append(str(out.path.with_name(out.path.name + ".parts")) + os.sep)
        self.seen: set[str] = set()  # the run's own files met in the walk
        self._last: tuple[str, bool] = ("", False)

    def __contains__(self, path: str) -> bool:
        if path == "-" or not (self.files or self.folders):
            return False
        if self._last[0] == path:
            return self._last[1]
        real = os.path.realpath(path)
        hit = real in self.files or any(real.startswith(folder) for folder in self.folders)
        if hit:
            self.seen.add(real)
        self._last = (path, hit)
        return hit


def _walk(paths: list[str], settings, skip: _Skip, follow_links: bool = False) -> list[tuple[str, str]]:
    return [
        (path, doc_id)
        for path, doc_id in discover(paths, settings.exclude, follow_links=follow_links)
        if path not in skip
    ]


def _inputs(
    paths: list[str], settings, force_format: str | None, skip: _Skip, follow_links: bool = False
) -> Iterator[Input]:
    return (
        inp
        for inp in read_inputs(paths, settings, force_format=force_format, follow_links=follow_links)
        if inp.source.path not in skip
    )


def stream(
    paths: list[str],
    *,
    job: Job,
    workers: int = 1,
    batch_size: int = 64,
    force_format: str | None = None,
    skip: _Skip | None = None,
    follow_links: bool = False,
) -> Iterator[tuple[bool, str, list[str]]]:
    """Every result in input order, without shards (for stdout, a device or a FIFO)."""
    settings = job.settings().settings.input
    extractor_for(job)  # build (and validate) before reading; forked workers inherit it
    inputs = _inputs(paths, settings, force_format, skip or _Skip(None, None), follow_links)
    batches = ((i, (job, batch)) for i, batch in enumerate(_batches(inputs, batch_size)))
    with closing(_ordered(batches, workers, process_batch)) as results:
        try:
            for _, batch_results in results:
                yield from batch_results
        except _WorkerDied as exc:
            raise _died(exc, batch_size, "") from None


def _write_atomic(path: Path, lines: Iterable[str]) -> None:
    with atomic_writers(path) as (fh,):
        for line in lines:
            fh.write(line + "\n")


def _warn_stderr(message: str) -> None:
    sys.stderr.write(f"claimx: warning: {message}\n")


def run_batch(
    paths: list[str],
    *,
    output: Path,
    errors: Path | None = None,
    job: Job,
    workers: int = 1,
    batch_size: int = 64,
    resume: bool = False,
    force_format: str | None = None,
    progress: Progress | None = None,
    warn: Warn | None = None,
    follow_links: bool = False,
) -> Summary:
    """Extract every document of ``paths`` into ``output`` (a file path, not stdout).

    ``output`` may be a device or a FIFO (or a symlink to one): it is then opened and
    written as records come, without shards, and its errors go to ``errors`` or stderr.
    ``warn`` receives what ``resume`` had to redo (default: a line on stderr).
    ``follow_links`` reads file links that leave a walked folder (see :func:`claimx.io.readers.discover`).
    """
    warn = warn or _warn_stderr
    out, err = check_outputs(output, errors, paths, resume=resume)
    if not out.special:
        probe_lock(out.path)
    fp = fingerprint(paths, job, batch_size, force_format, follow_links)
    job = dataclasses.replace(job, digest=fp.config_key)
    settings = job.settings().settings.input
    extractor_for(job)  # every setting, pack and rule checked before any output path exists
    skip = _Skip(out, err)
    if out.special:
        return _stream_into(
            out,
            err,
            paths,
            job=job,
            workers=workers,
            batch_size=batch_size,
            force_format=force_format,
            skip=skip,
            progress=progress,
            follow_links=follow_links,
        )
    with OutputLock(out.path):
        summary = _sharded(
            paths,
            out,
            err,
            job=job,
            settings=settings,
            fp=fp,
            workers=workers,
            batch_size=batch_size,
            resume=resume,
            default_errors=errors is None,
            force_format=force_format,
            skip=skip,
            progress=progress,
            warn=warn,
            follow_links=follow_links,
        )
    if progress:
        progress(summary, True)
    return summary


def _sharded(
    paths: list[str],
    out: Target,
    err: Target,
    *,
    job: Job,
    settings,
    fp: Fingerprint,
    workers: int,
    batch_size: int,
    resume: bool,
    default_errors: bool,
    force_format: str | None,
    skip: _Skip,
    progress: Progress | None,
    warn: Warn,
    follow_links: bool = False,
) -> Summary:
    """A run into a regular file, under its lock: shards, what resume keeps, the join."""
    remove_stale_temps(out.path)
    if default_errors:
        remove_stale_temps(err.path)
    parts = out.path.with_name(out.path.name + ".parts")
    listing = Listing(_walk(paths, settings, skip, follow_links), force_format)
    for target in (out, err):
        check_walked_output(target, skip.seen)
    kept = _previous_shards(parts, fp, listing, batch_size, resume=resume, warn=warn)
    parts.mkdir(parents=True, exist_ok=True)
    _write_atomic(parts / MANIFEST, [json.dumps(fp.to_json())])
    summary = Summary()
    count = 0

    def todo() -> Iterator[tuple[int, tuple]]:
        nonlocal count
        for index, batch in enumerate(_batches(_inputs(paths, settings, force_format, skip, follow_links), batch_size)):
            count = index + 1
            meta = listing.cover(batch, batch_size, index)
            if index in kept:
                _count_shard(parts, index, summary, skipped=True)
                continue
            yield index, (job, batch, parts, index, meta)

    with closing(_ordered(todo(), workers, shard_batch)) as results:
        try:
            for _, batch_results in results:
                for is_err, codes in batch_results:
                    summary.add(is_err, codes)
                if progress:
                    progress(summary, False)
        except _WorkerDied as exc:
            raise _died(exc, batch_size, "; the finished batches are kept: run again with --resume") from None
    _join(out, err, parts, count)
    shutil.rmtree(parts)
    return summary


def _stream_into(
    out: Target,
    err: Target | None,
    paths: list[str],
    *,
    job: Job,
    workers: int,
    batch_size: int,
    force_format: str | None,
    skip: _Skip,
    progress: Progress | None,
    follow_links: bool = False,
) -> Summary:
    """A run into a device or FIFO: opened (never replaced) and written as records come."""
    summary = Summary()
    with atomic_writers(*(t.path for t in (out, err) if t is not None)) as handles:
        records, errors_fh = handles[0], handles[1] if err is not None else sys.stderr
        for is_err, line, codes in stream(
            paths,
            job=job,
            workers=workers,
            batch_size=batch_size,
            force_format=force_format,
            skip=skip,
            follow_links=follow_links,
        ):
            summary.add(is_err, codes)
            (errors_fh if is_err else records).write(line + "\n")
            if progress:
                progress(summary, False)
    if progress:
        progress(summary, True)
    return summary


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _previous_shards(
    parts: Path, fp: Fingerprint, listing: Listing, batch_size: int, *, resume: bool, warn: Warn
) -> set[int]:
    """The indices of the finished shards this run keeps; everything else in ``parts`` is removed."""
    if not parts.exists():
        return set()
    previous = _read_json(parts / MANIFEST)
    if not resume or not isinstance(previous, dict) or previous.get("key") != fp.key:
        if resume:
            warn(f"--resume: starting afresh: {fp.changes(previous)}")
        shutil.rmtree(parts)
        return set()
    kept: set[int] = set()
    redone: list[tuple[str, str]] = []
    for meta_path in sorted(parts.glob("part-*.json")):
        match = _SHARD_FILE.fullmatch(meta_path.name)
        meta = _read_json(meta_path)
        if not match or not isinstance(meta, dict):
            continue
        index = int(match.group(1))
        complete = meta.get("index") == index and all(
            (parts / shard_name(index, suffix)).is_file() for suffix in (".jsonl", ".errors.jsonl")
        )
        reason = listing.why_not(meta, batch_size) if complete else ("unrecorded", meta_path.name)
        if reason is None:
            kept.add(index)
        else:
            redone.append(reason)
    for path in parts.iterdir():
        match = _SHARD_FILE.fullmatch(path.name)
        if path.name != MANIFEST and not (match and int(match.group(1)) in kept):
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    if redone:
        warn(_redo_message(len(kept), redone))
    return kept


_REASONS = {
    "changed": "their input files changed",
    "moved": "input files in them were added, deleted or renamed",
    "shifted": "an input before them was added, deleted or, for JSONL, edited (the batches moved)",
    "grew": "inputs were added after the last batch",
    "unrecorded": "their record is missing or unreadable",
}


def _redo_message(kept: int, redone: list[tuple[str, str]]) -> str:
    """One line: how many finished batches were kept, how many are redone and why, with examples."""
    by_reason: dict[str, list[str]] = {}
    for reason, doc_id in redone:
        by_reason.setdefault(reason, []).append(doc_id)
    why = "; ".join(
        f"{len(ids)} because {_REASONS[reason]} ({', '.join(dict.fromkeys(ids[:3]))}{', ...' if len(ids) > 3 else ''})"
        for reason, ids in by_reason.items()
    )
    return f"--resume: kept {kept} finished batches, redoing {len(redone)}: {why}"


def _count_shard(parts: Path, index: int, summary: Summary, *, skipped: bool) -> None:
    for suffix, is_err in ((".jsonl", False), (".errors.jsonl", True)):
        with (parts / shard_name(index, suffix)).open(encoding="utf-8") as fh:
            for line in fh:
                summary.skipped += skipped
                summary.add(is_err, () if is_err else (w["code"] for w in json.loads(line)["warnings"]))


def _join(out: Target, err: Target, parts: Path, count: int) -> None:
    """The shards of batches ``0..count-1`` into the output and errors files (see :func:`join_shards`)."""
    join_shards(
        out.path,
        err.path,
        [(parts / shard_name(i, ".jsonl"), parts / shard_name(i, ".errors.jsonl")) for i in range(count)],
    )


def join_shards(output: Path, errors: Path, shards: Iterable[tuple[Path, Path]]) -> None:
    """(records, error records) shard files, in order, into the output and errors files, renamed into place
    together.

    Needs free space for one more copy of the output beside it, until the parts folder is removed.
    """
    with atomic_writers(output, errors, binary=True) as (records, errs):
        for pair in shards:
            for path, fh in zip(pair, (records, errs), strict=True):
                with path.open("rb") as src:
                    shutil.copyfileobj(src, fh, 1 << 20)
