from __future__ import annotations

from pathlib import Path

import typer

from ..errors import ConfigError
from ..extract import errors_path_for
from ..report import ReportError, build_report, read_errors, read_records
from .main import Arg, Opt, app, fail


@app.command("report")
def report_cmd(
    records: Path = Arg(..., help="A claimx output file (JSONL records, with or without text)."),
    output: Path = Opt(Path("report"), "--output", "-o", help="Folder for index.html and docs/ (replaced whole)."),
    errors: Path | None = Opt(None, "--errors",
                              help="Error records to list (default: <records>.errors.jsonl when it exists)."),
    quiet: bool = Opt(False, "--quiet", "-q", help="No summary on stderr."),
) -> None:
    """Write a static HTML report: archive overview, charts, and one page per document with its highlights.

    Exit 0 on success, 2 for a missing or broken input (nothing is written).
    """
    errors_path = errors or errors_path_for(records)
    try:
        if errors is not None and not errors.is_file():
            raise ReportError(f"errors file does not exist: {errors}")
        summary = build_report(read_records(records), read_errors(errors_path), output, source=str(records),
                               errors_source=str(errors_path) if errors_path.is_file() else None,
                               again=lambda: read_records(records))
    except ConfigError as exc:
        fail(exc)
    except (ReportError, OSError) as exc:
        typer.echo(f"claimx: error: {exc}", err=True)
        raise typer.Exit(2) from None
    if not quiet:
        typer.echo(f"claimx: report: {summary.documents} documents, {summary.errors} error records"
                   f" -> {summary.out_dir / 'index.html'}", err=True)
