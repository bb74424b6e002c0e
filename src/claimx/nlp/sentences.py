"""The ``claimx_sentences`` component: sentence boundaries that keep citation markers with their sentence.

``token.is_sent_start`` is set so that a run of markers stays with the sentence it
closes. Every unit starts a sentence and no sentence crosses the end of a unit;
without a ``claimx_sections`` component before it, the whole text is one unit.
"""

from __future__ import annotations

from bisect import bisect_left

import numpy
from spacy.attrs import IDX, IS_SPACE, LENGTH, ORTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from ..config.settings import load_config
from .units import CITATIONS, doc_text, unit_ranges


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
        self._hashes: tuple | None = None  # (punct, punct or closers) as string hashes, made on first use

    def _sets(self, doc: Doc) -> tuple[numpy.ndarray, numpy.ndarray]:
        if self._hashes is None:
            strings = doc.vocab.strings
            punct = {strings.add(p) for p in self.punct}
            ends = punct | {strings.add(c) for c in self.closers}
            self._hashes = (numpy.array(sorted(punct), dtype="uint64"), numpy.array(sorted(ends), dtype="uint64"))
        return self._hashes

    def __call__(self, doc: Doc) -> Doc:
        n = len(doc)
        if not n:
            return doc
        is_marker = [False] * n
        for span in doc.spans.get(CITATIONS, []):
            for i in range(span.start, span.end):
                is_marker[i] = True
        starts = [False] * n
        # Tokens read as arrays: sentence punctuation (its positions), closers, space
        # tokens, and where each starts in the text (to see if it starts in lower case).
        punct, ends = self._sets(doc)
        cols = doc.to_array([ORTH, IDX, LENGTH, IS_SPACE])
        orth = cols[:, 0]
        idx, length, space = cols[:, 1].tolist(), cols[:, 2].tolist(), cols[:, 3].tolist()
        text = doc_text(doc)
        tokens = (
            numpy.flatnonzero(numpy.isin(orth, punct)).tolist(),
            numpy.isin(orth, ends).tolist(),
            space,
            lambda k: length[k] > 0 and text[idx[k]].islower(),
        )
        pos = 0
        for start, end in unit_ranges(doc):
            if pos < start:
                starts[pos] = True
            self._mark(tokens, start, end, is_marker, starts)
            pos = max(pos, end)
        if pos < n:
            starts[pos] = True
        starts[0] = True
        # One array write: setting token.is_sent_start checks the whole Doc each time.
        values = numpy.where(numpy.array(starts), 1, -1).astype("int64").astype("uint64").reshape(-1, 1)
        doc.from_array([SENT_START], values)
        return doc

    def _mark(self, tokens: tuple, first: int, n: int, is_marker: list[bool], starts: list[bool]) -> None:
        """Sentence starts within tokens [first, n)."""
        at_punct, is_end, space, lower = tokens
        starts[first] = True
        p = bisect_left(at_punct, first)
        while p < len(at_punct) and at_punct[p] < n:
            i = at_punct[p]
            j = i + 1
            while j < n and is_end[j]:
                j += 1
            k = j
            while k < n and (is_marker[k] or space[k]):
                k += 1
            if k > j and (k == n or not lower(k)):
                j = k
            while j < n and space[j]:
                j += 1
            if j < n and not lower(j):
                starts[j] = True
            p = bisect_left(at_punct, max(j, i + 1), p)


@Language.factory("claimx_sentences", default_config={"settings": None})
def make_sentences(nlp: Language, name: str, settings: str | None) -> MarkerSentences:
    s = load_config(settings).settings.sentences
    return MarkerSentences(s.punct_chars, s.closers)
