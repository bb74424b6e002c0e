"""Batch runs: bounded memory, N worker processes, resumable shards, atomic outputs.

Documents are read lazily and cut into numbered batches of ``batch_size``. Each
batch becomes one shard file under ``<output>.parts/`` (records, then its error
records in ``.errors`` beside it), written by the process that extracted it (a
worker sends back only counts, not records) and renamed into place when
complete. A killed run
restarted with ``resume=True`` and the same arguments skips the shards it
already has; when every batch is done the shards are joined, in batch order,
into the output and errors files (each written to a temporary file and renamed)
and the parts folder is removed. The output is therefore byte-identical for any
number of workers and any interruption.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from .about import __version__
from .extract import Extractor, Summary, atomic_writer, errors_path_for
from .readers import Input, read_inputs
from .records import ErrorRecord, dumps
from .settings import Config

Progress = Callable[[Summary, bool], None]


@dataclass(frozen=True)
class Job:
    """What a worker needs to build its pipeline: small and picklable (never a live nlp).

    ``config_path`` is a pipeline config (``.cfg``) or a settings file (``.yaml``);
    ``overrides`` are dotted config overrides as (key, JSON value) pairs.
    """

    config_path: str | None
    packs: tuple[str, ...] | None
    include_text: bool = True
    overrides: tuple[tuple[str, str], ...] = ()

    def override_dict(self) -> dict:
        return {key: json.loads(value) for key, value in self.overrides}

    def pipeline_config(self):
        from .pipeline import read_pipeline_config

        overrides = self.override_dict()
        if self.packs is not None:
            overrides["rules.packs"] = list(self.packs)
        return read_pipeline_config(self.config_path, overrides)

    def settings(self) -> Config:
        """The claimx settings the job's pipeline config names."""
        from .pipeline import settings_of

        return settings_of(self.pipeline_config())


_EXTRACTORS: dict[Job, Extractor] = {}


def extractor_for(job: Job) -> Extractor:
    """One pipeline per process and job, built on first use."""
    ext = _EXTRACTORS.get(job)
    if ext is None:
        ext = _EXTRACTORS[job] = Extractor(pipeline=job.config_path, overrides=job.override_dict(),
                                           packs=list(job.packs) if job.packs is not None else None)
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


def shard_batch(job: Job, inputs: list[Input], parts: Path, index: int) -> list[tuple[bool, list[str]]]:
    """Extract one batch into its two shard files; (is_error, warning codes) for each input.

    Run in the worker, so records travel to disk, not back to the parent process.
    """
    results = process_batch(job, inputs)
    _write_atomic(parts / f"part-{index:08d}.errors.jsonl", [line for err, line, _ in results if err])
    _write_atomic(parts / f"part-{index:08d}.jsonl", [line for err, line, _ in results if not err])
    return [(err, codes) for err, _, codes in results]


def _ordered(batches: Iterator[tuple[int, tuple]], workers: int, fn: Callable):
    """(index, fn(*args)) in batch order; at most 2 x workers batches in flight."""
    if workers <= 1:
        for index, args in batches:
            yield index, fn(*args)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: deque[tuple[int, Future]] = deque()
        for index, args in batches:
            pending.append((index, pool.submit(fn, *args)))
            if len(pending) >= 2 * workers:
                i, fut = pending.popleft()
                yield i, fut.result()
        while pending:
            i, fut = pending.popleft()
            yield i, fut.result()


def stream(paths: list[str], *, job: Job, workers: int = 1, batch_size: int = 64,
           force_format: str | None = None, follow_links: bool = False) -> Iterator[tuple[bool, str, list[str]]]:
    """Every result in input order, without shards (for stdout)."""
    settings = job.settings().settings.input
    inputs = read_inputs(paths, settings, force_format=force_format, follow_links=follow_links)
    batches = ((i, (job, batch)) for i, batch in enumerate(_batches(inputs, batch_size)))
    for _, results in _ordered(batches, workers, process_batch):
        yield from results


