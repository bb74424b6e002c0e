"""The rule engine: exactly the matches of spaCy's Matcher, at a fraction of its cost.

spaCy's Matcher tries every pattern at every token, which costs tokens x
patterns. claimx's rules are nearly all *finite*: each token a test on a word
attribute (LOWER, LEMMA, ORTH, NORM: a value, ``IN`` or ``NOT_IN`` a set) or a
flag (``IS_TITLE``, ``LIKE_NUM`` ...), repeated a bounded number of times
(``?``, ``{n,m}``). :class:`RuleEngine` compiles each finite pattern into the
fixed-length sequences it can match (``?`` gives two, ``{0,2}`` three) and
files each sequence under its rarest word (its *anchor*); sequences sharing an
anchor token and offset share one trie. At run time one ``Doc.to_array`` call
reads the attributes every rule looks at, anchors are looked up, and a trie is
walked only from there, comparing string hashes, with no Matcher call at all.

The other patterns (``+``, ``*``, ``{n,}``, ``!``, ``REGEX``, comparisons,
extension attributes) go to :class:`IndexedMatcher`: spaCy's Matcher run only in
windows around the token each pattern requires. A window reaches as far before
and after the anchor as the pattern can stretch: the sum of each other token's
largest repeat count; where a pattern can stretch without bound the window
reaches the edge of the Doc. Windows of one rule that touch are merged, and a
rule whose windows cover half a Doc or more is run once over the whole Doc.

Either way the result is exactly that of a plain Matcher holding the same
patterns, in the plain Matcher's order: a generated-pattern property test checks
it.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

import numpy
from spacy import attrs as A
from spacy.attrs import LEMMA, LIKE_NUM, LOWER, NORM, ORTH
from spacy.errors import MatchPatternError
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.matcher import Matcher
from spacy.schemas import validate_token_pattern

# Token attributes an anchor can be read from, and the Token property holding each.
ANCHOR_ATTRS = {
    "LOWER": "lower_",
    "LEMMA": "lemma_",
    "ORTH": "text",
    "TEXT": "text",
    "NORM": "norm_",
    "LIKE_NUM": "like_num",
}
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
            size = _FLAG_WEIGHT if attr == "LIKE_NUM" else sum(_weight(str(v)) for v in values)
            if best is None or size < best[3]:
                best = (pos, attr, values, size)
    return best[:3] if best else None


@functools.lru_cache(maxsize=65536)
def _weight(word: str) -> int:
    """How common a word is taken to be in text: stop words and punctuation are very common."""
    common = word.lower() in STOP_WORDS or not any(c.isalnum() for c in word)
    return _COMMON_WEIGHT if common else 1


def _spec_key(spec: dict[str, Any], *, with_op: bool = False) -> tuple | None:
    """A token dict as a hashable key (its OP left out unless ``with_op``); None when it holds other data."""
    items = []
    for name, value in spec.items():
        if name == "OP" and not with_op:
            continue
        if isinstance(value, dict):
            value = ("dict", tuple((op, tuple(v) if isinstance(v, list) else v) for op, v in value.items()))
        elif isinstance(value, list):
            value = ("list", tuple(value))
        items.append((name, type(value).__name__, value))
    key = tuple(items)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _found(keys: numpy.ndarray, table: dict, column: numpy.ndarray, values: list[int]) -> list[int]:
    """Positions in one ``Doc.to_array`` column whose value is in ``table`` (``keys``: its keys, sorted).

    A short column is read with one dict lookup per token, which costs less than
    numpy's set-up; a long one with a binary search per token and no Python loop.
    """
    if len(values) < _VECTOR_FROM:
        return [i for i, value in enumerate(values) if value in table]
    pos = numpy.minimum(numpy.searchsorted(keys, column), len(keys) - 1)
    return numpy.flatnonzero(keys[pos] == column).tolist()


def reach(tokens: TokenPattern, pos: int) -> tuple[float, float]:
    """How many tokens a match can hold before and after the token at ``pos`` (a repeated anchor counts too)."""
    most = [repeats(spec.get("OP"))[1] for spec in tokens]
    extra = most[pos] - 1
    return sum(most[:pos]) + extra, sum(most[pos + 1 :]) + extra


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
        self.patterns.setdefault(key, []).extend(patterns)
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
        """Per rule, the merged token windows it runs on (anchors read with one ``Doc.to_array``)."""
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
        """(token index, index entries) for each token holding an anchor value (see :func:`_found`)."""
        tables = self._hashed()
        if not tables or not len(doc):
            return
        arrays = doc.to_array([_ARRAY_ATTR[a] for a in tables]).reshape(len(doc), len(tables))
        for col, (keys, entries) in enumerate(tables.values()):
            values = arrays[:, col].tolist()
            for i in _found(keys, entries, arrays[:, col], values):
                yield i, entries[values[i]]

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
        return alignments(self.vocab, self.patterns.get(key, ()), doc, start, end)


# Word attributes a compiled token tests by string hash, and the flags it tests by 0/1.
_WORD_ATTRS = {"ORTH": ORTH, "TEXT": ORTH, "LOWER": LOWER, "LEMMA": LEMMA, "NORM": NORM}
_FLAG_ATTRS = {
    name: getattr(A, name)
    for name in (
        "IS_ALPHA",
        "IS_ASCII",
        "IS_DIGIT",
        "IS_LOWER",
        "IS_UPPER",
        "IS_TITLE",
        "IS_PUNCT",
        "IS_SPACE",
        "IS_BRACKET",
        "IS_QUOTE",
        "IS_LEFT_PUNCT",
        "IS_RIGHT_PUNCT",
        "IS_CURRENCY",
        "IS_STOP",
        "LIKE_NUM",
        "LIKE_URL",
        "LIKE_EMAIL",
    )
}
# Flags that hold for few tokens when true (numbers, URLs, digits, currency signs): a test of
# one weighs _FLAG_WEIGHT when choosing a compiled pattern's anchor, as LIKE_NUM does in
# anchor(). Any other flag test (IS_ALPHA, IS_PUNCT false, ...) holds for a large share of
# tokens: it counts as more common than any word, so that [{"LOWER": "no"}, {"IS_PUNCT": false}]
# is found from "no" (an anchor on IS_PUNCT false was looked up at almost every token: 1,900
# lookups a document on the benchmark).
_RARE_FLAGS = frozenset(_FLAG_ATTRS[name] for name in ("LIKE_NUM", "LIKE_URL", "LIKE_EMAIL", "IS_DIGIT", "IS_CURRENCY"))
_BROAD_FLAG_WEIGHT = 20 * _COMMON_WEIGHT
# Distinct token rows whose satisfied ids the engine keeps across Docs. A generated archive
# of 2,000 documents has about 52,000 distinct rows: at 30,000 the cache was emptied again
# and again (137,000 rows computed instead of 52,000; the engine 3.4 -> 2.8 ms a document
# at 100,000). An entry is about 100 bytes (the row's bytes; the sets are shared).
_ROW_CACHE = 100_000
# A finite pattern expanding to more fixed-length sequences than this runs on the Matcher instead.
_MAX_SEQUENCES = 512

Test = tuple[int, bool, frozenset]  # (Doc.to_array attribute, negated, string hashes or 0/1 values)


class RuleEngine:
    """The matcher ``claimx_rules`` runs: finite patterns compiled into anchored tries, the rest indexed.

    Each distinct token of a finite pattern (a conjunction of tests) gets an id,
    and each of the pattern's fixed-length sequences an *anchor*: its token with
    the rarest positive test. Sequences sharing an anchor token at the same
    offset go into one trie, so that the many sequences of a rule (or of rules
    sharing words) are walked once. A Doc is read with one ``Doc.to_array``
    call; anchor values are found (a binary search over sorted hashes in a long Doc,
    a dict lookup per token in a short one), and only there is a trie walked,
    each token's satisfied ids computed on first need.

    ``add`` validates patterns as spaCy's Matcher does (``MatchPatternError``, a
    ``ValueError``); ``__call__`` returns ``(match_id, start, end)`` triples,
    those of a plain Matcher holding the same patterns, sorted by start, end and id.
    """

    def __init__(self, vocab) -> None:
        self.vocab = vocab
        self.open = IndexedMatcher(vocab)
        self.patterns: dict[str, list[TokenPattern]] = {}
        self.columns: list[int] = []  # the Doc.to_array attributes the tests read
        self._column: dict[int, int] = {}
        self._tokens: dict[frozenset[Test], int] = {}  # distinct pattern token (its set of tests) -> id
        self._specs: dict[tuple, int | None] = {}  # token dict (as a key, no OP) -> id; None: not compilable
        self._valid: set[tuple] = set()  # token dicts (with OP) spaCy's schema accepted
        self._weight: list[float] = []  # per token id: how common its anchor values are (inf: no anchor)
        self._anchor: list[tuple[int, frozenset] | None] = []  # per token id: (column, hashes) it is found by
        self._always: list[int] = []  # ids of tokens with no test (they match any token)
        self._lookup: dict[int, dict[int, list[int]]] = {}  # column -> hash -> ids of tokens with a positive test on it
        self._negated: list[tuple[int, int, frozenset]] = []  # (id, column, hashes) of tokens with only NOT_IN tests
        self._needs: dict[int, frozenset[Test]] = {}  # tokens with several tests: every test must hold
        self._children: list[dict[int, int]] = []  # trie node -> token id -> child node
        self._ends: list[list[int] | tuple[()]] = []  # trie node -> match ids of the sequences ending there
        self._roots: dict[tuple[int, int], int] = {}  # (anchor token id, its offset) -> trie root
        self._scan: list[int] = []  # roots of sequences with no positive test: tried everywhere
        self._index: dict[int, dict[int, list[tuple[int, int]]]] = {}  # column -> hash -> [(root, offset)]
        self._arrays: dict | None = None  # the index as sorted numpy keys, built on first use
        self.n_sequences = 0
        self._per_rule: dict[str, int] = {}
        # A token's satisfied ids depend only on its row of Doc.to_array values: kept across
        # Docs (word types repeat), emptied when full and whenever a pattern is added.
        # A row is keyed by its bytes (every row has the same columns until the next ``add``).
        self._by_row: dict[bytes, frozenset[int]] = {}
        self._sets: dict[frozenset[int], frozenset[int]] = {}  # one object per distinct set (28,000 rows held 1,105)
        # A satisfied set -> the trie roots it starts (whose first token it satisfies), made on first need.
        self._starts: dict[frozenset[int], frozenset[int]] = {}
        self._roots_by_tid: dict[int, list[int]] | None = None  # token id -> roots with it as a first token

    def __len__(self) -> int:
        return len(self.patterns)

    def __contains__(self, key: str) -> bool:
        return key in self.patterns

    # Runtime caches: emptied in a saved state, made again as Docs are read.
    _RUNTIME = {"_by_row": dict, "_sets": dict, "_starts": dict, "_roots_by_tid": None, "_arrays": None}

    def state(self) -> dict[str, Any]:
        """What :meth:`restore` needs (plain data: no vocab, no spaCy Matcher), for :mod:`claimx.rules.cache`."""
        state = {k: v for k, v in self.__dict__.items() if k not in ("vocab", "open") and k not in self._RUNTIME}
        state["open"] = list(self.open.patterns.items())
        return state

    @classmethod
    def restore(cls, vocab, state: dict[str, Any]) -> RuleEngine:
        """The engine :meth:`state` was taken from, on ``vocab`` (which must know the rules' strings)."""
        engine = cls.__new__(cls)
        engine.__dict__.update({k: v for k, v in state.items() if k != "open"})
        engine.vocab = vocab
        for name, make in cls._RUNTIME.items():
            setattr(engine, name, make() if make else None)
        engine.open = IndexedMatcher(vocab)
        for key, patterns in state["open"]:
            engine.open.add(key, patterns)
        return engine

    @property
    def n_nodes(self) -> int:
        """Nodes of the compiled tries."""
        return len(self._children)

    def sequences(self, key: str) -> int:
        """How many fixed-length sequences a rule's patterns compiled to (``claimx rules list -v``)."""
        return self._per_rule.get(key, 0)

    def add(self, key: str, patterns: list[TokenPattern]) -> None:
        # The token dicts of one rule's patterns are mostly shared objects (a lexicon's
        # words in every combination): each dict's keys are made once per call.
        keys: dict[int, tuple[tuple | None, tuple | None]] = {}
        self._validate(key, patterns, keys)
        match_id = self.vocab.strings.add(key)
        self._by_row.clear()
        self._sets.clear()
        self._starts.clear()
        self._roots_by_tid = None
        rest = []
        for tokens in patterns:
            if not tokens:
                raise ValueError(f"empty pattern in rule {key!r}")
            sequences = self._sequences(tokens, keys)
            if sequences is None:
                rest.append(tokens)
                continue
            for seq in sequences:
                self._insert(match_id, seq)
            self._per_rule[key] = self._per_rule.get(key, 0) + len(sequences)
        if rest:
            self.open.add(key, rest)
        self.patterns.setdefault(key, []).extend(patterns)

    @staticmethod
    def _keys(spec: dict[str, Any], keys: dict[int, tuple[tuple | None, tuple | None]]) -> tuple[tuple | None, ...]:
        """(key with OP, key without OP) of a token dict, made once per dict object and ``add`` call."""
        found = keys.get(id(spec))
        if found is None:
            found = keys[id(spec)] = (_spec_key(spec, with_op=True), _spec_key(spec) if "OP" in spec else None)
        return found

    def _validate(self, key: str, patterns: list[TokenPattern], keys: dict) -> None:
        """spaCy's pattern schema, validated once per distinct token (rules share most of theirs)."""
        for tokens in patterns:
            if not isinstance(tokens, list) or not all(isinstance(t, dict) for t in tokens):
                break
            fresh = [(k, t) for t in tokens if (k := self._keys(t, keys)[0]) is None or k not in self._valid]
            if any(validate_token_pattern([t]) for _, t in fresh):
                break
            self._valid.update(k for k, _ in fresh if k is not None)
        else:
            return
        errors = {i: validate_token_pattern(t) for i, t in enumerate(patterns)}
        if any(errors.values()):
            raise MatchPatternError(key, errors)

    def _sequences(self, tokens: TokenPattern, keys: dict) -> list[list[int]] | None:
        """Every fixed-length sequence of token ids a finite pattern matches; None if it is not finite."""
        slots: list[tuple[int, int, int]] = []
        total = 1
        fixed = True  # every token exactly once: one sequence
        for spec in tokens:
            op = spec.get("OP")
            if op == "!":
                return None
            least, most = (1, 1) if op is None else repeats(op)
            if most == math.inf:
                return None
            with_op, without_op = self._keys(spec, keys)
            spec_key = with_op if op is None and "OP" not in spec else without_op
            tid = self._specs.get(spec_key, -1) if spec_key is not None else -1
            if tid == -1:
                tests = self._tests(spec)
                tid = None if tests is None else self._token_id(tests)
                if spec_key is not None:
                    self._specs[spec_key] = tid
            if tid is None:
                return None
            slots.append((tid, least, int(most)))
            if least != 1 or most != 1:
                fixed = False
                total *= int(most) - least + 1
                if total > _MAX_SEQUENCES:
                    return None
        if fixed:
            return [[tid for tid, _, _ in slots]]
        # In itertools.product's order: the first token's count varies slowest.
        out: list[tuple[int, ...]] = [()]
        for tid, lo, hi in slots:
            runs = [(tid,) * c for c in range(lo, hi + 1)]
            out = [seq + run for seq in out for run in runs]
        return [list(seq) for seq in out if seq]

    def _tests(self, spec: dict[str, Any]) -> tuple[tuple[Test, float], ...] | None:
        """One token's tests with their anchor weights; None when one of them is not a plain test."""
        strings = self.vocab.strings
        tests: dict[Test, float] = {}
        for name, value in spec.items():
            if name == "OP":
                continue
            if name in _FLAG_ATTRS:
                if not isinstance(value, bool):
                    return None
                flag = _FLAG_ATTRS[name]
                rare = value and flag in _RARE_FLAGS
                tests[(flag, False, frozenset([int(value)]))] = _FLAG_WEIGHT if rare else _BROAD_FLAG_WEIGHT
                continue
            attr = _WORD_ATTRS.get(name)
            if attr is None:
                return None
            if isinstance(value, str):
                tests[(attr, False, frozenset([strings.add(value)]))] = _weight(value)
            elif (
                isinstance(value, dict)
                and value
                and set(value) <= {"IN", "NOT_IN"}
                and all(isinstance(v, list) and all(isinstance(w, str) for w in v) for v in value.values())
            ):
                if "IN" in value:
                    tests[(attr, False, frozenset(strings.add(w) for w in value["IN"]))] = sum(
                        map(_weight, set(value["IN"]))
                    )
                if "NOT_IN" in value:
                    tests[(attr, True, frozenset(strings.add(w) for w in value["NOT_IN"]))] = math.inf
            else:
                return None
        return tuple(tests.items())

    def _token_id(self, weighted: tuple[tuple[Test, float], ...]) -> int:
        tests = frozenset(t for t, _ in weighted)
        tid = self._tokens.get(tests)
        if tid is not None:
            return tid
        tid = self._tokens[tests] = len(self._tokens)
        for attr, _, _ in tests:
            if attr not in self._column:
                self._column[attr] = len(self.columns)
                self.columns.append(attr)
        best = min(weighted, key=lambda t: t[1], default=None)
        if best is None or best[1] == math.inf:
            self._weight.append(math.inf)
            self._anchor.append(None)
        else:
            self._weight.append(best[1])
            self._anchor.append((self._column[best[0][0]], best[0][2]))
        if not tests:
            self._always.append(tid)
            return tid
        if len(tests) > 1:
            self._needs[tid] = tests
        positive = sorted((t for t in tests if not t[1]), key=lambda t: (len(t[2]), t[0]))
        if positive:  # looked up by the values of one positive test, then checked
            attr, _, values = positive[0]
            table = self._lookup.setdefault(self._column[attr], {})
            for h in values:
                table.setdefault(h, []).append(tid)
        else:  # only NOT_IN tests: tried on every token
            attr, _, values = min(tests, key=lambda t: (len(t[2]), t[0]))
            self._negated.append((tid, self._column[attr], values))
        return tid

    def _insert(self, match_id: int, seq: list[int]) -> None:
        weights = [self._weight[t] for t in seq]
        offset = weights.index(min(weights))  # the first of the rarest
        tid = seq[offset]
        children = self._children
        root = self._roots.get((tid, offset))
        if root is None:
            root = self._roots[(tid, offset)] = self._node()
            if self._anchor[tid] is None:
                self._scan.append(root)
            else:
                col, hashes = self._anchor[tid]
                table = self._index.setdefault(col, {})
                for h in hashes:
                    table.setdefault(h, []).append((root, offset))
                self._arrays = None
        node = root
        ends = self._ends
        for tid in seq:
            kids = children[node]
            child = kids.get(tid)
            if child is None:
                child = kids[tid] = len(children)
                children.append({})
                ends.append(())  # most nodes end no sequence: a list is made for those that do
            node = child
        if match_id not in ends[node]:
            ends[node] = [*ends[node], match_id]
            self.n_sequences += 1

    def _node(self) -> int:
        self._children.append({})
        self._ends.append(())
        return len(self._children) - 1

    def __call__(self, doc) -> list[tuple[int, int, int]]:
        matches = set(self.open(doc)) if len(self.open) else set()
        n = len(doc)
        if not n or not self._roots:
            return sorted(matches, key=lambda m: (m[1], m[2], m[0]))
        arrays = (
            doc.to_array(self.columns).reshape(n, len(self.columns))
            if self.columns
            else numpy.zeros((n, 0), dtype="uint64")
        )
        cols = arrays.T.tolist()
        # Every token's satisfied ids, looked up by its row (computed for rows not seen yet).
        by_row = self._by_row
        width = arrays.shape[1]
        rows = (
            numpy.ascontiguousarray(arrays).view(numpy.dtype((numpy.void, 8 * width))).ravel().tolist()
            if width
            else [b""] * n
        )
        satisfied = list(map(by_row.get, rows))
        for j in [j for j, ok in enumerate(satisfied) if ok is None]:
            ok = by_row.get(rows[j])  # a row repeated in this Doc
            if ok is None:
                if len(by_row) >= _ROW_CACHE:
                    by_row.clear()
                    self._sets.clear()
                    self._starts.clear()
                ok = frozenset(self._satisfied(cols, j))
                ok = by_row[rows[j]] = self._sets.setdefault(ok, ok)  # rows share a few sets
            satisfied[j] = ok
        children, ends = self._children, self._ends

        # A walk starts where its trie's first token holds (most anchors' walks would end there):
        # each distinct satisfied set's roots are found once (sets are shared objects).
        starts: set[tuple[int, int]] = set()
        starts_of, opened = self._starts, [None] * n
        for col, (keys, table) in self._tables().items():
            column = cols[col]
            for i in _found(keys, table, arrays[:, col], column):
                for root, offset in table[column[i]]:
                    if i >= offset:
                        start = i - offset
                        roots = opened[start]
                        if roots is None:
                            ok = satisfied[start]
                            roots = starts_of.get(ok)
                            if roots is None:
                                roots = starts_of[ok] = self._roots_started(ok)
                            opened[start] = roots
                        if root in roots:
                            starts.add((root, start))
        for root in self._scan:
            starts.update((root, i) for i in range(n))
        for root, start in starts:
            frontier = [root]
            for j in range(start, n):
                ok = satisfied[j]
                nxt = []
                for node in frontier:
                    kids = children[node]
                    if kids.keys().isdisjoint(ok):
                        continue
                    if len(kids) < len(ok):
                        nxt.extend(child for tid, child in kids.items() if tid in ok)
                    else:
                        nxt.extend(kids[tid] for tid in ok if tid in kids)
                if not nxt:
                    break
                for node in nxt:
                    for match_id in ends[node]:
                        matches.add((match_id, start, j + 1))
                frontier = nxt
        return sorted(matches, key=lambda m: (m[1], m[2], m[0]))

    def _roots_started(self, ok: frozenset[int]) -> frozenset[int]:
        """The trie roots whose first token is among the satisfied ids ``ok``."""
        by_tid = self._roots_by_tid
        if by_tid is None:
            by_tid = self._roots_by_tid = {}
            for root in self._roots.values():
                for tid in self._children[root]:
                    by_tid.setdefault(tid, []).append(root)
        return frozenset(root for tid in ok for root in by_tid.get(tid, ()))

    def _satisfied(self, cols: list[list[int]], i: int) -> set[int]:
        """The ids of the pattern tokens that token ``i`` satisfies."""
        ok = set(self._always)
        for col, table in self._lookup.items():
            ids = table.get(cols[col][i])
            if ids:
                ok.update(ids)
        for tid, col, hashes in self._negated:
            if cols[col][i] not in hashes:
                ok.add(tid)
        if self._needs:
            column = self._column
            for tid in [t for t in ok if t in self._needs]:
                for attr, negated, hashes in self._needs[tid]:
                    if (cols[column[attr]][i] in hashes) == negated:
                        ok.discard(tid)
                        break
        return ok

    def _tables(self) -> dict[int, tuple[numpy.ndarray, dict[int, list[tuple[int, int]]]]]:
        if self._arrays is None:
            self._arrays = {
                col: (numpy.array(sorted(table), dtype="uint64"), table) for col, table in self._index.items()
            }
        return self._arrays

    def alignments(self, doc, key: str, start: int, end: int) -> list[int] | None:
        return alignments(self.vocab, self.patterns.get(key, ()), doc, start, end)


def alignments(vocab, patterns: list[TokenPattern], doc, start: int, end: int) -> list[int] | None:
    """For a match over tokens [start, end): [index of the pattern that matched, then the
    pattern token each token matched], or None.

    Only ``claimx explain`` asks, so it is computed on demand with spaCy's Matcher.
    """
    probe = Matcher(vocab)
    for i, tokens in enumerate(patterns):
        probe.add(str(i), [tokens])
    strings = vocab.strings
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
