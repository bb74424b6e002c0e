"""Claims: sentences that name a tactic or carry a citation marker, with what goes with them.

The ``claimx_claims`` component puts them in ``doc.spans["claims"]``: label =
kind (``tactic`` or ``cited``), ``span._.certainty`` (asserted, hedged or
negated, from the hedge cues inside) and ``span._.refs`` (the cited numbers).
Claims come from titles and from the units of the configured section kinds.
"""

from __future__ import annotations

from bisect import bisect_left

from spacy.language import Language
from spacy.tokens import Doc, Span

from . import extensions as _extensions  # noqa: F401  (registers span._.certainty, span._.refs)
from .units import CITATIONS, UNITS, SectionIndex, unit_ranges

CLAIMS = "claims"


class SpanIndex:
    """Spans sorted by start, to find the ones inside a sentence quickly."""

    def __init__(self, spans) -> None:
        self.spans = sorted(spans, key=lambda s: (s.start, s.end))
        self.starts = [s.start for s in self.spans]

    def inside(self, sent: Span) -> list[Span]:
        first, last = bisect_left(self.starts, sent.start), bisect_left(self.starts, sent.end)
        return [s for s in self.spans[first:last] if s.end <= sent.end]


def certainty(cues: list[str]) -> str:
    return "negated" if "negation" in cues else "hedged" if "hedge" in cues else "asserted"


def claim_sentences(doc: Doc, kinds: frozenset[str]) -> list[Span]:
    """Sentences of the units that can hold claims (all of them without a layout)."""
    ranges = unit_ranges(doc)
    if UNITS in doc.spans:
        section_of = SectionIndex(doc)
        ranges = [
            (u.start, u.end)
            for u in doc.spans[UNITS]
            if u.label_ == "title" or section_of.sections[section_of(u.start)].label_ in kinds
        ]
    sents = list(doc.sents) if ranges else []
    starts = [s.start for s in sents]
    out = []
    for first, last in ranges:
        for sent in sents[bisect_left(starts, first) : bisect_left(starts, last)]:
            out.append(doc[sent.start : min(sent.end, last)])
    return out


class Claims:
    def __init__(self, kinds: list[str]) -> None:
        self.kinds = frozenset(kinds)

    def __call__(self, doc: Doc) -> Doc:
        groups = doc.spans
        tactics, citations, hedges = (SpanIndex(groups.get(name, [])) for name in ("tactics", CITATIONS, "hedges"))
        claims = []
        for sent in claim_sentences(doc, self.kinds):
            named, cited = tactics.inside(sent), citations.inside(sent)
            if not named and not cited:
                continue
            claim = Span(doc, sent.start, sent.end, label="tactic" if named else "cited")
            claim._.certainty = certainty([h.label_ for h in hedges.inside(sent)])
            claim._.refs = [r for c in cited for r in c._.refs]
            claims.append(claim)
        groups[CLAIMS] = claims
        return doc


@Language.factory("claimx_claims", default_config={"settings": None})
def make_claims(nlp: Language, name: str, settings: str | None) -> Claims:
    from ..config.settings import load_config

    return Claims(load_config(settings).settings.claims.sections)
