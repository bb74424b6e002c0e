"""The one walker over a record's items, and the one table of level names.

A *level* is a kind of item a record holds: its sections, claims, the tactic
mentions, actors, quantities and hedges inside the claims, its citations,
references and its verdict. :func:`walk` gives the items of one level in text
order, each as an :class:`Item` that carries what the readers of records need
(the pydantic model, its span and text, label or cue, rule id, and the section and
claim it belongs to), so ``check``, ``eval``, ``table``, ``rules stats``,
``gold export`` and ``explain`` do not each walk the record their own way.

Level names: :data:`LEVELS` holds the canonical names (those of the table rows),
:data:`ALIASES` the other spellings. A level is also called by the record list it
comes from (:attr:`Level.field`): the mentions are ``claim.tactics``, so
``"tactics"`` and ``"mentions"`` name one level; :func:`level` resolves either.

Pure functions over the models of :mod:`claimx.records.schema`; no spaCy.
"""

from __future__ import annotations

from dataclasses import dataclass

from .schema import Actor, Citation, Claim, Hedge, Mention, Quantity, Record, Reference, Section, Verdict

Model = Section | Claim | Mention | Actor | Quantity | Hedge | Citation | Reference | Verdict


@dataclass(frozen=True)
class Level:
    name: str  # canonical: the table's "one row per" noun
    field: str  # the record (or claim) list the items come from, as `check` and `eval` name it
    in_claims: bool = False  # the items are held by the claims (claim.tactics ...), not by the record


# Canonical names in the order every list of choices shows them.
LEVELS: dict[str, Level] = {
    lv.name: lv
    for lv in (
        Level("sections", "sections"),
        Level("claims", "claims"),
        Level("mentions", "tactics", in_claims=True),
        Level("actors", "actors", in_claims=True),
        Level("quantities", "quantities", in_claims=True),
        Level("hedges", "hedges", in_claims=True),
        Level("citations", "citations"),
        Level("references", "references"),
        Level("verdicts", "verdict"),
    )
}
# Other names of a level: the record list's name where it differs from the canonical one.
ALIASES: dict[str, str] = {"tactics": "mentions"}
# The levels `claimx eval` scores, by the names of their record lists, in the order it lists them.
SCORED: tuple[str, ...] = ("sections", "citations", "tactics", "quantities", "hedges")


def choices() -> list[str]:
    """Every accepted level name: the canonical ones, then the aliases."""
    return [*LEVELS, *ALIASES]


def level(name: str) -> Level:
    """The level called ``name`` (canonical or alias); ValueError naming the choices for an unknown one."""
    found = LEVELS.get(ALIASES.get(name, name))
    if found is None:
        raise ValueError(f"unknown level {name!r}; choose from {', '.join(choices())}")
    return found


def level_name(name: str) -> str:
    """The canonical name of level ``name``; ValueError for an unknown one."""
    return level(name).name


@dataclass(frozen=True, slots=True)
class Item:
    """One item of a record at one level.

    ``text`` is the item's own text (a section's is sliced from the record text; None
    with --no-text). ``label`` is a mention's or actor's label, a hedge's cue or a
    verdict's rating, else None. ``claim`` is the claim holding a mention, actor,
    quantity or hedge, the first claim citing a citation, a claim itself, else None.
    ``section_id`` is the section the item is in (for a verdict: the one holding its start).
    """

    level: str
    model: Model
    start: int
    end: int
    text: str | None
    label: str | None
    rule_id: str | None
    section_id: str | None
    claim: Claim | None = None

    @property
    def claim_id(self) -> str | None:
        return self.claim.id if self.claim is not None else None


def walk(record: Record, name: str) -> list[Item]:
    """The items of ``record`` at level ``name`` in text order (start, then end; ties keep the record's order)."""
    lv = level(name)
    items: list[Item]
    if lv.in_claims:
        items = [
            Item(
                lv.name,
                m,
                m.start,
                m.end,
                m.text,
                m.cue if lv.name == "hedges" else getattr(m, "label", None),
                m.rule_id,
                k.section_id,
                k,
            )
            for k in record.claims
            for m in getattr(k, lv.field)
        ]
    elif lv.name == "sections":
        text = record.text
        items = [
            Item(lv.name, s, s.start, s.end, text[s.start : s.end] if text is not None else None, None, s.rule_id, s.id)
            for s in record.sections
        ]
    elif lv.name == "claims":
        items = [Item(lv.name, k, k.start, k.end, k.text, None, None, k.section_id, k) for k in record.claims]
    elif lv.name == "citations":
        citing: dict[str, Claim] = {}
        for k in record.claims:
            for cid in k.citation_ids:
                citing.setdefault(cid, k)
        items = [
            Item(lv.name, c, c.start, c.end, c.text, None, c.rule_id, c.section_id, citing.get(c.id))
            for c in record.citations
        ]
    elif lv.name == "references":
        items = [Item(lv.name, r, r.start, r.end, r.text, None, r.rule_id, r.section_id) for r in record.references]
    else:  # verdicts: none or one
        v = record.verdict
        if v is None:
            return []
        section = next((s.id for s in record.sections if s.start <= v.start < s.end), None)
        return [Item(lv.name, v, v.start, v.end, v.text, v.label, v.rule_id, section)]
    items.sort(key=lambda i: (i.start, i.end))
    return items
