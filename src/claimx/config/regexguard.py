"""Refuse regular expressions that can make Python's backtracking engine take exponential time.

Rules are loaded from files people edit; one rule that backtracks catastrophically
would stall a whole batch on one long line. :func:`slow_regex` reads the pattern's
parse tree (``re._parser``, the standard library's own parser) and looks at every
group repeated more than once (``+``, ``*``, ``{2,}``, ``{1,1000}``, lazy or not):

- **a repetition that meets a repetition of the same characters**: inside the
  repeated body, a variable repetition (``\\w+``, ``.*``, ``\\d{1,2}``, ``x?``) that,
  walking on through the body and round into the next repetition, reaches another
  variable repetition of overlapping characters (or itself) before an item that
  must consume a character it cannot take. ``(a+)+``, ``(?:\\w+){1,1000}!``,
  ``(.*a){12}``, ``(?:\\s*,\\s*)+`` are refused; ``(?:,\\s*\\d{1,6}\\s*)*`` is not
  (the comma ends each blank run).
- **a body that can match the same text in more than one way**: when the body
  matches finitely many strings (``(a|aa)``, ``(\\d{1,2})``), they must form a code
  (every concatenation splits one way only: the Sardinas-Patterson test, on
  strings of character sets); otherwise each alternation in it is tested alone.
  Alternatives guarded by a lookaround are left out: a lookaround is how a rule
  tells its alternatives apart.

Character sets are compared on a sample alphabet (ASCII, common punctuation and
letters of other scripts, and every character the pattern names), so the test is
a heuristic that errs towards refusing. Possessive repetitions and atomic groups do
not backtrack and are not checked as the outer repetition.
"""

from __future__ import annotations

import re
from functools import cache
from itertools import product

try:  # Python 3.11+
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser as P  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as P  # type: ignore[no-redef]

CharSet = frozenset[str]
Word = tuple[CharSet, ...]  # a string of character sets

_EXTRA = "\u00a0\u2011\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u25e6\u2026\u00e9\u00df\u00c9\u0416\u0436\u4e2d\u0663\u00b2\u2028"  # noqa: E501
BASE_ALPHABET = frozenset(map(chr, range(128))) | frozenset(_EXTRA)
# re's character categories as one-character patterns (also read by layout/firstchar.py).
CATEGORY_PATTERNS = {
    C.CATEGORY_DIGIT: r"\d",
    C.CATEGORY_NOT_DIGIT: r"\D",
    C.CATEGORY_SPACE: r"\s",
    C.CATEGORY_NOT_SPACE: r"\S",
    C.CATEGORY_WORD: r"\w",
    C.CATEGORY_NOT_WORD: r"\W",
}
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT)
_MAX_WORDS = 256  # finite expansions larger than this are not enumerated
_MAX_LENGTH = 48
_MAX_SUFFIXES = 4000


@cache
def _category(code, alphabet: CharSet) -> CharSet:
    rx = re.compile(CATEGORY_PATTERNS[code])
    return frozenset(ch for ch in alphabet if rx.fullmatch(ch))


def slow_regex_tree(pattern: str) -> str | None:
    """Why ``pattern`` may backtrack catastrophically, or None (also None when it does not parse)."""
    try:
        tree = P.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None
    return _Guard(tree).check()


