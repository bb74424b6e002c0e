"""How a rule's match is widened after matching: ``before``, ``head`` and ``object``.

- ``before``: take in up to ``max`` words of a lexicon just before the match
  (auxiliaries of a passive, "have been removed");
- ``head``: take in up to ``max`` words of a lexicon just after it, the head
  nouns a tactic word modifies ("cloned" -> "cloned video");
- ``object``: a verb frame; take in the words after the match up to ``max``
  tokens, stopping before a citation marker, the end of the unit or a word of
  the ``stop`` lexicon, or another tactic match that begins beyond the object's
  first two words; then give back trailing words of the ``trim`` lexicon.
  With ``min``, a shorter window drops the match; with ``require``, so does a
  window missing a word of any lexicon named. With ``start``, the window opens
  only on a word of that lexicon (a determiner, so that "fabricated the quote" is
  a verb frame and "fabricated quotes" is not; "referral" takes in "to ..." only).

Widening never leaves the unit (title, heading or paragraph) of the match.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .patterns import WordSet


@dataclass(frozen=True)
class Window:
    max: int
    min: int = 0
    stop: tuple[WordSet, ...] = ()
    trim: WordSet | None = None
    require: tuple[WordSet, ...] = ()
    start: WordSet | None = None


@dataclass(frozen=True)
class Extent:
    before: WordSet | None = None
    before_max: int = 0
    head: WordSet | None = None
    head_max: int = 0
    object: Window | None = None
    names: dict[str, str] = field(default_factory=dict)  # which lexicon each part reads (for explain)

    def widen(
        self, doc, start: int, end: int, lo: int, hi: int, is_marker, starts: frozenset[int] = frozenset()
    ) -> tuple[int, int] | None:
        """The widened token range of a match [start, end) inside the unit [lo, hi), or None to drop it.

        ``starts`` are the first tokens of the other tactic matches: an object window
        does not run into another mention, except one among its first two words
        (the object itself: "refer that tip"). The match's own start never counts:
        it lies before the window.
        """
        return self.widen_reach(doc, start, end, lo, hi, is_marker, starts)[0]

    def widen_reach(
        self, doc, start: int, end: int, lo: int, hi: int, is_marker, starts: frozenset[int] = frozenset()
    ) -> tuple[tuple[int, int] | None, int, int]:
        """:meth:`widen`, and the token positions [a, b) whose presence in ``starts`` it looked at.

        The result is the same for any other ``starts`` that holds the same positions of [a, b).
        """
        reach = (0, 0)
        if self.before is not None:
            k = 0
            while k < self.before_max and start > lo and self.before.has(doc[start - 1]):
                start -= 1
                k += 1
        if self.head is not None:
            k = 0
            while k < self.head_max and (n := self.head.match_at(doc, end, hi)):
                end += n
                k += 1
        window = self.object
        if window is not None:
            j, limit = end, min(hi, end + window.max)
            reach = (end + 2, limit)
            if window.start is not None and (j >= limit or not window.start.has(doc[j])):
                limit = j  # the words after the match do not open an object
            while j < limit and not is_marker[j] and not (j - end >= 2 and j in starts):
                # A word that opens an object ("that" in "refer that tip") is no stop there.
                opener = j == end and window.start is not None
                if not opener and any(stop.match_at(doc, j, hi) for stop in window.stop):
                    break
                j += 1
            while j > end and window.trim is not None and window.trim.has(doc[j - 1]):
                j -= 1
            if j - end < window.min:
                return None, *reach
            for needed in window.require:
                if not any(needed.match_at(doc, k, j) for k in range(end, j)):
                    return None, *reach
            end = j
        return (start, end), *reach
