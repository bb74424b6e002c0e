"""Run extraction on Dask: the same batch function per partition, one pipeline per worker.

The driver lists the input files and cuts JSONL archives into pieces of
``batch_size`` lines (one pass over each JSONL file); each partition reads and
extracts its own files and pieces on a worker (``batch.extractor_for`` builds the pipeline once per
worker process) and returns JSON lines. Records come back in partition order,
which is the local run's order, so the output is byte-identical to
``--workers 1``.
"""

from __future__ import annotations

from pathlib import Path

import json

from .batch import Job, process_batch
from .errors import DocumentError, Errors
from .records import ErrorRecord, Source, dumps
from .extract import Summary, atomic_writer, errors_path_for
from .readers import read_inputs


Task = tuple[str, str, "str | None", "tuple[int, int, int] | None"]


def plan(paths: list[str], settings, *, lines: int, force_format: str | None = None) -> list[Task]:
    """(path, doc_id, format, JSONL piece) tasks in the local run's order.

    A JSONL file is cut into pieces of ``lines`` lines, so one big archive file is
    read by many workers; other files are one task each.
    """
    from .readers import discover, format_of, jsonl_chunks

    tasks: list[Task] = []
    for path, doc_id in discover(paths, settings.exclude):
        if path == "-":
            continue
        fmt = force_format or format_of(path)[0]
        if fmt == "jsonl":
            tasks.extend((path, doc_id, fmt, chunk) for chunk in jsonl_chunks(path, lines))
        else:
            tasks.append((path, doc_id, fmt, None))
    return tasks


def _extract_files(tasks: list[Task], job: Job) -> list[tuple[bool, str, list[str]]]:
    """Partition function: tasks -> results."""
    from .readers import read_jsonl_chunk

    settings = job.settings().settings.input
    inputs = []
    for path, doc_id, fmt, chunk in tasks:
        if chunk is not None:
            inputs.extend(read_jsonl_chunk(path, doc_id, settings, chunk))
            continue
        name = Path(path).name
        for inp in read_inputs([path], settings, force_format=fmt):
            # Read on its own, a file is named by its base name; restore the id the walk gave it.
            if inp.doc_id == name or inp.doc_id.startswith(name + ":"):
                inp.doc_id = doc_id + inp.doc_id[len(name):]
            inputs.append(inp)
    return process_batch(job, inputs)


def run_dask(paths: list[str], *, output: Path, errors: Path | None, job: Job, batch_size: int = 64,
             force_format: str | None = None, scheduler: str | None = None, client=None) -> Summary:
    import dask.bag as db
    from dask.distributed import Client

    settings = job.settings().settings.input
    tasks = plan(paths, settings, lines=batch_size, force_format=force_format)
    per_part = max(1, min(batch_size, len(tasks) // 16 or 1))
    bag = db.from_sequence(tasks, partition_size=per_part).map_partitions(_extract_files, job)
    own = client is None
    client = client or (Client(scheduler) if scheduler else Client(processes=True, n_workers=2,
                                                                       threads_per_worker=1, dashboard_address=None))
    try:
        results = bag.compute(scheduler=client.get)
    finally:
        if own:
            client.close()
    summary = Summary()
    with atomic_writer(output) as out, atomic_writer(errors or errors_path_for(output)) as err:
        for is_err, line, codes in _dedupe(results):
            summary.add(is_err, codes)
            (err if is_err else out).write(line + "\n")
    return summary


def _dedupe(results):
    """Partitions read their files alone; a doc_id seen again becomes E109, as in a local run."""
    seen: dict[str, str] = {}
    for is_err, line, codes in results:
        if not is_err:
            rec = json.loads(line)
            src = rec["source"]
            where = f"{src['path']}:{src['line']}" if src["line"] else src["path"]
            first = seen.setdefault(rec["doc_id"], where)
            if first != where:
                err = DocumentError(Errors.E109, source=where, doc_id=rec["doc_id"], first=first)
                line = dumps(ErrorRecord(doc_id=rec["doc_id"], source=Source(**src), code=err.code, message=err.message))
                is_err, codes = True, []
        yield is_err, line, codes
