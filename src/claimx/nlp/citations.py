"""The ``claimx_citations`` component: one span per citation marker in ``doc.spans["citations"]``."""

from __future__ import annotations

from dataclasses import replace

from spacy.language import Language
from spacy.tokens import Doc

from ..config.settings import load_config
from ..layout.markers import MarkerFinder
from . import extensions as _extensions  # noqa: F401  (registers span._.refs, doc._.rejected_markers)
from .units import CITATIONS, UNITS, doc_text


class CitationMarkers:
    def __init__(self, finder: MarkerFinder) -> None:
        self.finder = finder

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)  # Doc.text joins every token
        units = doc.spans.get(UNITS)
        ranges = [(u.start_char, u.end_char) for u in units] if units is not None else [(0, len(text))]
        spans, rejected = [], []
        for first, last in ranges:
            markers, missed = self.finder.find(text[first:last])
            for mk in markers:
                span = doc.char_span(first + mk.start, first + mk.end, label="CITATION", alignment_mode="expand")
                if span is None:
                    continue
                span.id_ = mk.rule_id
                span._.refs = list(mk.refs)
                spans.append(span)
            rejected.extend(replace(r, start=first + r.start) for r in missed)
        doc.spans[CITATIONS] = spans
        doc._.rejected_markers = rejected or None
        return doc


@Language.factory("claimx_citations", default_config={"settings": None})
def make_citations(nlp: Language, name: str, settings: str | None) -> CitationMarkers:
    return CitationMarkers(MarkerFinder(load_config(settings)))
