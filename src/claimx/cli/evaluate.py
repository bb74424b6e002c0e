from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from ..errors import ConfigError, Errors
from ..gold.spans import load_docs, raise_problems, spans_beyond_records
from ..io.files import atomic_writer, check_output_path
from ..records.items import LEVELS, SCORED
from ..records.schema import Record
from .main import Arg, Opt, app, fail

if TYPE_CHECKING:  # pandas and the scorer load when a command runs, not with every CLI call
    import pandas as pd


def _items(docs, doc_ids, level):
    from ..gold.evaluate import doc_items

    try:
        return [i for d in doc_ids if d in docs for i in doc_items(docs[d], level)]
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _missed_by_label(miss: pd.DataFrame, docs: dict) -> list[str]:
    """Missed gold items grouped by label, each with its sentence."""
    from ..gold.evaluate import sentence_around

    lines = []
    for label, rows in miss.groupby("label", sort=True):
        lines.append(f"{label} ({len(rows)})")
        for r in rows.itertuples(index=False):
            lines.append(f"  {r.doc_id} {r.start}-{r.end} {r.text!r}")
            record = docs.get(r.doc_id)
            if isinstance(record, Record) and record.text:
                lines.append(f"      {sentence_around(record, r.start, r.end)}")
    return lines


@app.command("eval")
def eval_cmd(
    pred: Path = Arg(..., help="Predicted records (JSONL file or folder)."),
    gold: Path = Arg(..., help="Gold records, or span annotations {doc_id, spans} (file or folder)."),
    level: str = Opt(
        "tactics",
        "--level",
        "-l",
        help=f"What to score: {', '.join(SCORED)}, verdicts (taken when GOLD is a verdict file).",
    ),
    output: Path | None = Opt(
        None, "--output", "-o", help="Write the tables as JSON (.json) or CSV (.csv, label table)."
    ),
    out_alias: Path | None = Opt(None, "--out", hidden=True, help="The old spelling of --output."),
    baseline: Path | None = Opt(None, "--baseline", help="An earlier -o JSON: print deltas against it."),
    show_missed: bool = Opt(
        False, "--missed", help="List the gold items no prediction reached, by label, with their sentence."
    ),
    splits: list[str] = Opt(
        None,
        "--split",
        help="Also score a part of the documents: NAME=SPEC, SPEC a range of "
        "leading doc_id numbers (001-024) or globs, comma-separated. "
        "Repeat for several parts.",
    ),
) -> None:
    """Precision, recall and F1 per label (exact and overlap) and per rule.

    Exit 0 scored, 2 for a usage error or an input that cannot be scored (a malformed
    record, span or --baseline is named path:line before anything is scored).
    """
    import pandas as pd

    from ..gold.evaluate import label_table, missed, read_baseline, rule_table, score, scored_level
    from ..gold.verdictscore import is_verdict_file

    out = one_output(output, out_alias)

    if level == "verdicts" or (gold.is_file() and is_verdict_file(gold)):
        return _eval_verdicts(pred, gold, splits, out)
    try:
        level = LEVELS[scored_level(level)].field  # named as its record list: "mentions" is shown as "tactics"
    except ValueError:
        raise typer.BadParameter(f"choose from {', '.join(SCORED)}", param_hint="--level") from None
    parts = _splits(splits)
    try:
        if out is not None:
            check_output_path(out)
        before = read_baseline(baseline) if baseline is not None else None
        p_docs, g_docs = load_docs(pred), load_docs(gold)
        common = sorted(set(p_docs) & set(g_docs))
        raise_problems(spans_beyond_records(g_docs, p_docs, common) + spans_beyond_records(p_docs, g_docs, common))
    except ConfigError as exc:
        fail(exc)
    if not common:
        fail(ConfigError(Errors.E093))
    p_items, g_items = _items(p_docs, common, level), _items(g_docs, common, level)
    labels = pd.concat([score(p_items, g_items, "exact"), score(p_items, g_items, "overlap")], ignore_index=True)
    rules = rule_table(p_items, g_items, "overlap")
    pd.set_option("display.width", 200)
    typer.echo(
        f"{level}: {len(common)} documents scored"
        f" ({len(set(g_docs) - set(p_docs))} gold-only, {len(set(p_docs) - set(g_docs))} pred-only)\n"
    )
    typer.echo(label_table(p_items, g_items).to_string())
    result: dict = {"level": level, "labels": labels.to_dict("records"), "rules": rules.to_dict("records")}
    for part in parts:
        ids = [d for d in common if d in part]
        typer.echo(f"\nsplit {part.name}: {len(ids)} documents ({', '.join(part.items)})")
        if not ids:
            continue
        sel_p, sel_g = [i for i in p_items if i.doc_id in part], [i for i in g_items if i.doc_id in part]
        typer.echo(label_table(sel_p, sel_g).to_string())
        result.setdefault("splits", {})[part.name] = pd.concat(
            [score(sel_p, sel_g, "exact"), score(sel_p, sel_g, "overlap")], ignore_index=True
        ).to_dict("records")
    typer.echo("\nper rule (overlap mode):")
    typer.echo(rules.to_string(index=False) if len(rules) else "  (no predictions)")
    if show_missed:
        miss = missed(p_items, g_items, "overlap")
        typer.echo("\nmissed gold items (overlap mode), by label:")
        typer.echo("\n".join(_missed_by_label(miss, p_docs)) if len(miss) else "  none")
    if before is not None:
        merged = labels.merge(before, on=["label", "mode"], how="outer", suffixes=("", "_before")).fillna(0)
        for k in ("precision", "recall", "f1"):
            merged[f"d_{k}"] = (merged[k] - merged[f"{k}_before"]).round(4)
        changed = merged[(merged[["d_precision", "d_recall", "d_f1"]] != 0).any(axis=1)]
        typer.echo("\nchanges against the baseline:")
        cols = ["label", "mode", "precision", "d_precision", "recall", "d_recall", "f1", "d_f1"]
        typer.echo(changed[cols].to_string(index=False) if len(changed) else "  none")
    if out is not None:
        with atomic_writer(out) as fh:  # a reader (or the next --baseline) never sees half a file
            if out.suffix == ".csv":
                labels.to_csv(fh, index=False)
            else:
                fh.write(json.dumps(result, indent=2) + "\n")


