"""Score predicted records against gold: precision, recall and F1 per label and per rule.

Gold is either claimx records (the same schema as the output) or span
annotations in the spaCy/Prodigy form ``{"doc_id", "text"?, "spans": [{start,
end, label}]}``, which hold tactic mentions only.

Two modes: ``exact`` (same label, same start and end) and ``overlap`` (same
label, spans share at least one character; each gold item matches at most
one prediction).
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import ConfigError, Errors, validation_problems
from ..records import items
from ..records.schema import Record


@dataclass(frozen=True, order=True)
class Item:
    doc_id: str
    start: int
    end: int
    label: str
    rule_id: str = ""
    text: str = ""


# What eval scores an item of each level as, where it is not the item's own label (and text).
_LABEL = {
    "sections": lambda s: f"{s.kind}|{s.number}|{s.heading}",
    "citations": lambda c: "CITATION",
    "quantities": lambda q: "QUANTITY",
}
_TEXT = {"sections": lambda s: "", "citations": lambda c: ",".join(map(str, c.refs))}


def scored_level(level: str) -> str:
    """The canonical name of a level eval scores; ValueError naming those it scores otherwise."""
    lv = items.LEVELS.get(items.ALIASES.get(level, level))
    if lv is None or lv.field not in items.SCORED:
        raise ValueError(f"unknown level {level!r}; choose from {', '.join(items.SCORED)}")
    return lv.name


def items_of(record: Record, level: str) -> list[Item]:
    """The scoreable items of one record at one level, deduplicated, in text order."""
    name = scored_level(level)
    label, text = _LABEL.get(name), _TEXT.get(name)
    d = record.doc_id
    return sorted(
        {
            Item(
                d,
                i.start,
                i.end,
                label(i.model) if label else i.label,
                i.rule_id or "",
                text(i.model) if text else i.text,
            )
            for i in items.walk(record, name)
        }
    )


def items_of_spans(doc_id: str, spans: Iterable[dict]) -> list[Item]:
    return sorted({Item(doc_id, int(s["start"]), int(s["end"]), str(s["label"]), "", s.get("text", "")) for s in spans})


def doc_items(doc, level: str) -> list[Item]:
    """The items of a record or of span annotations (``goldio.SpanDoc``, tactic mentions only)."""
    if isinstance(doc, Record):
        return items_of(doc, level)
    if scored_level(level) != "mentions":
        raise ValueError(f"span annotations hold tactic mentions only, not {level}")
    return items_of_spans(doc.doc_id, doc.spans)


def match(pred: list[Item], gold: list[Item], mode: str) -> tuple[set[Item], set[Item]]:
    """(matched predictions, matched gold items)."""
    if mode == "exact":
        key = {(g.doc_id, g.start, g.end, g.label): g for g in gold}
        hit_p = {p for p in pred if (p.doc_id, p.start, p.end, p.label) in key}
        hit_g = {key[(p.doc_id, p.start, p.end, p.label)] for p in hit_p}
        return hit_p, hit_g
    if mode != "overlap":
        raise ValueError(f"unknown mode {mode!r}")
    by_key: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for g in gold:
        by_key[(g.doc_id, g.label)].append(g)
    hit_p: set[Item] = set()
    hit_g: set[Item] = set()
    # Best overlap first, so a long prediction does not steal a gold item from an exact one.
    pairs = sorted(
        (
            (min(p.end, g.end) - max(p.start, g.start), p, g)
            for p in pred
            for g in by_key[(p.doc_id, p.label)]
            if p.start < g.end and g.start < p.end
        ),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    for _, p, g in pairs:
        if p not in hit_p and g not in hit_g:
            hit_p.add(p)
            hit_g.add(g)
    return hit_p, hit_g


def _prf(tp_p: int, n_pred: int, tp_g: int, n_gold: int) -> tuple[float, float, float]:
    p = tp_p / n_pred if n_pred else 0.0
    r = tp_g / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score(pred: list[Item], gold: list[Item], mode: str = "exact") -> pd.DataFrame:
    """One row per label plus ``ALL`` (micro-averaged): pred, gold, tp, precision, recall, f1."""
    hit_p, hit_g = match(pred, gold, mode)
    rows = []
    labels = sorted({i.label for i in pred} | {i.label for i in gold})
    for label in [*labels, "ALL"]:
        sel = (lambda i: True) if label == "ALL" else (lambda i, lab=label: i.label == lab)
        ps = [i for i in pred if sel(i)]
        gs = [i for i in gold if sel(i)]
        tp_p = sum(1 for i in ps if i in hit_p)
        tp_g = sum(1 for i in gs if i in hit_g)
        p, r, f = _prf(tp_p, len(ps), tp_g, len(gs))
        rows.append(
            {
                "label": label,
                "mode": mode,
                "pred": len(ps),
                "gold": len(gs),
                "tp": tp_p,
                "precision": round(p, 4),
                "recall": round(r, 4),
                "f1": round(f, 4),
            }
        )
    return pd.DataFrame(rows)


def rule_table(pred: list[Item], gold: list[Item], mode: str = "exact") -> pd.DataFrame:
    """Per rule: hits, true and false positives, precision."""
    hit_p, _ = match(pred, gold, mode)
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for p in pred:
        counts[(p.rule_id, p.label)][0 if p in hit_p else 1] += 1
    rows = [
        {"rule_id": rid, "label": label, "hits": tp + fp, "tp": tp, "fp": fp, "precision": round(tp / (tp + fp), 4)}
        for (rid, label), (tp, fp) in sorted(counts.items())
    ]
    return pd.DataFrame(rows, columns=["rule_id", "label", "hits", "tp", "fp", "precision"])


def missed(pred: list[Item], gold: list[Item], mode: str = "exact") -> pd.DataFrame:
    """Gold items no prediction matched (false negatives), by label."""
    _, hit_g = match(pred, gold, mode)
    rows = [
        {"label": g.label, "doc_id": g.doc_id, "start": g.start, "end": g.end, "text": g.text}
        for g in sorted(gold, key=lambda i: (i.label, i.doc_id, i.start))
        if g not in hit_g
    ]
    return pd.DataFrame(rows, columns=["label", "doc_id", "start", "end", "text"])


def label_table(pred: list[Item], gold: list[Item]) -> pd.DataFrame:
    """One row per label and ``ALL`` (last): pred, gold, then P/R/F1 in exact and overlap mode."""
    long = pd.concat([score(pred, gold, "exact"), score(pred, gold, "overlap")], ignore_index=True)
    wide = long.pivot(index="label", columns="mode", values=["precision", "recall", "f1"])
    wide.columns = [f"{m}_{k}" for k, m in wide.columns]
    table = long[long["mode"] == "exact"].set_index("label")[["pred", "gold"]].join(wide)
    order = [lab for lab in table.index if lab != "ALL"] + ["ALL"]
    return table.loc[order]


class BaselineRow(BaseModel):
    """A row of the ``labels`` table of an ``eval -o`` JSON file (the columns the deltas need)."""

    model_config = ConfigDict(extra="allow")

    label: str
    mode: str
    precision: float
    recall: float
    f1: float


class Baseline(BaseModel):
    model_config = ConfigDict(extra="allow")

    labels: list[BaselineRow]


def read_baseline(path: Path) -> pd.DataFrame:
    """The label scores of an earlier ``eval -o FILE.json``, checked before anything is scored.

    A CSV (``-o FILE.csv``), a cut file or another JSON raise ConfigError naming the
    file and the line or field, instead of a KeyError after the whole evaluation.
    """
    if not path.is_file():
        raise ConfigError(Errors.E004, path=path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(Errors.E051, path=path, line=1, problem=f"not UTF-8: {exc.reason}") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(Errors.E051, path=path, line=exc.lineno, problem=f"invalid JSON: {exc.msg}") from None
    try:
        rows = Baseline.model_validate(data).labels
    except ValidationError as exc:
        raise ConfigError(Errors.E051, path=path, line=1, problem="; ".join(validation_problems(exc)[:5])) from None
    columns = list(BaselineRow.model_fields)
    return pd.DataFrame([r.model_dump(include=set(columns)) for r in rows], columns=columns)


_RANGE = re.compile(r"(\d+)-(\d+)")
_LEADING = re.compile(r"\d+")


class Split:
    """A named part of a dev set: ``tune=001-024`` (a range of the doc_ids' leading numbers),
    ``check=02[5-9]*,03*`` (globs), or both, comma-separated."""

    def __init__(self, spec: str) -> None:
        name, eq, items = spec.partition("=")
        if not eq or not name.strip() or not items.strip():
            raise ValueError(f"a split is NAME=SPEC (e.g. tune=001-024), not {spec!r}")
        self.name = name.strip()
        self.items = [i.strip() for i in items.split(",") if i.strip()]

    def __contains__(self, doc_id: str) -> bool:
        lead = _LEADING.match(doc_id)
        for item in self.items:
            if (m := _RANGE.fullmatch(item)) and lead and int(m[1]) <= int(lead[0]) <= int(m[2]):
                return True
            if fnmatch.fnmatchcase(doc_id, item):
                return True
        return False


def sentence_around(record: Record, start: int, end: int, *, width: int = 100) -> str:
    """The sentence holding text[start:end] with the span in brackets.

    A claim or citation sentence of the record is used when one holds the span;
    otherwise its line, cut to ``width`` characters either side at white space.
    """
    text = record.text or ""
    bounds = [(k.start, k.end) for k in record.claims] + [(c.sentence_start, c.sentence_end) for c in record.citations]
    inside = [b for b in bounds if b[0] <= start and end <= b[1]]
    if inside:
        first, last = min(inside, key=lambda b: b[1] - b[0])
    else:
        first = text.rfind("\n", 0, start) + 1
        last = text.find("\n", end)
        last = len(text) if last < 0 else last
        if start - first > width:
            first = text.find(" ", start - width, start) + 1 or start - width
        if last - end > width:
            cut = text.rfind(" ", end, end + width)
            last = cut if cut > end else end + width
    before, after = text[first:start], text[end:last]
    return " ".join(f"{before}[{text[start:end]}]{after}".split())
