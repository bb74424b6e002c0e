from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer

from ..config.pipeline import settings_for
from ..errors import ConfigError, Errors
from ..gold.check import FIELDS, compare, summary_line
from ..gold.spans import SpanDoc, load_docs
from ..io.files import atomic_writer
from ..records.schema import dumps_gold
from .main import CONFIG_HELP, Arg, Opt, app, fail


@app.command("check")
def check_cmd(
    output: Path = Arg(..., help="Output records (JSONL file or folder)."),
    gold: Path = Arg(..., help="Gold records (JSONL file or folder)."),
    ignore: list[str] = Opt(None, "--ignore", "-i", help=f"Fields to skip: {', '.join(FIELDS)}."),
    fmt: str = Opt("text", "--format", help="text or json."),
    update: bool = Opt(False, "--update", help="Rewrite GOLD from OUTPUT (atomically) after an intended change."),
    config: Path | None = Opt(None, "--config", "-c", help=f"{CONFIG_HELP} Gives check.ignore."),
) -> None:
    """Compare output with gold record by record. Exit 0 identical, 1 differences, 2 usage or input error."""
    try:
        cfg = settings_for(config)
        gold_files: dict[str, Path] = {}
        out_docs, gold_docs = load_docs(output), load_docs(gold, gold_files)
    except ConfigError as exc:
        fail(exc)
    skip = set(ignore or cfg.settings.check.ignore)
    unknown = skip - set(FIELDS)
    if unknown or fmt not in ("text", "json"):
        fail(ConfigError(Errors.E090, fields=sorted(unknown), fmt=fmt))
    if any(isinstance(d, SpanDoc) for d in [*out_docs.values(), *gold_docs.values()]):
        fail(ConfigError(Errors.E091))
    diffs = compare(out_docs, gold_docs, skip)
    if update:
        _update(gold, out_docs, gold_files)
        typer.echo(f"claimx: updated {gold} from {output}", err=True)
        raise typer.Exit(0)
    if fmt == "json":
        typer.echo(
            json.dumps(
                {"documents": [asdict(d) for d in diffs if d.status != "same"], "summary": summary_line(diffs)},
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        for d in diffs:
            if d.status == "same":
                continue
            typer.echo(f"{d.doc_id}: {d.status}")
            for c in d.changes:
                typer.echo(c.line())
        typer.echo(summary_line(diffs))
    raise typer.Exit(1 if any(d.status != "same" for d in diffs) else 0)


def _update(gold: Path, out_docs: dict, gold_files: dict[str, Path]) -> None:
    """A gold file is replaced whole; in a gold folder each record goes back to its own file.

    Gold is written in its stored form (:func:`claimx.records.schema.dumps_gold`), whatever form it was read in.
    """
    if not gold.is_dir():
        with atomic_writer(gold) as fh:
            for doc_id in sorted(out_docs, key=list(out_docs).index):
                fh.write(dumps_gold(out_docs[doc_id]) + "\n")
        return
    by_file: dict[Path, list] = {}
    for doc_id, rec in out_docs.items():
        target = gold_files.get(doc_id) or gold / (doc_id.replace("/", "__") + ".jsonl")
        by_file.setdefault(target, []).append(rec)
    for target, recs in by_file.items():
        with atomic_writer(target) as fh:
            for rec in recs:
                fh.write(dumps_gold(rec) + "\n")
    for doc_id, path in gold_files.items():
        if doc_id not in out_docs and path not in by_file:
            path.unlink()
