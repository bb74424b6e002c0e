"""The span groups claimx's components write, and the units (titles, headings, paragraphs) they read."""

from __future__ import annotations

from spacy.tokens import Doc

SECTIONS, UNITS, CITATIONS = "sections", "units", "citations"


def unit_ranges(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges of the units, in text order (the whole Doc when there is no layout)."""
    if UNITS in doc.spans:
        return [(span.start, span.end) for span in doc.spans[UNITS]]
    return [(0, len(doc))] if len(doc) else []


def unit_index(doc: Doc) -> list[int]:
    """For each token, the index of its unit in ``unit_ranges`` (-1 between units)."""
    index = [-1] * len(doc)
    for k, (start, end) in enumerate(unit_ranges(doc)):
        index[start:end] = [k] * (end - start)
    return index
