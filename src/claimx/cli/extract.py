from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from ..io.files import atomic_writer
from ..io.outputs import Target, check_outputs, check_target
from ..io.readers import discover
from ..run.batch import Job, run_batch, stream
from ..run.progress import ProgressReporter, Summary
from .main import CONFIG_HELP, OVERRIDES, Arg, Opt, app, split_overrides


@app.command("extract", context_settings=OVERRIDES)
def extract_cmd(
    ctx: typer.Context,
    paths: list[str] = Arg(
        ...,
        help="Files, directories (walked recursively in sorted order) or '-' for stdin; "
        "then any config overrides (--section.key value).",
    ),
    output: str = Opt(
        "-",
        "--output",
        "-o",
        help="Output JSONL file, or '-' for stdout (a device or FIFO is opened and written as records come).",
    ),
    errors: Path | None = Opt(None, "--errors", help="Error records file [default: <output>.errors.jsonl, or stderr]."),
    config: Path | None = Opt(None, "--config", "-c", help=CONFIG_HELP),
    rules: list[str] = Opt(None, "--rules", "-r", help="Rule packs by name or folder [default: the configured packs]."),
    fmt: str | None = Opt(None, "--format", "-f", help="Read every input as txt, markdown, html or jsonl."),
    no_text: bool = Opt(False, "--no-text", help="Leave the document text out of records (text: null)."),
    workers: int = Opt(1, "--workers", "-w", min=1, help="Worker processes; output is identical for any number."),
    batch_size: int = Opt(64, "--batch-size", min=1, help="Documents per batch (and per resumable shard)."),
    resume: bool = Opt(False, "--resume", help="Continue an interrupted run with the same arguments."),
    engine: str = Opt("local", "--engine", help="local, or dask to run batches on a Dask cluster."),
    scheduler: str | None = Opt(None, "--scheduler", help="Dask scheduler address [default: a local cluster]."),
    scheduler_timeout: float = Opt(
        10.0, "--scheduler-timeout", min=0.1, help="Seconds to reach the Dask scheduler before giving up (exit 3)."
    ),
    follow_links: bool = Opt(False, "--follow-links", help="Read file links that lead out of a walked folder."),
    quiet: bool = Opt(False, "--quiet", "-q", help="No progress and no summary on stderr."),
) -> None:
    """Extract one JSONL record per document.

    Exit code 0 when every document gave a record, 1 when some gave an error
    record, 2 for usage or configuration errors (nothing written), 3 when the run
    could not finish (I/O error, disk full, output locked by another run, a worker
    killed), 130 when interrupted (Ctrl-C, SIGTERM; resume with --resume). Config
    overrides follow the inputs: `claimx extract corpora/ -o out.jsonl --rules.packs law_enforcement`.
    """
    paths, overrides = split_overrides([*paths, *ctx.args])
    if not paths:
        raise typer.BadParameter("give at least one input path", param_hint="PATHS")
    if fmt is not None and fmt not in ("txt", "markdown", "html", "jsonl"):
        raise typer.BadParameter(f"unknown format {fmt!r}", param_hint="--format")
    if engine not in ("local", "dask"):
        raise typer.BadParameter("choose local or dask", param_hint="--engine")
    if output == "-" and (resume or engine == "dask"):
        raise typer.BadParameter("--resume and --engine dask need an output file", param_hint="--output")
    if resume and engine == "dask":
        raise typer.BadParameter("a Dask run does not resume; run it again without --resume", param_hint="--resume")
    job = Job(
        str(config) if config else None,
        tuple(rules) if rules else None,
        include_text=not no_text,
        overrides=tuple(sorted((k, json.dumps(v)) for k, v in overrides.items())),
    )
    progress = None if quiet else ProgressReporter()
    with _sigterm_interrupts():
        cfg = job.settings()
        list(discover([p for p in paths if p != "-"], cfg.settings.input.exclude))  # fail on a bad path before any work
        if engine == "dask":
            from ..run.dask import run_dask

            out, _ = check_outputs(Path(output), errors, paths)
            if out.special:
                raise typer.BadParameter("--engine dask needs a regular output file", param_hint="--output")
            summary = run_dask(
                paths,
                output=Path(output),
                errors=errors,
                job=job,
                batch_size=batch_size,
                force_format=fmt,
                scheduler=scheduler,
                connect_timeout=scheduler_timeout,
                progress=progress,
                follow_links=follow_links,
            )
        elif output == "-":
            summary = _to_stdout(paths, job, errors, workers, batch_size, fmt, follow_links)
        else:
            summary = run_batch(
                paths,
                output=Path(output),
                errors=errors,
                job=job,
                workers=workers,
                batch_size=batch_size,
                resume=resume,
                force_format=fmt,
                progress=progress,
                follow_links=follow_links,
                warn=lambda message: typer.echo(f"claimx: warning: {message}", err=True),
            )
    if not quiet:
        typer.echo(f"claimx: {summary.line()}", err=True)
    raise typer.Exit(1 if summary.errors else 0)


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM stops a run as Ctrl-C does: workers killed, temporary files removed, shards kept, exit 130."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _to_stdout(paths, job, errors, workers, batch_size, fmt, follow_links=False) -> Summary:
    summary = Summary()
    if errors is not None:
        check_target(Target.of(errors), paths)  # not a folder, not an input; a device is written by opening it

    def write(err_fh) -> None:
        for is_err, line, codes in stream(
            paths, job=job, workers=workers, batch_size=batch_size, force_format=fmt, follow_links=follow_links
        ):
            summary.add(is_err, codes)
            (err_fh if is_err else sys.stdout).write(line + "\n")

    if errors:
        with atomic_writer(errors) as fh:
            write(fh)
    else:
        write(sys.stderr)
    return summary
