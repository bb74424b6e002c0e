"""claimx's tokenizer: token boundaries follow the document layout and citation markers.

spaCy's English tokenizer splits glued markers badly ("works[1]." becomes
"works[1", "]", "."), and it knows nothing of the layout, so a heading's
decoration or a cut in a giant line could fall inside a token. This tokenizer

1. splits the text into sections and *units* (titles, headings, paragraphs)
   with claimx's section splitter, when it has one;
2. finds the citation markers inside each unit and keeps each one as a token;
3. tokenizes the text between them with the ordinary tokenizer.

Step 3 reads the text with the ordinary tokenizer line by line, not piece by piece:
spaCy tokenizes each run of non-space characters (a *chunk*) on its own, so the tokens
of a chunk that no marker touches and no unit edge cuts are the same either way. Only
the chunks a marker or a unit edge cuts ("works[1].", a heading number glued to a
word) are read again on their own, piece by piece. ``tests/nlp/test_tokenizer.py``
checks the two readings give the same tokens on generated text.

The Doc's text is exactly the input, so character offsets stay exact; every unit
starts and ends on a token boundary; and the layout is left on ``doc._.layout``
for the ``claimx_sections`` component, which then need not split again.
"""

from __future__ import annotations

import re
from bisect import bisect_left

import spacy
from spacy.attrs import IDX, IS_SPACE, LENGTH
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

from . import extensions as _extensions  # noqa: F401  (registers doc._.layout)
from .units import TEXT

# Chunks (text between spaces) spaCy's tokenizer keeps the tokens of. spaCy's default,
# 10,000, fills up within the first ~60 documents of varied text and then caches
# nothing more; MarkerTokenizer empties the cache every FLUSH_EVERY tokens so that it
# keeps learning the current documents' words within bounded memory.
CACHE_SIZE = 100_000
FLUSH_EVERY = 1_000_000
# Pieces of text (between markers) up to _SHORT characters are tokenized once each.
_SHORT, _SHORT_KEPT = 4, 10_000
_SPACE = re.compile(r"\s")  # what spaCy's tokenizer splits chunks at (str.isspace)


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
        if self._tokens >= FLUSH_EVERY and hasattr(self.base, "_flush_cache"):
            self.base._flush_cache()
            self._tokens = 0

    def __call__(self, text: str, markup=None) -> Doc:
        """``markup``: an HTML page's :class:`claimx.io.html.Markup`, hints for the section splitter."""
        layout = self.splitter(text, markup=markup) if self.splitter is not None else None
        doc = _doc_from_bounds(self.vocab, text, self.bounds(text, layout))
        doc.user_data[TEXT] = text  # read by the components instead of Doc.text (see units.doc_text)
        if layout is not None:
            doc._.layout = layout
        return doc

    def bounds(self, text: str, layout=None, whole: bool = True) -> list[tuple[int, int]]:
        """(start, end) of every non-space token of ``text``; with ``layout``, no token crosses a unit's edge.

        ``whole=False`` reads every piece on its own (the reference :meth:`__call__`'s fast
        reading is tested against).
        """
        tokens = self._whole(text) if whole else None
        bounds: list[tuple[int, int]] = []
        pos = 0
        for unit in layout.units if layout is not None else ():
            if pos < unit.start:  # furniture, numbers, source lists: tokens too, outside any unit
                self._segment(text, pos, unit.start, bounds, tokens)
            self._segment(text, unit.start, unit.end, bounds, tokens)
            pos = unit.end
        if pos < len(text):
            self._segment(text, pos, len(text), bounds, tokens)
        self._flush(len(bounds))
        return bounds

    def _whole(self, text: str) -> tuple[list[int], list[int]]:
        """Starts and ends of the non-space tokens of the whole text, read line by line.

        A line is read in one call, not the whole text: once spaCy's tokenizer meets a
        special case ("don't", "U.S.") it caches no more chunks for the rest of that call
        (spaCy issue #1250), and new words would never reach the cache.
        """
        starts: list[int] = []
        ends: list[int] = []
        pos = 0
        for line in text.split("\n"):
            if line and not line.isspace():
                array = self.base(line).to_array([IDX, LENGTH, IS_SPACE])
                array = array[array[:, 2] == 0]
                first = array[:, 0] + pos
                starts += first.tolist()
                ends += (first + array[:, 1]).tolist()
            pos += len(line) + 1
        return starts, ends

    def _segment(self, text: str, start: int, end: int, out: list[tuple[int, int]], tokens=None) -> None:
        """Token spans of text[start:end], read on its own (a marker or word never crosses its edges)."""
        piece = text[start:end] if (start, end) != (0, len(text)) else text
        pos = 0
        for m in self.marker.finditer(piece):
            s, e = m.span()
            if pos < s:
                self._between(text, start + pos, start + s, out, tokens)
            out.append((start + s, start + e))
            pos = e
        if pos < len(piece):
            self._between(text, start + pos, end, out, tokens)

    def _between(self, text: str, start: int, end: int, out: list[tuple[int, int]], tokens) -> None:
        """Tokens of text[start:end] (no marker inside) as if read on its own: the whole text's
        tokens where whole chunks lie inside, the chunks cut at either edge read again."""
        if tokens is None or end - start <= _SHORT:
            self._words(text, start, end, 0, out)
            return
        lo, hi = start, end
        if start > 0 and not text[start - 1].isspace() and not text[start].isspace():
            m = _SPACE.search(text, start, end)  # the chunk cut at the left edge ends here
            if m is None:
                self._words(text, start, end, 0, out)
                return
            lo = m.start()
            self._words(text, start, lo, 0, out)
        right = end < len(text) and not text[end - 1].isspace() and not text[end].isspace()
        if right:
            hi = _last_space(text, lo, end) + 1
            if hi <= lo:  # no space after lo: what is left is one cut chunk
                self._words(text, lo, end, 0, out)
                return
        starts, ends = tokens
        i = bisect_left(starts, lo)
        while i < len(starts) and ends[i] <= hi:
            out.append((starts[i], ends[i]))
            i += 1
        if right:
            self._words(text, hi, end, 0, out)

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


def _last_space(text: str, start: int, end: int) -> int:
    """Index of the last white-space character of text[start:end], or start - 1."""
    for i in range(end - 1, start - 1, -1):
        if text[i].isspace():
            return i
    return start - 1


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
