from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path

import typer

from ..errors import ConfigError
from ..extract import Extractor, atomic_writer, errors_path_for, write_records
from ..readers import read_inputs
from ..settings import load_config
from .main import Arg, Opt, app


@app.command("extract")
def extract_cmd(
    paths: list[str] = Arg(..., help="Files, directories (walked recursively in sorted order) or '-' for stdin."),
    output: str = Opt("-", "--output", "-o", help="Output JSONL file, or '-' for stdout."),
    errors: Path | None = Opt(None, "--errors", help="Error records file [default: <output>.errors.jsonl, or stderr]."),
    config: Path | None = Opt(None, "--config", "-c", help="Settings file [default: the packaged configs/claimx.yaml]."),
    fmt: str | None = Opt(None, "--format", "-f", help="Read every input as txt, markdown, html or jsonl."),
    rules: list[str] = Opt(None, "--rules", "-r", help="Rule packs by name or folder [default: the configured packs]."),
    no_text: bool = Opt(False, "--no-text", help="Leave the document text out of records (text: null)."),
    quiet: bool = Opt(False, "--quiet", "-q", help="No summary line on stderr."),
) -> None:
    """Extract one JSONL record per document.

    Exit code 0 when every document gave a record, 1 when some gave an error
    record, 2 for usage or configuration errors.
    """
    if fmt is not None and fmt not in ("txt", "markdown", "html", "jsonl"):
        raise typer.BadParameter(f"unknown format {fmt!r}", param_hint="--format")
    try:
        cfg = load_config(config)
        extractor = Extractor(cfg, packs=rules or None)
        inputs = read_inputs(paths, cfg.settings.input, force_format=fmt)
        with ExitStack() as stack:
            if output == "-":
                out = sys.stdout
                err = stack.enter_context(atomic_writer(errors)) if errors else sys.stderr
            else:
                out_path = Path(output)
                out = stack.enter_context(atomic_writer(out_path))
                err = stack.enter_context(atomic_writer(errors or errors_path_for(out_path)))
            summary = write_records(extractor(inputs), out, err, include_text=not no_text)
    except ConfigError as exc:
        typer.echo(f"claimx: error: [{exc.code}] {exc.message}", err=True)
        raise typer.Exit(2) from None
    if not quiet:
        typer.echo(f"claimx: {summary.line()}", err=True)
    raise typer.Exit(1 if summary.errors else 0)
