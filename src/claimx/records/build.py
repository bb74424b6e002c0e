"""Doc -> Record: the one place a record is built from what the pipeline left on a Doc."""

from __future__ import annotations

from spacy.tokens import Doc, Span

from ..io.readers import Input
from ..nlp.claims import CLAIMS, SpanIndex
from ..nlp.units import CITATIONS, unit_index
from . import schema as R


def build_record(inp: Input, doc: Doc) -> R.Record:
    """The record of a document the pipeline has read.

    Sections, units and references come from the layout the pipeline left on the Doc
    (``doc._.layout``); citations, claims and their mentions from the span groups.
    """
    text, layout = inp.text, doc._.layout
    sid = [f"s{i + 1}" for i in range(len(layout.sections))]
    sections = [
        R.Section(
            id=sid[i],
            kind=s.kind,
            number=s.number,
            heading=s.heading,
            start=s.start,
            end=s.end,
            heading_start=s.heading_start,
            heading_end=s.heading_end,
            rule_id=s.rule_id,
        )
        for i, s in enumerate(layout.sections)
    ]
    warnings = list(inp.warnings) + list(layout.warnings) + [r.warning() for r in doc._.rejected_markers or ()]
    unit_of = unit_index(doc)

    def section_of(span: Span) -> str:
        return sid[layout.units[unit_of[span.start]].section]

    citations: list[R.Citation] = []
    by_sentence: dict[int, list[R.Citation]] = {}
    targets = _Targets(layout)
    for span in doc.spans[CITATIONS]:
        sent = span.sent
        cit = R.Citation(
            id=f"c{len(citations) + 1}",
            text=span.text,
            refs=span._.refs,
            start=span.start_char,
            end=span.end_char,
            section_id=section_of(span),
            sentence_start=sent.start_char,
            sentence_end=sent.end_char,
            rule_id=span.id_,
            targets=targets(span.start_char, span.end_char, span._.refs),
        )
        citations.append(cit)
        by_sentence.setdefault(sent.start, []).append(cit)
    groups = {name: SpanIndex(doc.spans[name]) for name in ("tactics", "hedges", "quantities", "actors")}

    def place(span: Span) -> dict:
        return {"text": span.text, "start": span.start_char, "end": span.end_char, "rule_id": span.id_}

    claims = []
    for sent in doc.spans[CLAIMS]:
        cited = by_sentence.get(sent.start, [])
        claims.append(
            R.Claim(
                id=f"k{len(claims) + 1}",
                section_id=section_of(sent),
                kind=sent.label_,
                text=sent.text,
                start=sent.start_char,
                end=sent.end_char,
                citation_ids=[c.id for c in cited],
                citation_refs=[r for c in cited for r in c.refs],
                tactics=[R.Mention(label=s.label_, **place(s)) for s in groups["tactics"].inside(sent)],
                quantities=[
                    R.Quantity(value=s._.value, unit=s._.unit, **place(s)) for s in groups["quantities"].inside(sent)
                ],
                hedges=[R.Hedge(cue=s.label_, **place(s)) for s in groups["hedges"].inside(sent)],
                certainty=sent._.certainty,
                actors=[R.Actor(label=s.label_, **place(s)) for s in groups["actors"].inside(sent)],
            )
        )
    references = [
        R.Reference(
            id=f"r{i + 1}",
            number=e.number,
            text=text[e.start : e.end],
            start=e.start,
            end=e.end,
            section_id=sid[e.section],
            rule_id=e.rule_id,
            url=e.url,
        )
        for i, e in enumerate(layout.entries)
    ]
    verdict = next(iter(doc.spans.get("verdict", [])), None)
    claim = next(iter(doc.spans.get("claim_reviewed", [])), None)
    return R.Record(
        doc_id=inp.doc_id,
        source=inp.source,
        title=layout.title or inp.title,
        checked_on=layout.checked_on,
        layout=layout.layout,
        claim_reviewed=R.ClaimReviewed(
            text=claim.text, start=claim.start_char, end=claim.end_char, rule_id=claim.id_ or None
        )
        if claim is not None
        else None,
        verdict=R.Verdict(label=verdict.label_, **place(verdict)) if verdict is not None else None,
        text=text,
        sections=sections,
        citations=citations,
        references=references,
        claims=claims,
        warnings=[R.RecordWarning(code=c, message=m) for c, m in warnings],
    )


class _Targets:
    """The reference entries a marker points to: the one its link targets (HTML), then those with its numbers."""

    def __init__(self, layout) -> None:
        self.links = layout.links
        self.by_anchor = {a: f"r{i + 1}" for i, e in enumerate(layout.entries) for a in e.anchors}
        self.by_number: dict[int, str] = {}
        for i, e in enumerate(layout.entries):
            self.by_number.setdefault(e.number, f"r{i + 1}")

    def __call__(self, start: int, end: int, refs: list[int]) -> list[str]:
        if not self.by_number:
            return []
        linked = [self.by_anchor[t] for s, e, t in self.links if s < end and start < e and t in self.by_anchor]
        found = linked + [self.by_number[n] for n in refs if n in self.by_number]
        return list(dict.fromkeys(found))
