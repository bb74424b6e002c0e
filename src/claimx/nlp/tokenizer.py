"""claimx's tokenizer: token boundaries follow the document layout and citation markers.

spaCy's English tokenizer splits glued markers badly ("works[1]." becomes
"works[1", "]", "."), and it knows nothing of the layout, so a heading's
decoration or a cut in a giant line could fall inside a token. This tokenizer

1. splits the text into sections and *units* (titles, headings, paragraphs)
   with claimx's section splitter, when it has one;
2. finds the citation markers inside each unit and keeps each one as a token;
3. tokenizes the text between them with the ordinary tokenizer.

The Doc's text is exactly the input, so character offsets stay exact; every unit
starts and ends on a token boundary; and the layout is left on ``doc._.layout``
for the ``claimx_sections`` component, which then need not split again.
"""

from __future__ import annotations

import re

import spacy
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

from . import extensions as _extensions  # noqa: F401  (registers doc._.layout)
from .units import TEXT

# Chunks (text between spaces) spaCy's tokenizer keeps the tokens of. spaCy's default,
# 10,000, fills up within the first ~60 documents of varied text and then caches
# nothing more; MarkerTokenizer starts a fresh cache every FLUSH_EVERY tokens so that
# it keeps learning the current documents' words within bounded memory. (Fresh: a new
# spaCy tokenizer, see :func:`renewed`. spaCy's own ``_flush_cache`` frees each entry
# but not the token array it points to, so memory grew by about 6 MB a flush.)
CACHE_SIZE = 100_000
FLUSH_EVERY = 1_000_000
# Pieces of text (between markers) up to _SHORT characters are tokenized once each.
_SHORT, _SHORT_KEPT = 4, 10_000


def with_hyphens(infixes, hyphens: list[str], extra: list[str] = ()) -> list[str]:
    """spaCy's infixes and a split at extra hyphen characters (e.g. U+2011) as at '-', then ``extra``."""
    out = list(infixes or [])
    if hyphens:
        chars = "".join(re.escape(h) for h in hyphens)
        out.append(rf"(?<=[^\W\d_])[{chars}](?=[^\W\d_])")
    out.extend(extra)
    return out


def add_hyphens(tokenizer, defaults, hyphens: list[str], extra: list[str] = ()) -> None:
    """Split words at extra hyphen characters (e.g. U+2011) as spaCy does at '-', and at ``extra`` infixes."""
    if not hyphens and not extra:
        return
    tokenizer.infix_finditer = compile_infix_regex(with_hyphens(defaults.infixes, hyphens, extra)).finditer


def base_tokenizer(nlp, hyphens: list[str], extra: list[str] = ()) -> Tokenizer:
    """spaCy's own tokenizer for ``nlp`` (what ``spacy.Tokenizer.v1`` builds) with :func:`add_hyphens`'s infixes.

    Built in one step: the factory would compile the default infix regex and load the
    special cases, and setting the infixes afterwards compiles again and reloads them
    (0.06 s of start-up). ``tests/nlp/test_tokenizer.py`` checks both give the same tokenizer.
    """
    d = nlp.Defaults
    infixes = with_hyphens(d.infixes, hyphens, extra) if hyphens or extra else d.infixes
    return Tokenizer(
        nlp.vocab,
        rules=d.tokenizer_exceptions,
        prefix_search=compile_prefix_regex(d.prefixes).search if d.prefixes else None,
        suffix_search=compile_suffix_regex(d.suffixes).search if d.suffixes else None,
        infix_finditer=compile_infix_regex(infixes).finditer if infixes else None,
        token_match=d.token_match,
        url_match=d.url_match,
        max_cache_size=CACHE_SIZE,
    )


def renewed(tokenizer: Tokenizer) -> Tokenizer:
    """The same tokenizer with an empty cache: its special cases reloaded (about 0.1 s), its regexes reused.

    Dropping the old one frees everything its cache held, which its ``_flush_cache`` does not.
    """
    return Tokenizer(
        tokenizer.vocab,
        rules=tokenizer.rules,
        prefix_search=tokenizer.prefix_search,
        suffix_search=tokenizer.suffix_search,
        infix_finditer=tokenizer.infix_finditer,
        token_match=tokenizer.token_match,
        url_match=tokenizer.url_match,
        faster_heuristics=tokenizer.faster_heuristics,
        max_cache_size=tokenizer.max_cache_size,
    )


