"""A tokenizer that keeps every citation marker as one token.

spaCy's English tokenizer splits glued markers badly ("works[1]." becomes
"works[1", "]", "."). This wrapper finds the markers first, tokenizes the text
between them with the ordinary tokenizer and builds one Doc whose text is
exactly the input, so character offsets stay exact.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc
from spacy.util import compile_infix_regex


def add_hyphens(nlp, hyphens: list[str]) -> None:
    """Split words at extra hyphen characters (e.g. U+2011) as spaCy does at '-'."""
    if not hyphens:
        return
    chars = "".join(re.escape(h) for h in hyphens)
    extra = rf"(?<=[^\W\d_])[{chars}](?=[^\W\d_])"
    infixes = list(nlp.Defaults.infixes or []) + [extra]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer


class MarkerTokenizer:
    """Wraps a spaCy tokenizer; ``marker`` matches whole citation markers."""

    def __init__(self, base, marker: re.Pattern[str]) -> None:
        self.base = base
        self.vocab = base.vocab
        self.marker = marker

    def __call__(self, text: str) -> Doc:
        spans = [m.span() for m in self.marker.finditer(text)]
        if not spans:
            return self.base(text)
        bounds: list[tuple[int, int]] = []
        pos = 0
        for s, e in spans:
            if pos < s:
                self._tokenize(text, pos, s, bounds)
            bounds.append((s, e))
            pos = e
        if pos < len(text):
            self._tokenize(text, pos, len(text), bounds)
        return _doc_from_bounds(self.vocab, text, bounds)

    def _tokenize(self, text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
        for tok in self.base(text[start:end]):
            if not tok.is_space:
                s = start + tok.idx
                out.append((s, s + len(tok.text)))

    def pipe(self, texts, batch_size: int = 1000):
        for text in texts:
            yield self(text)

    # spaCy calls these when saving a pipeline; the wrapper has no state of its own.
    def to_bytes(self, **kwargs) -> bytes:
        return self.base.to_bytes(**kwargs)

    def from_bytes(self, data: bytes, **kwargs) -> "MarkerTokenizer":
        self.base.from_bytes(data, **kwargs)
        return self

    def to_disk(self, path, **kwargs) -> None:
        self.base.to_disk(path, **kwargs)

    def from_disk(self, path, **kwargs) -> "MarkerTokenizer":
        self.base.from_disk(path, **kwargs)
        return self


def _doc_from_bounds(vocab, text: str, bounds: list[tuple[int, int]]) -> Doc:
    """Build a Doc from non-space token spans; white space in between follows spaCy's rules."""
    words: list[str] = []
    spaces: list[bool] = []

    def gap(g: str) -> None:
        if not g:
            return
        if words and not spaces[-1] and g[0] == " ":
            spaces[-1] = True
            g = g[1:]
        if g:
            words.append(g)
            spaces.append(False)

    pos = 0
    for s, e in bounds:
        gap(text[pos:s])
        words.append(text[s:e])
        spaces.append(False)
        pos = e
    gap(text[pos:])
    return Doc(vocab, words=words, spaces=spaces)
