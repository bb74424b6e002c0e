"""Every Doc and Span extension claimx's components set, registered once on import.

Extensions that hold structured data keep it as plain data in ``doc.user_data``,
so Docs still serialise (``nlp.pipe(n_process=...)``, ``DocBin``):

- ``doc._.layout``: the :class:`~claimx.layout.sections.Layout` the tokenizer found, its
  hand-off to ``claimx_sections`` (rebuilt from plain data on each read: read it once;
  the span groups that component writes are what everything after it reads);
- ``doc._.page``: title, checked_on, layout name, warnings and marker links of a page
  (plain data, written by ``claimx_sections``);
- ``doc._.rejected_markers``: bracket pairs that looked like markers but were refused;
- ``span._.refs``: the numbers a citation marker cites;
- ``span._.certainty``: asserted, hedged or negated, on claims;
- ``span._.value``, ``span._.unit``: a quantity's number and unit; ``span._.core``: the
  phrase a widened mention grew from;
- ``span._.number``, ``span._.heading_start``, ``span._.heading_end`` on sections and
  ``span._.number``, ``span._.url``, ``span._.anchors`` on reference entries.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span

from ..layout.markers import Rejected
from ..layout.sections import Layout

_LAYOUT = "claimx.layout"


def _get_layout(doc: Doc):
    data = doc.user_data.get(_LAYOUT)
    return Layout.from_data(data) if data is not None else None


def _set_layout(doc: Doc, layout) -> None:
    # Kept as plain data so Docs still serialise (nlp.pipe(n_process=...), DocBin).
    doc.user_data[_LAYOUT] = layout.to_data() if layout is not None else None


if not Doc.has_extension("layout"):
    Doc.set_extension("layout", getter=_get_layout, setter=_set_layout)
if not Doc.has_extension("rejected_markers"):
    # Plain data in user_data, so Docs still serialise; read back as Rejected objects.
    Doc.set_extension(
        "rejected_markers",
        getter=lambda doc: [Rejected(*r) for r in doc.user_data.get("claimx.rejected") or ()] or None,
        setter=lambda doc, value: doc.user_data.__setitem__(
            "claimx.rejected", [[r.start, r.text, r.reason] for r in value] if value else None
        ),
    )
if not Doc.has_extension("page"):
    Doc.set_extension("page", default=None)
for _name in ("refs", "certainty", "value", "unit", "core", "number", "heading_start", "heading_end", "url", "anchors"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)
