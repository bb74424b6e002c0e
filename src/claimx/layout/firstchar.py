"""Which line rules can match a line, from the line's first character.

The section splitter tries every allowed line rule on every line (``fullmatch``),
and most lines are prose that no rule reads. :func:`first_char_table` reads each
rule's regular expression (its parse tree, as :mod:`re` parses it) for the
characters a match can begin with, and gives, for every ASCII character, the
rules that could match a line starting with it. Each possible first character
is tested with :mod:`re` itself (a one-character pattern with the rule's flags),
so case folding follows the regex engine; anything the reading does not know
(a back reference, a conditional group, a pattern that can match nothing) makes
the rule a candidate for every character, and a line starting with a character
outside ASCII is tried on every rule.
"""

from __future__ import annotations

import re
from re import _constants as C  # noqa: PLC2701 - the parse tree of re's own parser
from re import _parser

from ..config.regexguard import CATEGORY_PATTERNS

ASCII = 128

_FLAGS = re.IGNORECASE | re.ASCII | re.DOTALL | re.UNICODE | re.LOCALE


class _Unknown(Exception):
    """The pattern holds something the first-character reading does not follow."""


def _atom(op, av) -> str:
    """A one-character pattern for a consuming node."""
    if op is C.LITERAL:
        return re.escape(chr(av))
    if op is C.NOT_LITERAL:
        return "[^" + re.escape(chr(av)) + "]"
    if op is C.ANY:
        return "."
    if op is C.IN:
        parts, negate = [], False
        for iop, iav in av:
            if iop is C.NEGATE:
                negate = True
            elif iop is C.LITERAL:
                parts.append(re.escape(chr(iav)))
            elif iop is C.RANGE:
                parts.append(re.escape(chr(iav[0])) + "-" + re.escape(chr(iav[1])))
            elif iop is C.CATEGORY and iav in CATEGORY_PATTERNS:
                parts.append(CATEGORY_PATTERNS[iav])
            else:
                raise _Unknown(iop)
        return "[" + ("^" if negate else "") + "".join(parts) + "]"
    raise _Unknown(op)


def _first(items, flags: int, out: list[tuple[str, int]]) -> bool:
    """Add the (one-character pattern, flags) a match of ``items`` may begin with; True if it may be empty."""
    return all(_first_node(op, av, flags, out) for op, av in items)


def _first_node(op, av, flags: int, out: list[tuple[str, int]]) -> bool:
    if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
        out.append((_atom(op, av), flags))
        return False
    if op is C.SUBPATTERN:
        _group, add, remove, p = av
        return _first(p, (flags | add) & ~remove, out)
    if op is C.BRANCH:
        empty = False
        for alt in av[1]:
            empty |= _first(alt, flags, out)
        return empty
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        lo, _hi, p = av
        return _first(p, flags, out) or lo == 0
    if op is C.ATOMIC_GROUP:
        return _first(av, flags, out)
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return True  # takes no character; it can only refuse a start, never allow one
    raise _Unknown(op)


def first_chars(regex: re.Pattern[str]) -> frozenset[str] | None:
    """The ASCII characters a match of ``regex`` can begin with, or None if it could begin with any."""
    try:
        tree = _parser.parse(regex.pattern, regex.flags)
        atoms: list[tuple[str, int]] = []
        if _first(list(tree), tree.state.flags, atoms):
            return None  # it can match the empty string (or only look around): no first character
        compiled = [re.compile(p, f & _FLAGS) for p, f in set(atoms)]
    except (_Unknown, re.error, TypeError, ValueError):
        return None
    return frozenset(chr(c) for c in range(ASCII) if any(p.fullmatch(chr(c)) for p in compiled))


def first_char_table(regexes: list[re.Pattern[str]]) -> list[tuple[int, ...]]:
    """For each ASCII code, the indices (in order) of the regexes a string starting with it could match."""
    firsts = [first_chars(r) for r in regexes]
    return [tuple(i for i, f in enumerate(firsts) if f is None or chr(c) in f) for c in range(ASCII)]
