from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import typer

from ..errors import ConfigError, Errors, RunError
from ..io.files import atomic_writer, check_output_path
from ..output.table import format_for, iter_frames, write_frames
from ..records.io import jsonl_files, read_records
from ..records.items import choices, level_name
from ..records.schema import ErrorRecord, Record
from .main import Arg, Opt, app, fail


class RecordReader:
    """The records of a JSONL file or folder, read lazily in order; counts what it skips.

    A line that is not JSON, not an object, or not a record (or repeats a doc_id)
    raises ConfigError naming path:line when the reader reaches it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.documents = 0
        self.skipped = 0

    def __iter__(self) -> Iterator[Record]:
        seen: dict[str, tuple[Path, int]] = {}
        for file in jsonl_files(self.path):
            for rec in read_records(file, errors_too=True, seen=seen):
                if isinstance(rec, ErrorRecord):
                    self.skipped += 1
                    continue
                self.documents += 1
                yield rec


@app.command("table")
def table_cmd(
    records: Path = Arg(..., help="claimx records (JSONL file, or a folder of *.jsonl)."),
    level: str = Opt("claims", "--level", "-l", help=f"One row per: {', '.join(choices())}."),
    output: str = Opt(
        "-",
        "--output",
        "-o",
        help="Table file; the suffix picks .csv, .tsv, .parquet or .jsonl. '-' writes CSV to stdout.",
    ),
    quiet: bool = Opt(False, "--quiet", "-q", help="No summary on stderr."),
) -> None:
    """Flatten records into a table: one row per section, claim, mention, citation, ...

    Records are read and written in chunks, so memory does not grow with the archive.
    Error records are skipped. Exit 0 on success, 2 for usage or input errors (then no
    file is written; on stdout the rows before the bad line have gone out), 3 when the
    table cannot be written (disk full, read-only): the partial file is removed.
    """
    try:
        level = level_name(level)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--level") from None
    try:
        fmt = "csv" if output == "-" else format_for(output)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--output") from None
    reader = RecordReader(records)
    frames = iter_frames(reader, level)
    try:
        if output == "-":
            rows = write_frames(frames, sys.stdout.buffer, fmt)
        else:
            with atomic_writer(check_output_path(Path(output)), binary=True) as fh:
                rows = write_frames(frames, fh, fmt)
    except ConfigError as exc:
        fail(exc)
    except OSError as exc:  # a write error has no file name of its own; the reader's are ConfigErrors
        fail(RunError(Errors.E010, path=output, message=exc.strerror or exc))
    if not quiet:
        extra = f"; {reader.skipped} error records skipped" if reader.skipped else ""
        dest = "stdout" if output == "-" else output
        typer.echo(f"claimx: wrote {rows} {level} rows from {reader.documents} documents to {dest}{extra}", err=True)
