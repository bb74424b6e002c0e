"""Semantic comparison of output records with gold records, for CI and for people.

Lists are compared as sets of keyed items where their order carries no meaning
of its own (it follows the text), so a change shows up as "added"/"lost"
items with the sentence around them, not as a wall of shifted JSON.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from pydantic import BaseModel

from ..records import items
from ..records.schema import Record

FIELDS = (
    "schema_version",
    "source",
    "title",
    "checked_on",
    "layout",
    "claim_reviewed",
    "verdict",
    "text",
    "sections",
    "citations",
    "references",
    "claims",
    "tactics",
    "quantities",
    "hedges",
    "actors",
    "warnings",
)


@dataclass
class Change:
    field: str
    kind: str  # added | lost | changed
    key: str
    detail: str = ""

    def line(self) -> str:
        sign = {"added": "+", "lost": "-", "changed": "~"}[self.kind]
        return f"  {sign} {self.field:<10} {self.key}" + (f"  | {self.detail}" if self.detail else "")


@dataclass
class DocDiff:
    doc_id: str
    status: str  # same | differs | missing | extra
    changes: list[Change] = field(default_factory=list)


def _snippet(text: str | None, start: int, end: int) -> str:
    if not text:
        return ""
    s = " ".join(text[start:end].split())
    return s if len(s) <= 90 else s[:87] + "..."


def _entry(i: items.Item, t: str | None) -> tuple[tuple, tuple[str, str]]:
    """The key an item is matched by, and (the line naming it, its context)."""
    m = i.model
    if i.level == "sections":
        label = f"{m.kind} {m.number or ''} {m.heading or ''}".strip()
        return (m.kind, m.number, m.heading, i.start, i.end), (label, f"{i.start}-{i.end}")
    if i.level == "citations":
        return (i.start, i.end, tuple(m.refs)), (f"{m.text} @{i.start}", _snippet(t, m.sentence_start, m.sentence_end))
    if i.level == "references":
        return (i.start, i.end, m.number), (f"[{m.number}] @{i.start}", _snippet(t, i.start, i.end))
    if i.level == "claims":
        return (i.start, i.end, m.kind, m.certainty), (
            f"{m.kind}/{m.certainty} @{i.start}",
            _snippet(t, i.start, i.end),
        )
    # mentions, actors, quantities, hedges: shown in the sentence of their claim
    label = i.label or f"{m.value} {m.unit}"  # a quantity has no label
    return (i.start, i.end, label), (f"{label} {i.text!r} ({i.rule_id})", _snippet(t, i.claim.start, i.claim.end))


def _keyed(record: Record, name: str) -> dict[tuple, tuple[str, str]]:
    """field -> {key: (label, context)} for one record."""
    if name == "warnings":
        return {
            (code, n): (f"{code[0]}: {code[1]}", "")
            for code, n in Counter((w.code, w.message) for w in record.warnings).items()
        }
    return dict(_entry(i, record.text) for i in items.walk(record, name))


def _order(value: object) -> tuple:
    """A sort key that orders offsets as numbers (``[9]`` before ``[10]``), with None first and text after.

    Keys mix ints, None and strings, which Python cannot compare directly; sorting them
    as strings put offset 1000 before 200.
    """
    if value is None:
        return (0,)
    if isinstance(value, bool | int | float):
        return (1, value)
    if isinstance(value, tuple | list):
        return (2, tuple(_order(v) for v in value))
    return (3, str(value))


def _shown(value: object) -> str:
    """A field value as JSON (a source as its object, a date as its ISO string), the way the record holds it."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    return json.dumps(value, ensure_ascii=False, default=str)


def _span(v) -> str:
    if v is None:
        return "none"
    label = getattr(v, "label", None)
    return (f"{label} " if label else "") + f"{v.text!r} @{v.start} ({v.rule_id})"


_SHOW = {
    "text": lambda v: f"{len(v)} characters" if v is not None else "null",
    "verdict": _span,
    "claim_reviewed": _span,
}


def diff_records(out: Record, gold: Record, ignore: set[str]) -> list[Change]:
    changes: list[Change] = []
    for name in FIELDS:
        if name in ignore:
            continue
        if name in ("schema_version", "title", "checked_on", "layout", "text", "source", "claim_reviewed", "verdict"):
            a, b = getattr(out, name), getattr(gold, name)
            if a != b:
                show = _SHOW.get(name, _shown)
                changes.append(Change(name, "changed", "", f"{show(b)} -> {show(a)}"))
            continue
        new, old = _keyed(out, name), _keyed(gold, name)
        if name == "tactics":  # same span, other label: a relabelling
            new_span = {(k[0], k[1]): k for k in new}
            for k in sorted(set(old) - set(new)):
                other = new_span.get((k[0], k[1]))
                if other is not None and other not in old:
                    changes.append(Change(name, "changed", f"{old[k][0]} -> {new[other][0]}", old[k][1]))
                    new.pop(other)
                    old.pop(k)
        for k in sorted(set(old) - set(new), key=_order):
            changes.append(Change(name, "lost", *old[k]))
        for k in sorted(set(new) - set(old), key=_order):
            changes.append(Change(name, "added", *new[k]))
    return changes


def compare(outputs: dict[str, Record], gold: dict[str, Record], ignore: set[str]) -> list[DocDiff]:
    diffs = []
    for doc_id in sorted(set(outputs) | set(gold)):
        if doc_id not in outputs:
            diffs.append(DocDiff(doc_id, "missing"))
        elif doc_id not in gold:
            diffs.append(DocDiff(doc_id, "extra"))
        else:
            changes = diff_records(outputs[doc_id], gold[doc_id], ignore)
            diffs.append(DocDiff(doc_id, "differs" if changes else "same", changes))
    return diffs


def summary_line(diffs: list[DocDiff]) -> str:
    differ = [d for d in diffs if d.status != "same"]
    counts: Counter = Counter()
    for d in diffs:
        if d.status in ("missing", "extra"):
            counts[f"document {d.status}"] += 1
        for c in d.changes:
            noun = items.ALIASES.get(c.field, c.field)  # "tactics" is counted as "mentions"
            verb = {"added": "gained", "lost": "lost", "changed": "changed"}[c.kind]
            counts[f"{noun} {verb}"] += 1
    detail = ", ".join(f"{n} {what}" for what, n in sorted(counts.items()))
    return f"{len(diffs)} documents, {len(differ)} differ" + (f": {detail}" if detail else "")
