"""What the index page shows of the whole archive, gathered in one reading of the records."""

from __future__ import annotations

import hashlib
import re
import sys
from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from typing import get_args

from ...config.settings import SectionKind
from ...io.source import Source
from ...records.items import walk
from ...records.schema import Claim, ErrorRecord, Mention, Record, Verdict
from .palette import palette

CERTAINTIES: tuple[str, ...] = get_args(Claim.model_fields["certainty"].annotation)
SECTION_KINDS: tuple[str, ...] = get_args(SectionKind)
# Verdict classes in scale order, then records with no verdict.
VERDICTS: tuple[str, ...] = (*get_args(Verdict.model_fields["label"].annotation), "not read")
TIMELINE_DOCS = 80  # columns of the timeline when it shows documents (no record has a date)


def page_name(doc_id: str, digits: int | None = 12) -> str:
    """A safe, stable file name for a document page: the id's safe characters plus ``digits`` of its hash."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", doc_id).strip("-.")[:60] or "doc"
    return f"{base}-{hashlib.sha1(doc_id.encode('utf-8')).hexdigest()[:digits]}.html"


def where(source: Source) -> str:
    """``path:line`` of a source (``path`` alone when it has no line)."""
    return source.path + (f":{source.line}" if source.line else "")


def mentions(record: Record) -> Iterator[Mention]:
    """The record's tactic mentions, in text order (the one record walker's)."""
    return (item.model for item in walk(record, "mentions"))


@dataclass(frozen=True, slots=True)
class DocSummary:
    """What the index page needs of one record; never its text, sections or claims."""

    doc_id: str
    title: str | None
    layout: str
    checked_on: date | None
    counts: tuple[int, ...]  # sections, citations, claims, tactic mentions, warnings
    warnings: str | None  # the warning codes, for a tooltip

    @property
    def month(self) -> str:
        return self.checked_on.isoformat()[:7] if self.checked_on else "undated"


class Stats:
    """Archive-wide counts, label colours, page names and a :class:`DocSummary` per record (in doc_id order).

    ``records`` is read once, and no record is kept. Two records with one doc_id are
    allowed here; :attr:`duplicate` names the first such id (the report refuses it).
    """

    def __init__(self, records: Iterable[Record], errors: Iterable[ErrorRecord]) -> None:
        self.kinds, self.kind_docs, self.certainty, self.totals = Counter(), Counter(), Counter(), Counter()
        self.labels, self.label_docs, self.rules, self.rule_docs = Counter(), Counter(), Counter(), Counter()
        self.months: Counter[tuple[str, str]] = Counter()  # (DocSummary.month, label) -> mentions
        self.verdicts: Counter[str] = Counter()  # verdict class ("not read": no verdict) -> documents
        self.verdict_months: Counter[tuple[str, str]] = Counter()  # (DocSummary.month, verdict class) -> documents
        self.first_docs: list[tuple[str, Counter[str]]] = []  # (doc_id, mentions per label), TIMELINE_DOCS of them
        self.schemas: set[str] = set()
        self.docs = sorted(map(self._add, records), key=lambda d: d.doc_id)
        self.duplicate = next(
            (a.doc_id for a, b in zip(self.docs, self.docs[1:], strict=False) if a.doc_id == b.doc_id), None
        )
        self.errors = sorted(errors, key=lambda e: (e.doc_id, e.source.path, e.source.line or 0, e.code))
        self.colours = palette(self.labels)
        self.dated = any(d.checked_on for d in self.docs)
        unique = len({page_name(d.doc_id) for d in self.docs}) == len(self.docs)
        self.digits = 12 if unique else None  # a 48-bit hash clash: use the whole hash

    def _add(self, r: Record) -> DocSummary:
        kinds = [s.kind for s in r.sections]
        labels = Counter(m.label for m in mentions(r))
        rules = Counter((m.rule_id, m.label) for m in mentions(r))
        self.kinds.update(kinds)
        self.kind_docs.update(set(kinds))
        self.certainty.update(k.certainty for k in r.claims)
        self.labels.update(labels)
        self.label_docs.update(labels.keys())
        self.rules.update(rules)
        self.rule_docs.update(rules.keys())
        self.totals.update(
            sections=len(r.sections),
            citations=len(r.citations),
            references=len(r.references),
            claims=len(r.claims),
            warnings=len(r.warnings),
            refs=sum(len(c.refs) for c in r.citations),
            uncited=not r.citations,
        )
        self.schemas.add(r.schema_version)
        counts = (len(r.sections), len(r.citations), len(r.claims), labels.total(), len(r.warnings))
        doc = DocSummary(
            r.doc_id, r.title, sys.intern(r.layout), r.checked_on, counts, ", ".join(w.code for w in r.warnings) or None
        )
        self.months.update({(doc.month, lab): n for lab, n in labels.items()})
        verdict = r.verdict.label if r.verdict else "not read"
        self.verdicts[verdict] += 1
        self.verdict_months[doc.month, verdict] += 1
        insort(self.first_docs, (doc.doc_id, labels), key=itemgetter(0))
        del self.first_docs[TIMELINE_DOCS:]
        return doc

    def label_order(self) -> list[str]:
        return sorted(self.labels, key=lambda lab: (-self.labels[lab], lab))

    def top_rules(self, limit: int = 25) -> list[tuple[str, str]]:
        """(rule_id, label) of the ``limit`` tactic rules with most mentions."""
        return sorted(self.rules, key=lambda k: (-self.rules[k], k))[:limit]

    def page(self, doc_id: str) -> str:
        return page_name(doc_id, self.digits)

    def neighbours(self, doc_id: str) -> tuple[str | None, str | None]:
        """The doc_ids before and after ``doc_id``, in doc_id order; KeyError if it was not read."""
        i = bisect_left(self.docs, doc_id, key=lambda d: d.doc_id)
        if i == len(self.docs) or self.docs[i].doc_id != doc_id:
            raise KeyError(doc_id)
        return (self.docs[i - 1].doc_id if i else None, self.docs[i + 1].doc_id if i + 1 < len(self.docs) else None)
