"""spaCy components: citation markers and marker-aware sentence boundaries.

Both read their vocabulary from the settings (no marker form or punctuation
list is written here) and keep their results on the Doc:

- ``doc.spans["citations"]``: one span per marker, ``span.id_`` = rule id,
  ``span._.refs`` = the cited numbers;
- ``token.is_sent_start``: sentence starts that keep markers with the
  sentence they close.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from .citations import MarkerFinder

CITATIONS = "citations"

if not Span.has_extension("refs"):
    Span.set_extension("refs", default=None)
if not Doc.has_extension("rejected_markers"):
    Doc.set_extension("rejected_markers", default=None)


class CitationMarkers:
    def __init__(self, finder: MarkerFinder) -> None:
        self.finder = finder

    def __call__(self, doc: Doc) -> Doc:
        markers, rejected = self.finder.find(doc.text)
        spans = []
        for mk in markers:
            span = doc.char_span(mk.start, mk.end, label="CITATION", alignment_mode="expand")
            if span is None:
                continue
            span.id_ = mk.rule_id
            span._.refs = list(mk.refs)
            spans.append(span)
        doc.spans[CITATIONS] = spans
        doc._.rejected_markers = rejected or None
        return doc


class MarkerSentences:
    """Rule-based sentence boundaries that respect citation markers.

    A sentence ends at a token in ``punct_chars``; closing quotes and brackets
    that follow stay with it, and so does a run of markers after it, unless the
    word after the run starts in lower case ("... end. [2] suggests ...", where
    the marker is the subject of the next sentence). A lower-case word right
    after the punctuation does not start a sentence.
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
        starts[0] = True
        i = 0
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
        for idx, tok in enumerate(doc):
            tok.is_sent_start = starts[idx]
        return doc


@Language.factory("claimx_citations", default_config={"config_path": None})
def make_citations(nlp: Language, name: str, config_path: str | None) -> CitationMarkers:
    from .settings import load_config

    return CitationMarkers(MarkerFinder(load_config(config_path)))


@Language.factory("claimx_sentences", default_config={"config_path": None})
def make_sentences(nlp: Language, name: str, config_path: str | None) -> MarkerSentences:
    from .settings import load_config

    s = load_config(config_path).settings.sentences
    return MarkerSentences(s.punct_chars, s.closers)