class _Guard:
    def __init__(self, tree) -> None:
        self.tree = tree
        self.names = {num: name for name, num in tree.state.groupdict.items()}
        literals: set[str] = set()
        self._literals(tree, literals)
        self.alphabet = (
            BASE_ALPHABET
            | frozenset(literals)
            | frozenset(c for ch in literals for c in (ch.lower(), ch.upper()) if len(c) == 1)
        )

    # -- walking -----------------------------------------------------------------------------------
    def _literals(self, items, out: set[str]) -> None:
        for op, av in items:
            if op in (C.LITERAL, C.NOT_LITERAL):
                out.add(chr(av))
            elif op is C.RANGE:
                out.update(map(chr, av))
            elif op is C.IN:
                self._literals(av, out)
            for sub in self._children(op, av):
                self._literals(sub, out)

    @staticmethod
    def _children(op, av) -> list:
        if op in (*_REPEATS, C.POSSESSIVE_REPEAT):
            return [av[2]]
        if op is C.SUBPATTERN:
            return [av[3]]
        if op is C.BRANCH:
            return list(av[1])
        if op in (C.ASSERT, C.ASSERT_NOT):
            return [av[1]]
        if op is C.ATOMIC_GROUP:
            return [av]
        if op is C.GROUPREF_EXISTS:
            return [p for p in av[1:] if p is not None]
        return []

    def check(self) -> str | None:
        return self._walk(self.tree, self.tree.state.flags)

    def _walk(self, items, flags: int) -> str | None:
        for op, av in items:
            if op in _REPEATS and av[1] > 1 and (reason := self._repeat(op, av, flags)):
                return reason
            sub_flags = (flags | av[1]) & ~av[2] if op is C.SUBPATTERN else flags
            for sub in self._children(op, av):
                if reason := self._walk(sub, sub_flags):
                    return reason
        return None

    # -- one repeated group ------------------------------------------------------------------------
    def _repeat(self, op, av, flags: int) -> str | None:
        whole = self.text([(op, av)])
        body = av[2]
        words = self.expand(body, flags)
        if words is not None:
            if not is_code([w for w, guarded in words if not guarded]):
                return (
                    f"{whole!r} can match the same text in more than one way (overlapping alternatives "
                    "or lengths under a repetition), which can take exponential time"
                )
            return None
        items = self.flatten(body, flags)
        for i, (item, item_flags) in enumerate(items):
            if not self.variable(item):
                continue
            s = self.chars([item], item_flags)
            for step in range(1, len(items) + 1):
                other, other_flags = items[(i + step) % len(items)]
                if step == len(items):
                    return (
                        f"nested repetition {whole!r}: {self.text([item])!r} meets itself in the next "
                        "repetition with nothing between that it cannot match, so the same text splits in "
                        "exponentially many ways"
                    )
                if self.blocks(other, other_flags, s):
                    break
                if self.variable(other) and self.chars([other], other_flags) & s:
                    return (
                        f"nested repetition {whole!r}: {self.text([item])!r} and {self.text([other])!r} can "
                        "match the same characters, so the same text splits in exponentially many ways"
                    )
        for item, item_flags in items:
            if item[0] is C.BRANCH:
                words = self.expand([item], item_flags)
                if words is not None and not is_code([w for w, guarded in words if not guarded]):
                    return (
                        f"the alternatives {self.text([item])!r} under the repetition {whole!r} can match the "
                        "same text in more than one way, which can take exponential time"
                    )
        return None

    def flatten(self, items, flags: int) -> list[tuple[tuple, int]]:
        """The body's items with plain groups opened up; zero-width items are left out."""
        out = []
        for op, av in items:
            if op is C.SUBPATTERN:
                out.extend(self.flatten(av[3], (flags | av[1]) & ~av[2]))
            elif op not in (C.AT, C.ASSERT, C.ASSERT_NOT):
                out.append(((op, av), flags))
        return out

    def variable(self, item) -> bool:
        """Whether an item can take a varying number of characters through a repetition."""
        op, av = item
        if op in (*_REPEATS, C.POSSESSIVE_REPEAT):
            return av[0] != av[1] or self._has_variable(av[2])
        return self._has_variable([item]) if op in (C.BRANCH, C.GROUPREF_EXISTS, C.ATOMIC_GROUP) else op is C.GROUPREF

    def _has_variable(self, items) -> bool:
        for op, av in items:
            if op in (*_REPEATS, C.POSSESSIVE_REPEAT) and (av[0] != av[1] or self._has_variable(av[2])):
                return True
            if op is C.GROUPREF or any(self._has_variable(sub) for sub in self._children(op, av)):
                return True
        return False

    def blocks(self, item, flags: int, s: CharSet) -> bool:
        """Whether ``item`` always consumes a character outside ``s`` (so a repetition of ``s`` stops there)."""
        op, av = item
        if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
            return not (self.chars([item], flags) & s)
        if op in (*_REPEATS, C.POSSESSIVE_REPEAT):
            return av[0] >= 1 and self._seq_blocks(av[2], flags, s)
        if op is C.BRANCH:
            return all(self._seq_blocks(b, flags, s) for b in av[1])
        if op is C.ATOMIC_GROUP:
            return self._seq_blocks(av, flags, s)
        return False

    def _seq_blocks(self, items, flags: int, s: CharSet) -> bool:
        return any(self.blocks(it, f, s) for it, f in self.flatten(items, flags))

    # -- characters and finite expansions ----------------------------------------------------------
    def chars(self, items, flags: int) -> CharSet:
        """Every character the items can consume."""
        out: set[str] = set()
        for op, av in items:
            if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
                out |= self._charset(op, av, flags)
            elif op is C.GROUPREF:
                out |= self.alphabet
            sub_flags = (flags | av[1]) & ~av[2] if op is C.SUBPATTERN else flags
            if op not in (C.ASSERT, C.ASSERT_NOT):
                for sub in self._children(op, av):
                    out |= self.chars(sub, sub_flags)
        return frozenset(out)

    def _charset(self, op, av, flags: int) -> CharSet:
        a = self.alphabet
        if op is C.LITERAL:
            got = frozenset({chr(av)})
        elif op is C.NOT_LITERAL:
            got = a - self._fold(frozenset({chr(av)}), flags)
            return got
        elif op is C.ANY:
            return a if flags & C.SRE_FLAG_DOTALL else a - {"\n"}
        else:
            negate = bool(av) and av[0][0] is C.NEGATE
            got = frozenset()
            for sub_op, sub_av in av[1:] if negate else av:
                if sub_op is C.LITERAL:
                    got |= {chr(sub_av)}
                elif sub_op is C.RANGE:
                    got |= {ch for ch in a if sub_av[0] <= ord(ch) <= sub_av[1]}
                elif sub_op is C.CATEGORY:
                    got |= _category(sub_av, a)
            got = self._fold(got, flags)
            return a - got if negate else got
        return self._fold(got, flags)

    def _fold(self, got: CharSet, flags: int) -> CharSet:
        if not flags & C.SRE_FLAG_IGNORECASE:
            return got
        return got | {ch for ch in self.alphabet if ch.lower() in got or ch.upper() in got}

    def expand(self, items, flags: int) -> list[tuple[Word, bool]] | None:
        """The strings of character sets the items match, each with "guarded by a lookaround"; None if too many."""
        words: list[tuple[Word, bool]] = [((), False)]
        for op, av in items:
            if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
                part = [((self._charset(op, av, flags),), False)]
            elif op in (C.AT, C.ASSERT, C.ASSERT_NOT):
                part = [((), True)]
            elif op is C.SUBPATTERN:
                part = self.expand(av[3], (flags | av[1]) & ~av[2])
            elif op is C.BRANCH:
                part = []
                for branch in av[1]:
                    got = self.expand(branch, flags)
                    if got is None:
                        return None
                    part.extend(got)
            elif op in _REPEATS and av[1] <= 8:
                one = self.expand(av[2], flags)
                if one is None:
                    return None
                part, power = [], [((), False)]
                for k in range(av[1] + 1):
                    if k:
                        power = [_concat(pair) for pair in product(power, one)]
                    if k >= av[0]:
                        part.extend(power)
                    if len(part) > _MAX_WORDS or len(power) > _MAX_WORDS:
                        return None
            else:
                return None
            if part is None:
                return None
            words = [_concat(pair) for pair in product(words, part)]
            if len(words) > _MAX_WORDS or any(len(w) > _MAX_LENGTH for w, _ in words):
                return None
        return words

    # -- showing a part of the pattern -------------------------------------------------------------
    def text(self, items) -> str:
        return "".join(self._node(op, av) for op, av in items)

    def _node(self, op, av) -> str:
        if op is C.LITERAL:
            ch = chr(av)
            return ch if ch.isalnum() or ch in " ,:;'\"-_<>=!@%&~`/" or ord(ch) > 127 else "\\" + ch
        if op is C.NOT_LITERAL:
            return f"[^{re.escape(chr(av))}]"
        if op is C.ANY:
            return "."
        if op is C.IN:
            if len(av) == 1 and av[0][0] is C.CATEGORY:
                return CATEGORY_PATTERNS[av[0][1]]
            parts = []
            for sub_op, sub_av in av:
                if sub_op is C.NEGATE:
                    parts.append("^")
                elif sub_op is C.LITERAL:
                    parts.append(re.escape(chr(sub_av)))
                elif sub_op is C.RANGE:
                    parts.append(f"{re.escape(chr(sub_av[0]))}-{re.escape(chr(sub_av[1]))}")
                elif sub_op is C.CATEGORY:
                    parts.append(CATEGORY_PATTERNS[sub_av])
            return "[" + "".join(parts) + "]"
        if op is C.BRANCH:
            return "(?:" + "|".join(self.text(b) for b in av[1]) + ")"
        if op is C.SUBPATTERN:
            group = av[0]
            head = "(?:" if group is None else f"(?P<{self.names[group]}>" if group in self.names else "("
            content = av[3]
            if len(content) == 1 and content[0][0] is C.BRANCH:  # the group's own alternatives
                return head + "|".join(self.text(b) for b in content[0][1]) + ")"
            return head + self.text(content) + ")"
        if op in (*_REPEATS, C.POSSESSIVE_REPEAT):
            lo, hi, body = av
            inner = self.text(body)
            if len(body) != 1 or body[0][0] not in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN, C.SUBPATTERN, C.BRANCH):
                inner = f"(?:{inner})"
            hi_inf = hi == C.MAXREPEAT
            q = {(0, True): "*", (1, True): "+"}.get((lo, hi_inf)) or (
                "?" if (lo, hi) == (0, 1) else f"{{{lo},}}" if hi_inf else f"{{{lo}}}" if lo == hi else f"{{{lo},{hi}}}"
            )
            return inner + q + ("?" if op is C.MIN_REPEAT else "+" if op is C.POSSESSIVE_REPEAT else "")
        if op is C.AT:
            return {
                C.AT_BEGINNING: "^",
                C.AT_END: "$",
                C.AT_BOUNDARY: r"\b",
                C.AT_NON_BOUNDARY: r"\B",
                C.AT_BEGINNING_STRING: r"\A",
                C.AT_END_STRING: r"\Z",
            }.get(av, "")
        if op in (C.ASSERT, C.ASSERT_NOT):
            kind = "=" if op is C.ASSERT else "!"
            return f"(?{'<' if av[0] < 0 else ''}{kind}{self.text(av[1])})"
        if op is C.ATOMIC_GROUP:
            return f"(?>{self.text(av)})"
        if op is C.GROUPREF:
            return f"\\{av}"
        return "…"