class MarkerTokenizer:
    """Wraps a spaCy tokenizer; ``marker`` matches whole citation markers.

    With a ``splitter`` (a :class:`claimx.layout.sections.SectionSplitter`), the text is
    read unit by unit and the layout is kept on the Doc.
    """

    def __init__(self, base, marker: re.Pattern[str], splitter=None) -> None:
        self.base = base
        self.vocab = base.vocab
        self.marker = marker
        self.splitter = splitter
        self._tokens = 0  # tokens made since spaCy's cache was last emptied
        self._short: dict[str, list[tuple[int, int]]] = {}  # short piece -> its (offset, length) of non-space tokens

    def _flush(self, n: int) -> None:
        self._tokens += n
        if self._tokens >= FLUSH_EVERY and isinstance(self.base, Tokenizer):
            self.base = renewed(self.base)
            self._tokens = 0

    def __call__(self, text: str, markup=None) -> Doc:
        """``markup``: an HTML page's :class:`claimx.io.html.Markup`, hints for the section splitter."""
        bounds: list[tuple[int, int]] = []
        if self.splitter is None:
            self._segment(text, 0, len(text), bounds)
            self._flush(len(bounds))
            doc = _doc_from_bounds(self.vocab, text, bounds)
            doc.user_data[TEXT] = text
            return doc
        layout = self.splitter(text, markup=markup)
        pos = 0
        for unit in layout.units:
            if pos < unit.start:  # furniture, numbers, source lists: tokens too, outside any unit
                self._segment(text, pos, unit.start, bounds)
            self._segment(text, unit.start, unit.end, bounds)
            pos = unit.end
        if pos < len(text):
            self._segment(text, pos, len(text), bounds)
        self._flush(len(bounds))
        doc = _doc_from_bounds(self.vocab, text, bounds)
        doc.user_data[TEXT] = text  # read by the components instead of Doc.text (see units.doc_text)
        doc._.layout = layout
        return doc

    def _segment(self, text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
        """Token spans of text[start:end], read on its own (a marker or word never crosses its edges)."""
        piece = text[start:end] if (start, end) != (0, len(text)) else text
        pos = 0
        for m in self.marker.finditer(piece):
            s, e = m.span()
            if pos < s:
                self._words(piece, pos, s, start, out)
            out.append((start + s, start + e))
            pos = e
        if pos < len(piece):
            self._words(piece, pos, len(piece), start, out)

    def _words(self, piece: str, start: int, end: int, offset: int, out: list[tuple[int, int]]) -> None:
        text = piece[start:end]
        if text.isspace():  # only space tokens, which are not kept: a third of the pieces (between markers)
            return
        if len(text) <= _SHORT:  # ".", ":\n": the same few pieces again and again, read once each
            spans = self._short.get(text)
            if spans is None:
                if len(self._short) >= _SHORT_KEPT:
                    self._short.clear()
                spans = self._short[text] = [(t.idx, len(t.text)) for t in self.base(text) if not t.is_space]
            s = offset + start
            out.extend((s + i, s + i + n) for i, n in spans)
            return
        for tok in self.base(text):
            if not tok.is_space:
                s = offset + start + tok.idx
                out.append((s, s + len(tok.text)))

    def pipe(self, texts, batch_size: int = 1000):
        for text in texts:
            yield self(text)

    # spaCy calls these when saving a pipeline; the wrapper has no state of its own.
    def to_bytes(self, **kwargs) -> bytes:
        return self.base.to_bytes(**kwargs)

    def from_bytes(self, data: bytes, **kwargs) -> MarkerTokenizer:
        self.base.from_bytes(data, **kwargs)
        return self

    def to_disk(self, path, **kwargs) -> None:
        self.base.to_disk(path, **kwargs)

    def from_disk(self, path, **kwargs) -> MarkerTokenizer:
        self.base.from_disk(path, **kwargs)
        return self


@spacy.registry.tokenizers("claimx.Tokenizer.v1")
def create_tokenizer(settings: str | None = None, layout: bool = True):
    """The tokenizer of ``configs/claimx.cfg``: ``settings`` is a claimx settings file (null: the packaged one)."""

    def make(nlp) -> MarkerTokenizer:
        from ..config.settings import load_config
        from ..layout.markers import MarkerFinder
        from ..layout.sections import SectionSplitter

        config = load_config(settings)
        base = base_tokenizer(nlp, config.settings.tokenizer.extra_hyphens, config.settings.tokenizer.extra_infixes)
        return MarkerTokenizer(base, MarkerFinder(config).any_marker, SectionSplitter(config) if layout else None)

    return make


def _doc_from_bounds(vocab, text: str, bounds: list[tuple[int, int]]) -> Doc:
    """Build a Doc from non-space token spans; white space in between follows spaCy's rules.

    A gap between two tokens that starts with ' ' gives that space to the token before
    (its ``whitespace_``) and the rest, if any, is a space token; any other gap (at the
    start of the text, or starting with a newline or tab) is a space token whole.
    """
    words: list[str] = []
    spaces: list[bool] = []
    word, space = words.append, spaces.append
    pos = 0
    for s, e in bounds:
        if pos < s:  # a gap; the entry before it, if any, is a token with no space yet
            if words and text[pos] == " ":
                spaces[-1] = True
                if pos + 1 < s:
                    word(text[pos + 1 : s])
                    space(False)
            else:
                word(text[pos:s])
                space(False)
        word(text[s:e])
        space(False)
        pos = e
    if pos < len(text):
        if words and text[pos] == " ":
            spaces[-1] = True
            if pos + 1 < len(text):
                word(text[pos + 1 :])
                space(False)
        else:
            word(text[pos:])
            space(False)
    return Doc(vocab, words=words, spaces=spaces)