def fingerprint(paths: list[str], job: Job, batch_size: int, force_format: str | None) -> str:
    """A run's identity: version, inputs, options, the pipeline config and the settings file's bytes."""
    cfg = job.pipeline_config()
    settings_file = job.settings().file
    data = json.dumps([__version__, [os.path.abspath(p) for p in paths], job.include_text, batch_size, force_format,
                       cfg.to_str(), hashlib.sha256(settings_file.read_bytes()).hexdigest()])
    return hashlib.sha256(data.encode()).hexdigest()


def _write_atomic(path: Path, lines: Iterable[str]) -> None:
    with atomic_writer(path) as fh:
        for line in lines:
            fh.write(line + "\n")


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
    follow_links: bool = False,
) -> Summary:
    """Extract every document of ``paths`` into ``output`` (a file path, not stdout)."""
    errors = errors or errors_path_for(output)
    parts = output.with_name(output.name + ".parts")
    manifest = parts / "manifest.json"
    key = fingerprint(paths, job, batch_size, force_format)
    if parts.exists() and not (resume and manifest.exists() and json.loads(manifest.read_text())["key"] == key):
        shutil.rmtree(parts)
    parts.mkdir(parents=True, exist_ok=True)
    _write_atomic(manifest, [json.dumps({"key": key, "paths": paths, "batch_size": batch_size})])

    settings = job.settings().settings.input
    summary = Summary()
    done = {int(p.name[5:13]) for p in parts.glob("part-*.jsonl") if not p.name.endswith(".errors.jsonl")}

    def todo() -> Iterator[tuple[int, tuple]]:
        inputs = read_inputs(paths, settings, force_format=force_format, skip=(output, errors),
                             follow_links=follow_links)
        for index, batch in enumerate(_batches(inputs, batch_size)):
            if index in done:
                _count_shard(parts, index, summary, skipped=True)
                continue
            yield index, (job, batch, parts, index)

    for _, results in _ordered(todo(), workers, shard_batch):
        for err, codes in results:
            summary.add(err, codes)
        if progress:
            progress(summary, False)

    shards = sorted(p for p in parts.glob("part-*.jsonl") if not p.name.endswith(".errors.jsonl"))
    _join(output, shards)
    _join(errors, [p.with_name(p.name.replace(".jsonl", ".errors.jsonl")) for p in shards])
    shutil.rmtree(parts)
    if progress:
        progress(summary, True)
    return summary


def _count_shard(parts: Path, index: int, summary: Summary, *, skipped: bool) -> None:
    for name, is_err in ((f"part-{index:08d}.jsonl", False), (f"part-{index:08d}.errors.jsonl", True)):
        path = parts / name
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                summary.skipped += skipped
                summary.add(is_err, () if is_err else (w["code"] for w in json.loads(line)["warnings"]))


def _join(target: Path, shards: list[Path]) -> None:
    with atomic_writer(target) as out:
        for shard in shards:
            if shard.exists():
                with shard.open(encoding="utf-8") as fh:
                    shutil.copyfileobj(fh, out)


class ProgressReporter:
    """A one-line bar on a terminal, plain log lines every ``interval`` seconds otherwise."""

    def __init__(self, stream=None, interval: float = 10.0) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.start = time.monotonic()
        self.last = 0.0
        self.interval = 0.2 if self.tty else interval

    def __call__(self, summary: Summary, final: bool) -> None:
        now = time.monotonic()
        if not final and now - self.last < self.interval:
            return
        self.last = now
        rate = summary.inputs / max(now - self.start, 1e-9)
        text = f"{summary.inputs} documents, {rate:.1f} docs/s, {summary.errors} errors"
        if summary.skipped:
            text += f", {summary.skipped} resumed"
        if self.tty:
            self.stream.write("\r\033[K" + text + ("\n" if final else ""))
        elif not final:
            self.stream.write(f"claimx: progress: {text}\n")
        self.stream.flush()