def _concat(parts) -> tuple[Word, bool]:
    word: Word = ()
    guarded = False
    for w, g in parts:
        word += w
        guarded = guarded or g
    return word, guarded


def _overlap(u: Word, v: Word) -> bool:
    return all(a & b for a, b in zip(u, v, strict=True))


def is_code(words: list[Word]) -> bool:
    """Whether every concatenation of ``words`` splits one way only (Sardinas-Patterson).

    Words are strings of character sets; two positions agree when their sets
    overlap, so the answer errs towards "no". The empty word is never part of a code.
    """
    if any(not w for w in words):
        return False
    suffixes: set[Word] = set()
    for i, u in enumerate(words):
        for j, v in enumerate(words):
            if i != j and len(u) <= len(v) and _overlap(u, v[: len(u)]):
                if len(u) == len(v):
                    return False
                suffixes.add(v[len(u) :])
    seen = set(suffixes)
    frontier = suffixes
    while frontier:
        new: set[Word] = set()
        for s in frontier:
            for c in words:
                if len(c) <= len(s) and _overlap(c, s[: len(c)]):
                    rest = s[len(c) :]
                elif len(s) < len(c) and _overlap(s, c[: len(s)]):
                    rest = c[len(s) :]
                else:
                    continue
                if not rest:
                    return False
                if rest not in seen:
                    seen.add(rest)
                    new.add(rest)
        if len(seen) > _MAX_SUFFIXES:
            return False
        frontier = new
    return True
