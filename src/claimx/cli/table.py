from __future__ import annotations

from pathlib import Path

import typer
from pydantic import ValidationError

from ..errors import ConfigError, Errors
from ..goldio import jsonl_files
from ..records import Record
from ..rulefiles import read_objects
from ..table import ALIASES, LEVELS, format_for, level_name, table_bytes, to_frame, write_table
from .main import Arg, Opt, app, fail


def read_records(path: Path) -> tuple[list[Record], int]:
    """The records of a JSONL file or folder, in order, and how many error records were skipped.

    A line that is not JSON, not an object, or not a record raises ConfigError naming path:line.
    """
    records: list[Record] = []
    seen: dict[str, str] = {}
    skipped = 0
    for file in jsonl_files(path):
        for lineno, obj in read_objects(file, what="a record"):
            if "code" in obj and "sections" not in obj:
                skipped += 1
                continue
            try:
                rec = Record.model_validate(obj)
            except ValidationError as exc:
                msg = "not a claimx record: " + " ".join(str(exc).split())[:300]
                raise ConfigError(Errors.E001, path=file, line=lineno, message=msg) from None
            if rec.doc_id in seen:
                raise ConfigError(Errors.E001, path=file, line=lineno,
                                  message=f"duplicate doc_id {rec.doc_id!r} (first at {seen[rec.doc_id]})")
            seen[rec.doc_id] = f"{file}:{lineno}"
            records.append(rec)
    return records, skipped


@app.command("table")
def table_cmd(
    records: Path = Arg(..., help="claimx records (JSONL file, or a folder of *.jsonl)."),
    level: str = Opt("claims", "--level", "-l", help=f"One row per: {', '.join([*LEVELS, *ALIASES])}."),
    output: str = Opt("-", "--output", "-o",
                      help="Table file; the suffix picks .csv, .tsv, .parquet or .jsonl. '-' writes CSV to stdout."),
    quiet: bool = Opt(False, "--quiet", "-q", help="No summary on stderr."),
) -> None:
    """Flatten records into a table: one row per section, claim, mention, citation, ...

    Error records are skipped. Exit 0 on success, 2 for usage or input errors (nothing is written).
    """
    try:
        level = level_name(level)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--level") from None
    try:
        fmt = "csv" if output == "-" else format_for(output)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--output") from None
    try:
        recs, skipped = read_records(records)
    except ConfigError as exc:
        fail(exc)
    frame = to_frame(recs, level)
    if output == "-":
        typer.echo(table_bytes(frame, fmt).decode("utf-8"), nl=False)
    else:
        write_table(frame, output, fmt)
    if not quiet:
        extra = f"; {skipped} error records skipped" if skipped else ""
        dest = "stdout" if output == "-" else output
        typer.echo(f"claimx: wrote {len(frame)} {level} rows from {len(recs)} documents to {dest}{extra}", err=True)
