from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import typer

from ..errors import ConfigError, Errors, RunError
from ..io.files import errors_path_for
from ..records.schema import ErrorRecord
from .main import Arg, Opt, app, fail


@app.command("report")
def report_cmd(
    records: Path = Arg(..., help="A claimx output file (JSONL records, with or without text), or a folder of them."),
    output: Path = Opt(
        Path("report"),
        "--output",
        "-o",
        help="Folder for index.html and docs/ (replaced whole, if it is an earlier report).",
    ),
    errors: Path | None = Opt(
        None,
        "--errors",
        help="Error records to list (default: <records>.errors.jsonl when it exists, "
        "or the *.errors.jsonl of a folder).",
    ),
    quiet: bool = Opt(False, "--quiet", "-q", help="No summary on stderr."),
) -> None:
    """Write a static HTML report: archive overview, charts, and one page per document with its highlights.

    Exit 0 on success, 2 for a missing or broken input or an -o folder that is not an
    earlier report, 3 when the report cannot be written (disk full, read-only): then
    nothing is written and an earlier report stays as it was.
    """
    # The report's modules (and Jinja2) are read only when a report is asked for.
    from ..output.report.build import ReportError, build_report, read_outputs

    try:
        if errors is not None and not errors.is_file():
            raise ReportError("errors file (--errors) does not exist", path=errors)
        read_errs, errors_source = _errors_of(records, errors)
        summary = build_report(
            read_outputs(records),
            read_errs(),
            output,
            source=str(records),
            errors_source=errors_source,
            again=lambda: read_outputs(records),
        )
    except ConfigError as exc:
        fail(exc)
    except OSError as exc:  # writing the site: name the folder, not a temporary file inside it
        fail(RunError(Errors.E010, path=output, message=exc.strerror or exc))
    if not quiet:
        typer.echo(
            f"claimx: report: {summary.documents} documents, {summary.errors} error records"
            f" -> {summary.out_dir / 'index.html'}",
            err=True,
        )


def _errors_of(records: Path, errors: Path | None) -> tuple:
    """(a function giving the error records to list, the name the index page shows for them)."""
    from ..output.report.build import read_errors, read_output_errors

    if errors is None and records.is_dir():

        def of_folder() -> Iterator[ErrorRecord]:
            return read_output_errors(records)

        return of_folder, str(records)
    path = errors or errors_path_for(records)
    return (lambda: read_errors(path)), (str(path) if path.is_file() else None)
