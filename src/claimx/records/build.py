"""Doc -> Record: the one place a record is built from what the pipeline left on a Doc."""

from __future__ import annotations

from spacy.tokens import Doc, Span

from ..io.readers import Input
from ..nlp.claims import CLAIMS, SpanIndex
from ..nlp.units import CITATIONS, REFERENCES, SECTIONS, SectionIndex, SentenceIndex
from . import schema as R


def build_record(inp: Input, doc: Doc) -> R.Record:
    """The record of a document the pipeline has read, from its span groups and ``doc._.page``.

    Nothing comes from the tokenizer's layout: a component that edits the span groups
    (see :mod:`claimx.nlp.units`) changes the record. The Doc's text is ``inp.text``, so a
    span's text is read as its slice of it (``Span.text`` joins its tokens).
    """
    text, page = inp.text, doc._.page or {}
    section_spans = list(doc.spans[SECTIONS]) if SECTIONS in doc.spans else []
    sid = [f"s{i + 1}" for i in range(len(section_spans))]
    sections = []
    for i, s in enumerate(section_spans):
        hs, he = s._.heading_start, s._.heading_end
        sections.append(
            {
                "id": sid[i],
                "kind": s.label_,
                "number": s._.number,
                "heading": text[hs:he] if hs is not None else None,
                "start": s.start_char,
                "end": s.end_char,
                "heading_start": hs,
                "heading_end": he,
                "rule_id": s.id_ or None,
            }
        )
    warnings = [*inp.warnings, *map(tuple, page.get("warnings", ()))]
    warnings += [r.warning() for r in doc._.rejected_markers or ()]
    index = SectionIndex(doc)

    def section_of(span: Span) -> str:
        return sid[index(span.start)]

    entries = list(doc.spans[REFERENCES]) if REFERENCES in doc.spans else []
    citations: list[dict] = []
    by_sentence: dict[int, list[dict]] = {}
    targets = _Targets(entries, page.get("links", ()))
    sentence_of = SentenceIndex(doc)
    for span in doc.spans[CITATIONS]:
        sent_start, sent_start_char, sent_end_char = sentence_of(span.start)
        start, end, refs = span.start_char, span.end_char, span._.refs
        cit = {
            "id": f"c{len(citations) + 1}",
            "text": text[start:end],
            "refs": refs,
            "start": start,
            "end": end,
            "section_id": section_of(span),
            "sentence_start": sent_start_char,
            "sentence_end": sent_end_char,
            "rule_id": span.id_,
            "targets": targets(start, end, refs),
        }
        citations.append(cit)
        by_sentence.setdefault(sent_start, []).append(cit)
    groups = {name: SpanIndex(doc.spans[name]) for name in ("tactics", "hedges", "quantities", "actors")}

    def place(span: Span, **more) -> dict:
        start, end = span.start_char, span.end_char
        return {**more, "text": text[start:end], "start": start, "end": end, "rule_id": span.id_}

    claims = []
    for sent in doc.spans[CLAIMS]:
        cited = by_sentence.get(sent.start, [])
        start, end = sent.start_char, sent.end_char
        claims.append(
            {
                "id": f"k{len(claims) + 1}",
                "section_id": section_of(sent),
                "kind": sent.label_,
                "text": text[start:end],
                "start": start,
                "end": end,
                "citation_ids": [c["id"] for c in cited],
                "citation_refs": [r for c in cited for r in c["refs"]],
                "tactics": [place(s, label=s.label_) for s in groups["tactics"].inside(sent)],
                "quantities": [place(s, value=s._.value, unit=s._.unit) for s in groups["quantities"].inside(sent)],
                "hedges": [place(s, cue=s.label_) for s in groups["hedges"].inside(sent)],
                "certainty": sent._.certainty,
                "actors": [place(s, label=s.label_) for s in groups["actors"].inside(sent)],
            }
        )
    references = [
        {
            "id": f"r{i + 1}",
            "number": e._.number,
            "text": text[e.start_char : e.end_char],
            "start": e.start_char,
            "end": e.end_char,
            "section_id": section_of(e),
            "rule_id": e.id_,
            "url": e._.url,
        }
        for i, e in enumerate(entries)
    ]
    verdict = next(iter(doc.spans.get("verdict", [])), None)
    claim = next(iter(doc.spans.get("claim_reviewed", [])), None)
    # Plain data validated in one call: the same checks as a model per part, without ~90 calls a document.
    return R.Record.model_validate(
        {
            "doc_id": inp.doc_id,
            "source": inp.source,
            "title": page.get("title") or inp.title,
            "checked_on": page.get("checked_on"),
            "layout": page.get("layout", "unsectioned"),
            "claim_reviewed": {**place(claim), "rule_id": claim.id_ or None} if claim is not None else None,
            "verdict": place(verdict, label=verdict.label_) if verdict is not None else None,
            "text": text,
            "sections": sections,
            "citations": citations,
            "references": references,
            "claims": claims,
            "warnings": [{"code": c, "message": m} for c, m in warnings],
        }
    )


class _Targets:
    """The reference entries a marker points to: the one its link targets (HTML), then those with its numbers."""

    def __init__(self, entries: list[Span], links) -> None:
        self.links = links
        self.by_anchor = {a: f"r{i + 1}" for i, e in enumerate(entries) for a in e._.anchors or ()}
        self.by_number: dict[int, str] = {}
        for i, e in enumerate(entries):
            self.by_number.setdefault(e._.number, f"r{i + 1}")

    def __call__(self, start: int, end: int, refs: list[int]) -> list[str]:
        if not self.by_number:
            return []
        linked = [self.by_anchor[t] for s, e, t in self.links if s < end and start < e and t in self.by_anchor]
        found = linked + [self.by_number[n] for n in refs if n in self.by_number]
        return list(dict.fromkeys(found))
