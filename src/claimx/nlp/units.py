"""The span groups claimx's components write, and the units (titles, headings, paragraphs) they read.

``claimx_sections`` writes the document's structure once, and every later component
and the record builder read it from here (never from the tokenizer's layout):

- ``doc.spans["sections"]``: one span per section, label = its kind, ``id_`` = the rule
  that opened it, ``span._.number`` and ``span._.heading_start``/``heading_end``
  (character offsets of its heading, or None);
- ``doc.spans["units"]``: titles, headings and paragraphs (label = the role), what the
  rules and the claims read;
- ``doc.spans["references"]``: the entries of a source list, ``span._.number``,
  ``span._.url``, ``span._.anchors``;
- ``doc._.page``: the rest as plain data (title, checked_on, layout, warnings, the
  marker links of an HTML page).
"""

from __future__ import annotations

from bisect import bisect_right

import numpy
from spacy.attrs import SENT_START
from spacy.tokens import Doc, Span

SECTIONS, UNITS, CITATIONS, REFERENCES = "sections", "units", "citations", "references"
TEXT = "claimx.text"  # doc.user_data key: the text claimx's tokenizer read


def doc_text(doc: Doc) -> str:
    """``doc.text``, without joining every token when claimx's tokenizer left the text on the Doc."""
    text = doc.user_data.get(TEXT)
    if isinstance(text, str) and (doc[-1].idx + len(doc[-1].text_with_ws) == len(text) if len(doc) else not text):
        return text
    return doc.text


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


class SectionIndex:
    """Which section holds a span, looked up by its first token (sections are in text order)."""

    def __init__(self, doc: Doc) -> None:
        self.sections: list[Span] = list(doc.spans[SECTIONS]) if SECTIONS in doc.spans else []
        self.starts = [s.start for s in self.sections]

    def __call__(self, token: int) -> int:
        """Index of the section holding token ``token`` (-1 before the first one)."""
        return bisect_right(self.starts, token) - 1


class SentenceIndex:
    """Which sentence holds a token, as ``Span.sent`` gives it, from one array read (no Span made)."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        starts = numpy.flatnonzero(doc.to_array(SENT_START) == 1).tolist() if len(doc) else []
        self.starts = starts if starts[:1] == [0] or not len(doc) else [0, *starts]
        self._found: dict[int, tuple[int, int, int]] = {}

    def __call__(self, token: int) -> tuple[int, int, int]:
        """(first token, start char, end char) of the sentence holding token ``token``."""
        k = bisect_right(self.starts, token) - 1
        found = self._found.get(k)
        if found is None:
            first = self.starts[k]
            last = self.doc[self.starts[k + 1] - 1 if k + 1 < len(self.starts) else len(self.doc) - 1]
            found = self._found[k] = (first, self.doc[first].idx, last.idx + len(last))
        return found
