"""The rule engine: spaCy's Matcher, run only where a rule can match.

spaCy's Matcher tries every pattern at every token, which costs tokens x
patterns. Almost every rule has a token it requires (a word, a word set, a
number), so at start-up each pattern gets an *anchor*: its required token with
the fewest allowed values. At run time one pass over the tokens finds where
anchor values stand, and each rule runs only on the windows around them.

A window reaches as far before and after the anchor as the pattern can
stretch: the sum of each other token's largest repeat count (``?`` 1, ``{2,4}``
4, ...). Where a pattern can stretch without bound (``+``, ``*``, ``{n,}``)
the window reaches the edge of the Doc. Windows of one rule that touch are
merged, so a match is found once. The result is exactly that of a plain
Matcher holding the same patterns (a generated-pattern property test checks
it), in the plain Matcher's order. A rule whose windows cover half a Doc or more
is run once over the whole Doc, which finds the same matches with fewer calls.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy
from spacy.attrs import LEMMA, LIKE_NUM, LOWER, NORM, ORTH
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.matcher import Matcher

# Token attributes an anchor can be read from, and the Token property holding each.
ANCHOR_ATTRS = {"LOWER": "lower_", "LEMMA": "lemma_", "ORTH": "text", "TEXT": "text", "NORM": "norm_",
                "LIKE_NUM": "like_num"}
# The Doc.to_array column of each Token property above.
_ARRAY_ATTR = {"lower_": LOWER, "lemma_": LEMMA, "text": ORTH, "norm_": NORM, "like_num": LIKE_NUM}
# Docs of at least this many tokens are scanned for anchors with Doc.to_array.
_VECTOR_FROM = 256
# A flag anchor (any number) counts as this many values when choosing the rarest anchor,
# and a very common word as this many.
_FLAG_WEIGHT = 12
_COMMON_WEIGHT = 50
_RANGE = re.compile(r"\{(\d*)(,?)(\d*)\}")

TokenPattern = list[dict[str, Any]]


def repeats(op: str | None) -> tuple[int, float]:
    """How many tokens one pattern token can take: (least, most); ``most`` may be infinite."""
    if op in (None, "1", "!"):
        return 1, 1
    if op == "?":
        return 0, 1
    if op == "*":
        return 0, math.inf
    if op == "+":
        return 1, math.inf
    m = _RANGE.fullmatch(op)
    if m is None:
        raise ValueError(f"unknown OP {op!r}")
    low, comma, high = m.groups()
    least = int(low) if low else 0
    if not comma:
        return least, least
    return least, int(high) if high else math.inf


def _values(attr: str, value: Any) -> frozenset | None:
    """The values a plain attribute test allows, or None when it is not a plain test."""
    if attr == "LIKE_NUM":
        return frozenset([True]) if value is True else None
    if isinstance(value, str):
        return frozenset([value])
    if isinstance(value, dict) and set(value) == {"IN"} and isinstance(value["IN"], list):
        return frozenset(value["IN"])
    return None


def anchor(tokens: TokenPattern) -> tuple[int, str, frozenset] | None:
    """(position, attribute, values) of the required token that is rarest in text.

    A token's cost is the number of values it allows, each very common word
    (spaCy's English stop words: "of", "was") counting as many, so that "day of
    action" is indexed by "action", not "of".
    """
    best = None
    for pos, spec in enumerate(tokens):
        if spec.get("OP") == "!" or repeats(spec.get("OP"))[0] < 1:
            continue
        for attr, value in spec.items():
            if attr not in ANCHOR_ATTRS or (values := _values(attr, value)) is None:
                continue
            if attr == "LIKE_NUM":
                size = _FLAG_WEIGHT
            else:
                size = sum(_COMMON_WEIGHT if str(v).lower() in STOP_WORDS else 1 for v in values)
            if best is None or size < best[3]:
                best = (pos, attr, values, size)
    return best[:3] if best else None


def reach(tokens: TokenPattern, pos: int) -> tuple[float, float]:
    """How many tokens a match can hold before and after the token at ``pos`` (a repeated anchor counts too)."""
    most = [repeats(spec.get("OP"))[1] for spec in tokens]
    extra = most[pos] - 1
    return sum(most[:pos]) + extra, sum(most[pos + 1:]) + extra


class IndexedMatcher:
    """A Matcher that tries each rule only in windows around the tokens it requires."""

    def __init__(self, vocab) -> None:
        self.vocab = vocab
        self.free = Matcher(vocab, validate=True)
        self.n_free = 0
        self.rules: dict[str, Matcher] = {}
        self.patterns: dict[str, list[TokenPattern]] = {}
        # token attribute -> value -> [(rule key, tokens before the anchor, tokens after it)]
        self.index: dict[str, dict[Any, list[tuple[str, float, float]]]] = {a: {} for a in set(ANCHOR_ATTRS.values())}
        self._by_hash: dict | None = None  # the index keyed by to_array values, built on first use

    def __len__(self) -> int:
        return len(self.patterns)

    def __contains__(self, key: str) -> bool:
        return key in self.patterns

    def add(self, key: str, patterns: list[TokenPattern]) -> None:
        """Add a rule; spaCy validates its patterns here (ValueError when one is invalid)."""
        anchored = [t for t in patterns if anchor(t) is not None]
        if anchored:  # validated as they are added; the free ones by the free matcher
            matcher = self.rules.get(key) or Matcher(self.vocab, validate=True)
            matcher.add(key, anchored)
            self.rules[key] = matcher
        self.patterns[key] = patterns
        for tokens in patterns:
            found = anchor(tokens)
            if found is None:
                self.free.add(key, [tokens])
                self.n_free += 1
                continue
            pos, attr, values = found
            before, after = reach(tokens, pos)
            slot = self.index[ANCHOR_ATTRS[attr]]
            for value in values:
                slot.setdefault(value, []).append((key, before, after))
            self._by_hash = None

    def windows(self, doc) -> dict[str, list[tuple[int, int]]]:
        """Per rule, the merged token windows it runs on.

        Anchor values are found token by token in a short Doc and with one
        ``Doc.to_array`` read in a long one (see :meth:`_anchors`).
        """
        n = len(doc)
        spans: dict[str, list[tuple[int, int]]] = {}
        for i, entries in self._anchors(doc):
            for key, before, after in entries:
                start = 0 if before == math.inf else max(0, i - int(before))
                end = n if after == math.inf else min(n, i + int(after) + 1)
                spans.setdefault(key, []).append((start, end))
        merged: dict[str, list[tuple[int, int]]] = {}
        for key, items in spans.items():
            out: list[list[int]] = []
            for start, end in sorted(items):
                if out and start <= out[-1][1]:
                    out[-1][1] = max(out[-1][1], end)
                else:
                    out.append([start, end])
            merged[key] = [(s, e) for s, e in out]
        return merged

    def _anchors(self, doc):
        """(token index, index entries) for each token holding an anchor value.

        A short Doc is read token by token; a long one with one ``Doc.to_array`` call
        and a sorted-key lookup per attribute, which costs less per token but more
        per call.
        """
        if len(doc) < _VECTOR_FROM:
            tables = [(attr, table) for attr, table in self.index.items() if table]
            for tok in doc:
                for attr, table in tables:
                    entries = table.get(getattr(tok, attr))
                    if entries:
                        yield tok.i, entries
            return
        tables = self._hashed()
        if not tables:
            return
        arrays = doc.to_array([_ARRAY_ATTR[a] for a in tables])
        for col, (keys, entries) in enumerate(tables.values()):
            column = arrays[:, col] if arrays.ndim == 2 else arrays
            pos = numpy.minimum(numpy.searchsorted(keys, column), len(keys) - 1)
            for i in numpy.flatnonzero(keys[pos] == column).tolist():
                yield i, entries[int(column[i])]

    def _hashed(self) -> dict[str, tuple[numpy.ndarray, dict[int, list]]]:
        """The anchor index keyed by the values ``Doc.to_array`` gives (string hashes, 0/1 flags)."""
        if self._by_hash is None:
            strings = self.vocab.strings
            self._by_hash = {}
            for attr, table in self.index.items():
                if not table:
                    continue
                entries: dict[int, list] = {}
                for value, items in table.items():
                    h = int(value) if attr == "like_num" else strings.add(value)
                    entries.setdefault(h, []).extend(items)
                self._by_hash[attr] = (numpy.array(sorted(entries), dtype="uint64"), entries)
        return self._by_hash

    def __call__(self, doc) -> list[tuple[int, int, int]]:
        """(match_id, start, end) triples, as a plain Matcher with the same patterns gives them."""
        # A plain Matcher reports a (rule, start, end) once, whichever of its patterns matched.
        matches = set(self.free(doc)) if self.n_free else set()
        for key, windows in self.windows(doc).items():
            matcher = self.rules[key]
            if 2 * sum(e - s for s, e in windows) >= len(doc):
                matches.update(matcher(doc))  # windows cover half the Doc: one call costs less
                continue
            for start, end in windows:
                matches.update((k, start + s, start + e) for k, s, e in matcher(doc[start:end]))
        return sorted(matches, key=lambda m: (m[1], m[2], m[0]))

    def alignments(self, doc, key: str, start: int, end: int) -> list[int] | None:
        """For a match of ``key`` over tokens [start, end): the pattern token each token matched, or None.

        Only ``claimx explain`` asks, so it is computed on demand.
        """
        probe = Matcher(self.vocab)
        for i, tokens in enumerate(self.patterns.get(key, ())):
            probe.add(str(i), [tokens])
        strings = self.vocab.strings
        for match_id, s, e, align in probe(doc[start:end], with_alignments=True):
            if (s, e) == (0, end - start):
                return [int(strings[match_id])] + list(align)
        return None


def longest_first(spans: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Keep non-overlapping (start, end, order) triples: longest, then earliest, then first rule."""
    kept: list[tuple[int, int, int]] = []
    taken: set[int] = set()
    for start, end, order in sorted(spans, key=lambda s: (s[0] - s[1], s[0], s[2])):
        if not taken.intersection(range(start, end)):
            kept.append((start, end, order))
            taken.update(range(start, end))
    return sorted(kept)
