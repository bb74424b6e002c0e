"""A document's text as HTML with its highlights: claims, headings, tactic marks, quantities, cues, markers."""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass

from markupsafe import Markup

from ...records.items import walk
from ...records.schema import Record
from .markup import attr_text
from .palette import Colour


@dataclass(frozen=True)
class Highlight:
    """A highlight: one element wrapped around text[start:end]; ``rank`` orders spans that start and end together."""

    start: int
    end: int
    rank: int
    name: str
    attrs: tuple[tuple[str, object], ...]
    label: str | None = None
    title: str | None = None


def spans_of(record: Record, colours: dict[str, Colour]) -> list[Highlight]:
    """Every highlight of a record: claims, headings, tactic mentions, quantities, cues and markers."""
    out: set[Highlight] = set()
    for s in record.sections:
        if s.heading_start is not None and s.heading_end is not None and s.heading_end > s.heading_start:
            out.add(Highlight(s.heading_start, s.heading_end, 1, "span", (("class", "hd"),)))
    for k in record.claims:
        out.add(
            Highlight(
                k.start,
                k.end,
                0,
                "span",
                (
                    ("class", "claim"),
                    ("id", k.id),
                    ("data-kind", "claim"),
                    ("data-claim", k.id),
                    ("data-certainty", k.certainty),
                ),
            )
        )
    for m in (item.model for item in walk(record, "mentions")):
        out.add(
            Highlight(
                m.start,
                m.end,
                2,
                "mark",
                (
                    ("class", f"tac lab-{colours[m.label].index}"),
                    ("data-kind", "tactic"),
                    ("data-label", m.label),
                    ("data-rule", m.rule_id),
                    ("data-start", m.start),
                    ("data-end", m.end),
                ),
                label=m.label,
                title=f"{m.label} \u00b7 {m.rule_id}",
            )
        )
    for q in (item.model for item in walk(record, "quantities")):
        value = "" if q.value is None else q.value
        out.add(
            Highlight(
                q.start,
                q.end,
                3,
                "span",
                (
                    ("class", "qty"),
                    ("data-kind", "quantity"),
                    ("data-value", value),
                    ("data-unit", q.unit),
                    ("data-rule", q.rule_id),
                    ("data-start", q.start),
                    ("data-end", q.end),
                ),
                title=f"quantity {value if value != '' else '(vague)'} {q.unit} \u00b7 {q.rule_id}",
            )
        )
    for h in (item.model for item in walk(record, "hedges")):
        out.add(
            Highlight(
                h.start,
                h.end,
                4,
                "span",
                (
                    ("class", h.cue),
                    ("data-kind", h.cue),
                    ("data-rule", h.rule_id),
                    ("data-start", h.start),
                    ("data-end", h.end),
                ),
                title=f"{h.cue} \u00b7 {h.rule_id}",
            )
        )
    v = record.verdict
    if v is not None and v.end > v.start:
        out.add(
            Highlight(
                v.start,
                v.end,
                6,
                "span",
                (
                    ("class", f"verdict v-{v.label}"),
                    ("id", "verdict"),
                    ("data-kind", "verdict"),
                    ("data-verdict", v.label),
                    ("data-rule", v.rule_id),
                    ("data-start", v.start),
                    ("data-end", v.end),
                ),
                title=f"verdict: {v.label} \u00b7 {v.rule_id}",
            )
        )
    for c in record.citations:
        refs = ", ".join(map(str, c.refs))
        out.add(
            Highlight(
                c.start,
                c.end,
                5,
                "span",
                (
                    ("class", "cite"),
                    ("data-kind", "citation"),
                    ("data-refs", " ".join(map(str, c.refs))),
                    ("data-rule", c.rule_id),
                    ("data-start", c.start),
                    ("data-end", c.end),
                ),
                title=f"cites {refs} \u00b7 {c.rule_id}",
            )
        )
    return sorted(out, key=lambda s: (s.start, -s.end, s.rank, repr(s.attrs)))


def render_text(
    text: str, spans: list[Highlight], colours: dict[str, Colour], lo: int = 0, hi: int | None = None
) -> Markup:
    """``text[lo:hi]`` as HTML with every span wrapped around its characters.

    Spans nest where they can; a span that crosses another is closed at the boundary
    and opened again after it (the pieces share their data-* attributes, only the
    first piece carries the ``id``), so overlapping spans all stay visible. A tactic
    mark inside a mark of another label gets that label's colour as an extra
    underline below its own.
    """
    hi = len(text) if hi is None else hi
    inside = [(max(s.start, lo), min(s.end, hi), s) for s in spans if s.start < hi and s.end > lo and s.end > s.start]
    starts: dict[int, list[tuple[int, int, Highlight]]] = defaultdict(list)
    for item in inside:
        starts[item[0]].append(item)
    cuts = sorted({lo, hi, *(a for a, _, _ in inside), *(b for _, b, _ in inside)})
    out: list[str] = []  # escaped text and tags of escaped attributes
    stack: list[tuple[int, int, Highlight]] = []
    for p, q in zip(cuts, [*cuts[1:], None], strict=False):
        ending = [i for i, (_, b, _) in enumerate(stack) if b <= p]
        reopen: list[tuple[int, int, Highlight]] = []
        if ending:
            cut = ending[0]
            out.extend(f"</{s.name}>" for _, _, s in reversed(stack[cut:]))
            reopen = [item for item in stack[cut:] if item[1] > p]
            del stack[cut:]
        for item in sorted(reopen + starts.get(p, []), key=lambda it: (-it[1], it[2].rank, repr(it[2].attrs))):
            out.append(_open(item[2], first=p == item[2].start, stack=stack, colours=colours))
            stack.append(item)
        if q is not None:
            out.append(html.escape(text[p:q]))
    return Markup("".join(out))  # Markup: escaped text between tags of escaped attributes


def _open(span: Highlight, *, first: bool, stack: list, colours: dict[str, Colour]) -> Markup:
    attrs = {k: v for k, v in span.attrs if first or k != "id"}
    if span.label is not None:
        outer = []
        for _, _, s in stack:
            if s.label is not None and s.label != span.label and s.label not in outer:
                outer.append(s.label)
        if outer:
            attrs["style"] = "box-shadow:" + ",".join(
                f"0 {3 * (i + 1)}px 0 {colours[lab].strong}" for i, lab in enumerate(reversed(outer))
            )
        titles = [span.title] + [f"within {lab}" for lab in outer]
        attrs["title"] = "\n".join(titles)
    elif span.title is not None:
        attrs["title"] = span.title
    return Markup(f"<{span.name}{attr_text(attrs)}>")
