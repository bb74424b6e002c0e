"""Claims: sentences that name a tactic or carry a citation marker, with what goes with them."""

from __future__ import annotations

from spacy.tokens import Doc, Span

from . import records as R


def _inside(spans, sent: Span) -> list[Span]:
    return [s for s in spans if sent.start <= s.start and s.end <= sent.end]


def certainty(hedges: list[R.Hedge]) -> str:
    cues = {h.cue for h in hedges}
    return "negated" if "negation" in cues else "hedged" if "hedge" in cues else "asserted"


def build_claims(doc: Doc, off: int, section_id: str, cited: dict[int, list[R.Citation]],
                 *, first_id: int) -> list[R.Claim]:
    """Claims of one unit (title, heading or paragraph); ``off`` is the unit's document offset."""
    groups = doc.spans
    claims: list[R.Claim] = []
    for sent in doc.sents:
        tactics = _inside(groups["tactics"], sent)
        citations = cited.get(sent.start, [])
        if not tactics and not citations:
            continue

        def place(span: Span) -> dict:
            return {"text": span.text, "start": off + span.start_char, "end": off + span.end_char, "rule_id": span.id_}

        hedges = [R.Hedge(cue=s.label_, **place(s)) for s in _inside(groups["hedges"], sent)]
        start, end = off + sent.start_char, off + sent.end_char
        claims.append(R.Claim(
            id=f"k{first_id + len(claims)}", section_id=section_id, kind="tactic" if tactics else "cited",
            text=sent.text, start=start, end=end,
            citation_ids=[c.id for c in citations], citation_refs=[r for c in citations for r in c.refs],
            tactics=[R.Mention(label=s.label_, **place(s)) for s in tactics],
            quantities=[R.Quantity(value=s._.value, unit=s._.unit, **place(s))
                        for s in _inside(groups["quantities"], sent)],
            hedges=hedges, certainty=certainty(hedges),
            actors=[R.Actor(label=s.label_, **place(s)) for s in _inside(groups["actors"], sent)],
        ))
    return claims
