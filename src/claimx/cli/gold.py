from __future__ import annotations

import json
from pathlib import Path

import typer

from ..errors import ConfigError
from ..gold.spans import SpanDoc, export_spans, load_docs, raise_problems, spans_beyond_records
from ..io.files import atomic_writer
from ..io.readers import Input
from ..io.source import Source
from ..records.schema import Record, dumps_gold
from ..run.extractor import Extractor
from .main import CONFIG_HELP, Arg, Opt, Typer, app, fail

gold_app = Typer(
    help="Move gold between claimx records and span annotations (spaCy/Prodigy JSONL).", no_args_is_help=True
)
app.add_typer(gold_app, name="gold")


@gold_app.command("export")
def export_cmd(
    records: Path = Arg(..., help="claimx records (JSONL file or folder)."),
    output: Path = Opt(..., "--output", "-o", help="Span annotations to write ({doc_id, text, spans})."),
) -> None:
    """Write each record's tactic mentions as {"doc_id", "text", "spans": [{start, end, label}]}."""
    try:
        docs = load_docs(records)
    except ConfigError as exc:
        fail(exc)
    with atomic_writer(output) as fh:
        for doc in docs.values():
            if isinstance(doc, Record):
                fh.write(json.dumps(export_spans(doc), ensure_ascii=False) + "\n")
    typer.echo(f"claimx: wrote {len(docs)} documents to {output}", err=True)


@gold_app.command("import")
def import_cmd(
    spans: Path = Arg(..., help="Span annotations {doc_id, text?, spans} (JSONL file or folder)."),
    output: Path = Opt(..., "--output", "-o", help="Gold records to write."),
    texts: Path | None = Opt(None, "--texts", help="claimx records giving the text of annotations without one."),
    config: Path | None = Opt(None, "--config", "-c", help=CONFIG_HELP),
) -> None:
    """Build gold records whose tactic mentions are the annotated spans (everything else as extracted).

    They are written as gold is stored: one pretty-printed record after another. A
    malformed annotation, or a span past the end of its text, stops the command with
    exit 2 naming path:line before anything is written.
    """
    try:
        annotations = load_docs(spans)
        text_docs = load_docs(texts) if texts else {}
        raise_problems(spans_beyond_records(annotations, text_docs, annotations))  # before anything is written
        extractor = Extractor(pipeline=config)
    except ConfigError as exc:
        fail(exc)
    missing = 0
    with atomic_writer(output) as fh:
        for doc_id, ann in annotations.items():
            if not isinstance(ann, SpanDoc):
                continue
            base = text_docs.get(doc_id)
            text = ann.text or (base.text if isinstance(base, Record) else None)
            if text is None:
                missing += 1
                typer.echo(f"claimx: {doc_id}: no text (add it to the annotation or pass --texts)", err=True)
                continue
            source = base.source if isinstance(base, Record) else Source(path=str(spans), format="jsonl")
            record = extractor.with_mentions(Input(doc_id, source, text=text), ann.spans)
            fh.write(dumps_gold(record) + "\n")
    raise typer.Exit(1 if missing else 0)
