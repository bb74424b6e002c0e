"""Rule analysis on unlabelled text: coverage, overlaps and conflicts per rule.

The span-level counterpart of a labelling-function summary: how often each rule
fires, on how many documents and claims, how often its spans overlap another
rule's, and how often another rule puts a *different* label on the same span.
Tactic and actor rules are counted alike, each among the mentions of its own kind.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

import pandas as pd

from ..records.items import Item, walk
from ..records.schema import ErrorRecord, Record

COLUMNS = ["rule_id", "label", "hits", "doc_coverage", "claim_coverage", "overlaps", "conflicts"]


def rule_stats(records: Iterable[Record | ErrorRecord], rules: Mapping[str, str] | None = None) -> pd.DataFrame:
    """One row per rule, sorted by rule id.

    ``rules`` (rule id -> label, e.g. every rule of the loaded packs) adds a row of
    zeros for each rule that never fired: a rule that finds nothing is what a pack's
    author most needs to see, and it is invisible in a table of hits only.
    """
    docs: dict[str, set[str]] = defaultdict(set)
    claims: dict[str, int] = defaultdict(int)
    hits: dict[str, int] = defaultdict(int)
    overlaps: dict[str, int] = defaultdict(int)
    conflicts: dict[str, int] = defaultdict(int)
    label_of: dict[str, str] = dict(rules or {})
    n_docs = n_claims = 0
    for rec in records:
        if not isinstance(rec, Record):
            continue
        n_docs += 1
        n_claims += len(rec.claims)
        for level in ("mentions", "actors"):  # each among the mentions of its own kind, in its own claim
            by_claim: dict[str, list[Item]] = defaultdict(list)
            for i in walk(rec, level):
                by_claim[i.claim_id].append(i)
            for ms in by_claim.values():
                for rid in {m.rule_id for m in ms}:
                    claims[rid] += 1
                for m in ms:
                    hits[m.rule_id] += 1
                    docs[m.rule_id].add(rec.doc_id)
                    label_of[m.rule_id] = m.label
                    others = [o for o in ms if o is not m and o.start < m.end and m.start < o.end]
                    if others:
                        overlaps[m.rule_id] += 1
                    if any(o.label != m.label and (o.start, o.end) == (m.start, m.end) for o in others):
                        conflicts[m.rule_id] += 1
    rows = [
        {
            "rule_id": rid,
            "label": label_of[rid],
            "hits": hits[rid],
            "doc_coverage": round(len(docs[rid]) / n_docs, 4) if n_docs else 0.0,
            "claim_coverage": round(claims[rid] / n_claims, 4) if n_claims else 0.0,
            "overlaps": overlaps[rid],
            "conflicts": conflicts[rid],
        }
        for rid in sorted(label_of)
    ]
    return pd.DataFrame(rows, columns=COLUMNS)
