"""The ``claimx_sentences`` component: sentence boundaries that keep citation markers with their sentence.

``token.is_sent_start`` is set so that a run of markers stays with the sentence it
closes. Every unit starts a sentence and no sentence crosses the end of a unit;
without a ``claimx_sections`` component before it, the whole text is one unit.
"""

from __future__ import annotations

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from ..config.settings import load_config
from .units import CITATIONS, unit_ranges


class MarkerSentences:
    """Rule-based sentence boundaries that respect citation markers.

    A sentence ends at a token in ``punct_chars``; closing quotes and brackets
    that follow stay with it, and so does a run of markers after it, unless the
    word after the run starts in lower case ("... end. [2] suggests ...", where
    the marker is the subject of the next sentence). A lower-case word right
    after the punctuation does not start a sentence. Each unit is read on its
    own; the text between units forms sentences of its own.
    """

    def __init__(self, punct_chars: list[str], closers: list[str]) -> None:
        self.punct = frozenset(punct_chars)
        self.closers = frozenset(closers)

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if not n:
            return doc
        is_marker = [False] * n
        for span in doc.spans.get(CITATIONS, []):
            for i in range(span.start, span.end):
                is_marker[i] = True
        starts = [False] * n
        pos = 0
        for start, end in unit_ranges(doc):
            if pos < start:
                starts[pos] = True
            self._mark(doc, start, end, is_marker, starts)
            pos = max(pos, end)
        if pos < n:
            starts[pos] = True
        starts[0] = True
        # One array write: setting token.is_sent_start checks the whole Doc each time.
        values = numpy.where(numpy.array(starts), 1, -1).astype("int64").astype("uint64").reshape(-1, 1)
        doc.from_array([SENT_START], values)
        return doc

    def _mark(self, doc: Doc, first: int, n: int, is_marker: list[bool], starts: list[bool]) -> None:
        """Sentence starts within tokens [first, n)."""
        starts[first] = True
        i = first
        while i < n:
            tok = doc[i]
            if tok.text not in self.punct:
                i += 1
                continue
            j = i + 1
            while j < n and (doc[j].text in self.closers or doc[j].text in self.punct):
                j += 1
            k = j
            while k < n and (is_marker[k] or doc[k].is_space):
                k += 1
            if k > j and (k == n or not doc[k].text[:1].islower()):
                j = k
            while j < n and doc[j].is_space:
                j += 1
            if j < n and not doc[j].text[:1].islower():
                starts[j] = True
            i = max(j, i + 1)


@Language.factory("claimx_sentences", default_config={"settings": None})
def make_sentences(nlp: Language, name: str, settings: str | None) -> MarkerSentences:
    s = load_config(settings).settings.sentences
    return MarkerSentences(s.punct_chars, s.closers)