def one_output(output: Path | None, alias: Path | None) -> Path | None:
    """``-o/--output``, or its old spelling ``--out`` (hidden, kept so that scripts keep working)."""
    if output is not None and alias is not None and output != alias:
        raise typer.BadParameter("give -o/--output once (--out is its old spelling)", param_hint="--output")
    return output if output is not None else alias


def _eval_verdicts(pred: Path, gold: Path, splits: list[str] | None, out: Path | None) -> None:
    """Accuracy, confusion matrix and per-class P/R/F1 of the records' verdicts (whole set and splits)."""
    from ..gold.verdictscore import (
        accuracy,
        class_table,
        confusion,
        is_verdict_file,
        judged,
        read_verdict_gold,
        span_agreement,
    )

    parts = _splits(splits)
    try:
        if out is not None:
            check_output_path(out)
        p_docs = {d: judged(r) for d, r in load_docs(pred).items() if isinstance(r, Record)}
        g_docs = (
            read_verdict_gold(gold)
            if gold.is_file() and is_verdict_file(gold)
            else {d: judged(r) for d, r in load_docs(gold).items() if isinstance(r, Record)}
        )
    except ConfigError as exc:
        fail(exc)
    common = sorted(set(p_docs) & set(g_docs))
    if not common:
        fail(ConfigError(Errors.E093))
    result: dict = {"level": "verdicts"}
    for name, ids in [("all", common), *((part.name, [d for d in common if d in part]) for part in parts)]:
        if not ids:
            typer.echo(f"\nsplit {name}: 0 documents")
            continue
        matrix = confusion(p_docs, g_docs, ids)
        classes = class_table(matrix)
        phrase, claim = span_agreement(p_docs, g_docs, ids, "span"), span_agreement(p_docs, g_docs, ids, "claim")
        head = "verdicts" if name == "all" else f"split {name}"
        typer.echo(
            f"\n{head}: {len(ids)} documents, accuracy {accuracy(matrix):.3f}; verdict phrase overlaps "
            f"gold in {phrase[0]}/{phrase[1]}, claim in {claim[0]}/{claim[1]}"
        )
        typer.echo(matrix.to_string())
        typer.echo(classes.to_string(index=False))
        result[name] = {
            "documents": len(ids),
            "accuracy": accuracy(matrix),
            "classes": classes.to_dict("records"),
            "confusion": matrix.to_dict("index"),
        }
    if out is not None:
        with atomic_writer(out) as fh:
            fh.write(json.dumps(result, indent=2) + "\n")


def _splits(specs: list[str] | None) -> list:
    """The --split parts (NAME=SPEC each); a malformed one is a usage error."""
    from ..gold.evaluate import Split

    try:
        return [Split(spec) for spec in specs or ()]
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--split") from None
