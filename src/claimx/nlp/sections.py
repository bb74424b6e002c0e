"""The ``claimx_sections`` component: the document's structure as span groups (see :mod:`claimx.nlp.units`)."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from ..config.settings import Config, load_config
from ..layout.sections import SectionSplitter
from . import extensions as _extensions  # noqa: F401  (registers doc._.layout)
from .units import REFERENCES, SECTIONS, UNITS


class Sections:
    """Sections and units from the line rules; reuses the layout claimx's tokenizer found."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.splitter = SectionSplitter(config)

    def __call__(self, doc: Doc) -> Doc:
        layout = doc._.layout
        if layout is None:
            layout = self.splitter(doc.text)
        sections = []
        for s in layout.sections:
            span = doc.char_span(s.start, s.end, label=s.kind, alignment_mode="expand")
            if span is not None:
                span.id_ = s.rule_id or ""
                span._.number = s.number
                span._.heading_start, span._.heading_end = s.heading_start, s.heading_end
                sections.append(span)
        doc.spans[SECTIONS] = sections
        # A unit always holds a non-space character, so expanding gives a span; with
        # claimx's tokenizer its edges are token edges already.
        doc.spans[UNITS] = [doc.char_span(u.start, u.end, label=u.role, alignment_mode="expand") for u in layout.units]
        entries = []
        for e in layout.entries:
            span = doc.char_span(e.start, e.end, label="reference", alignment_mode="expand")
            if span is not None:
                span.id_ = e.rule_id
                span._.number, span._.url, span._.anchors = e.number, e.url, list(e.anchors)
                entries.append(span)
        doc.spans[REFERENCES] = entries
        doc._.page = {
            "title": layout.title,
            "checked_on": layout.checked_on.isoformat() if layout.checked_on else None,
            "layout": layout.layout,
            "warnings": [list(w) for w in layout.warnings],
            "links": [list(link) for link in layout.links],
        }
        return doc


@Language.factory("claimx_sections", default_config={"settings": None})
def make_sections(nlp: Language, name: str, settings: str | None) -> Sections:
    return Sections(load_config(settings))
