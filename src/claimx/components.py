"""spaCy components: sections, citation markers and marker-aware sentence boundaries.

Each reads its vocabulary from the settings (no heading phrase, marker form or
punctuation list is written here) and keeps its results on the Doc:

- ``doc.spans["sections"]``: one span per section, label = kind
  (title, meta, summary, body, ...), ``span.id_`` = the line rule that opened it;
  ``doc.spans["units"]``: the titles, headings and paragraphs that the other
  components read (label = role); ``doc._.layout``: the full layout;
- ``doc.spans["citations"]``: one span per marker, ``span.id_`` = rule id,
  ``span._.refs`` = the cited numbers; ``doc._.rejected_markers``;
- ``token.is_sent_start``: sentence starts that keep markers with the
  sentence they close. Every unit starts a sentence and no sentence crosses
  the end of a unit.

Without a ``claimx_sections`` component before them, the components read the
whole text as one unit.
"""

from __future__ import annotations

from dataclasses import replace

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span

from .citations import MarkerFinder, Rejected
from .sections import SectionSplitter
from .settings import Config, load_config
from . import tokenizer as _tokenizer  # noqa: F401  (registers doc._.layout)

SECTIONS, UNITS, CITATIONS = "sections", "units", "citations"

if not Span.has_extension("refs"):
    Span.set_extension("refs", default=None)
if not Doc.has_extension("rejected_markers"):
    # Plain data in user_data, so Docs still serialise; read back as Rejected objects.
    Doc.set_extension(
        "rejected_markers",
        getter=lambda doc: [Rejected(*r) for r in doc.user_data.get("claimx.rejected") or ()] or None,
        setter=lambda doc, value: doc.user_data.__setitem__(
            "claimx.rejected", [[r.start, r.text, r.reason] for r in value] if value else None),
    )


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


class Sections:
    """Sections and units from the line rules; reuses the layout claimx's tokenizer found."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.splitter = SectionSplitter(config)

    def __call__(self, doc: Doc) -> Doc:
        layout = doc._.layout
        if layout is None:
            layout = doc._.layout = self.splitter(doc.text)
        sections = []
        for s in layout.sections:
            span = doc.char_span(s.start, s.end, label=s.kind, alignment_mode="expand")
            if span is not None:
                span.id_ = s.rule_id or ""
                sections.append(span)
        doc.spans[SECTIONS] = sections
        # A unit always holds a non-space character, so expanding gives a span; with
        # claimx's tokenizer its edges are token edges already.
        doc.spans[UNITS] = [doc.char_span(u.start, u.end, label=u.role, alignment_mode="expand")
                            for u in layout.units]
        return doc


class CitationMarkers:
    def __init__(self, finder: MarkerFinder) -> None:
        self.finder = finder

    def __call__(self, doc: Doc) -> Doc:
        layout, text = doc._.layout, doc.text  # Doc.text joins every token: read it once
        ranges = [(u.start, u.end) for u in layout.units] if layout is not None else [(0, len(text))]
        spans, rejected = [], []
        for first, last in ranges:
            markers, missed = self.finder.find(text[first:last])
            for mk in markers:
                span = doc.char_span(first + mk.start, first + mk.end, label="CITATION", alignment_mode="expand")
                if span is None:
                    continue
                span.id_ = mk.rule_id
                span._.refs = list(mk.refs)
                spans.append(span)
            rejected.extend(replace(r, start=first + r.start) for r in missed)
        doc.spans[CITATIONS] = spans
        doc._.rejected_markers = rejected or None
        return doc


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


@Language.factory("claimx_sections", default_config={"settings": None})
def make_sections(nlp: Language, name: str, settings: str | None) -> Sections:
    return Sections(load_config(settings))


@Language.factory("claimx_citations", default_config={"settings": None})
def make_citations(nlp: Language, name: str, settings: str | None) -> CitationMarkers:
    return CitationMarkers(MarkerFinder(load_config(settings)))


@Language.factory("claimx_sentences", default_config={"settings": None})
def make_sentences(nlp: Language, name: str, settings: str | None) -> MarkerSentences:
    s = load_config(settings).settings.sentences
    return MarkerSentences(s.punct_chars, s.closers)
