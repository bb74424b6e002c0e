"""Compile a rule's pattern into spaCy Matcher token patterns.

A pattern is a **phrase** or a **token pattern** (see the README's rule-pack
format):

- phrase: words separated by spaces. A word matches any token with the same
  lower-case lemma, or the lemma of one of its inflections (variant rules); a
  hyphen inside a word matches ``-``, U+2011, nothing, or the glued form
  ("cyber-patrol" also matches "cyber patrol" and "cyberpatrol"); ``@name`` is a
  lexicon; a trailing ``?`` makes a word or lexicon optional.
- token pattern: spaCy's list of token dicts. ``LEMMA`` values are words,
  compiled like phrase words; ``{"LEXICON": "name"}`` stands for a lexicon (with
  ``OP`` and other keys when its words are single tokens) and
  ``{"LEXICON": {"NOT_IN": "name"}}`` for any token that is not one of its
  single-token words (its several-token words and suffixes do not apply there). ``"CONTEXT": true``
  marks a leading or trailing token that must match but is left out of the
  mention (a lexicon's several-token words do not apply there) ("tips" only when "for"
  does not follow, "spoofing" after "URL").

A lexicon with several-token words, or with words on different attributes, is
expanded into one token pattern per combination (bounded repeats such as
``{0,2}`` too); a rule compiling to more than
``rules.max_expansion`` patterns is an error. Each compiled token remembers the
lexicon it came from, so ``claimx explain`` can say what a lexicon contributed.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..config.lexicons import LexiconTable
from ..config.variants import Variants
from .matcher import repeats

Tok = tuple[dict[str, Any], str | None]  # a token dict and the lexicon it came from
Alt = tuple[Tok, ...]  # one way to fill a slot (possibly empty)
Slot = list[Alt]
TokenPattern = list[dict[str, Any]]
ATTRS = ("LEMMA", "LOWER", "TEXT")


class PatternError(ValueError):
    """A pattern that cannot be compiled; the caller adds ``path:line``."""


@dataclass
class Compiled:
    patterns: list[TokenPattern] = field(default_factory=list)
    origins: list[list[str | None]] = field(default_factory=list)  # per pattern, per token
    lead: int = 0  # leading CONTEXT tokens: they must match but are not part of the mention
    trail: int = 0  # trailing CONTEXT tokens


@dataclass(frozen=True)
class WordSet:
    """Single-token words by attribute, for looking a token up (head, before, object windows)."""

    values: dict[str, frozenset[str]]
    phrases: tuple[Alt, ...] = ()  # several-token words, tried first (longest first)
    regexes: tuple[re.Pattern[str], ...] = ()  # SUFFIX words, searched in the lower-case text

    @cached_property
    def _firsts(self) -> dict[str, frozenset[str]]:
        """For the several-token words: the values their first token can take, by attribute."""
        out: dict[str, set[str]] = {}
        for alt in self.phrases:
            for attr, want in alt[0][0].items():
                if attr != "OP":
                    out.setdefault(attr, set()).update(want["IN"] if isinstance(want, dict) else [want])
        return {a: frozenset(v) for a, v in out.items()}

    def match_at(self, doc, i: int, limit: int) -> int:
        """How many tokens from ``i`` (before ``limit``) one word of the set covers; 0 when none."""
        if i >= limit:
            return 0
        tok = doc[i]
        best = 0
        if self.phrases and any(_value(tok, a) in v for a, v in self._firsts.items()):
            best = max(_match_alt(doc, i, limit, alt) for alt in self.phrases)
        if best:
            return best
        return 1 if self.has(tok) else 0

    def has(self, tok) -> bool:
        """Whether one token is a single-token word of the set."""
        v = self.values
        return (
            ("LEMMA" in v and tok.lemma_ in v["LEMMA"])
            or ("LOWER" in v and tok.lower_ in v["LOWER"])
            or ("TEXT" in v and tok.text in v["TEXT"])
            or any(r.search(tok.lower_) for r in self.regexes)
        )


def _value(tok, attr: str) -> str:
    return tok.lemma_ if attr == "LEMMA" else tok.lower_ if attr == "LOWER" else tok.text


def _token_ok(tok, spec: dict[str, Any]) -> bool:
    for attr, want in spec.items():
        if attr == "OP":
            continue
        have = _value(tok, attr)
        if isinstance(want, dict):
            if have not in want.get("IN", ()):
                return False
        elif have != want:
            return False
    return True


def _match_alt(doc, i: int, limit: int, alt: Alt) -> int:
    """Tokens a several-token word covers from ``i`` (optional tokens may be skipped), 0 if it does not match."""

    def walk(k: int, j: int) -> int:
        if k == len(alt):
            return j - i
        spec = alt[k][0]
        if j < limit and _token_ok(doc[j], spec):
            got = walk(k + 1, j + 1)
            if got:
                return got
        return walk(k + 1, j) if spec.get("OP") == "?" else 0

    return walk(0, i)


def _plain(spec: dict[str, Any]) -> bool:
    """Whether a one-key token dict tests a value or an IN set (and so can join an IN set)."""
    ((_, value),) = spec.items()
    return isinstance(value, str) or (isinstance(value, dict) and set(value) == {"IN"})


class Compiler:
    """Turns rule patterns into token patterns with the pipeline's tokenizer and lemmas."""

    def __init__(
        self,
        *,
        tokenize: Callable[[str], list[str]],
        lemma: Callable[[str], str],
        variants: Variants,
        lexicons: LexiconTable,
        hyphens: Sequence[str],
        max_expansion: int = 5000,
    ) -> None:
        self.tokenize = tokenize
        self.lemma = lemma
        self.variants = variants
        self.lexicons = lexicons
        self.hyphens = frozenset(hyphens)
        self.hyphen_lemmas = sorted({lemma(h) for h in hyphens})
        self.max_expansion = max_expansion
        self._slots: dict[str, Slot] = {}
        self._word_sets: dict[str, WordSet] = {}
        self._lemma_values: dict[tuple[str, tuple[str, ...]], list[str]] = {}

    # -- words -------------------------------------------------------------------------------------
    def lemma_values(self, word: str, groups: Sequence[str] = ("inflect",)) -> list[str]:
        """The lemmas a LEMMA word matches: its own and those of its generated forms."""
        key = (word, tuple(groups))
        if key not in self._lemma_values:  # rules share words: each is inflected once
            self._lemma_values[key] = self._lemmas_of(word, groups)
        return list(self._lemma_values[key])

    def _lemmas_of(self, word: str, groups: Sequence[str]) -> list[str]:
        lower = word.lower()
        base = self.lemma(word)
        values = dict.fromkeys([base])
        for source in dict.fromkeys([lower, base]):
            for form in self.variants.forms(source, groups):
                lemma = self.lemma(form)
                # A form the table knows as another word ("bar" -> "bared" -> "bare") is not this word's.
                if lemma in (form, base):
                    values[lemma] = None
        return list(values)

    def _word(self, text: str, attr: str, groups: Sequence[str]) -> dict[str, Any]:
        if attr == "LEMMA":
            values = self.lemma_values(text, groups)
            return {"LEMMA": values[0] if len(values) == 1 else {"IN": sorted(values)}}
        if attr == "SUFFIX":
            return {"LOWER": {"REGEX": f"{re.escape(text.lower())}$"}}
        return {attr: text.lower() if attr == "LOWER" else text}

    def _item(self, item: str, attr: str, groups: Sequence[str], origin: str | None) -> Slot:
        """The ways to match one space-free piece of text (with hyphen and glued forms)."""
        words = self.tokenize(item)
        if not words:
            raise PatternError(f"{item!r} has no tokens")
        hyphen = [w in self.hyphens for w in words]
        seq = tuple(
            (
                {
                    "LEMMA": self.hyphen_lemmas[0] if len(self.hyphen_lemmas) == 1 else {"IN": self.hyphen_lemmas},
                    "OP": "?",
                },
                origin,
            )
            if is_h
            else (self._word(w, attr, groups), origin)
            for w, is_h in zip(words, hyphen, strict=True)
        )
        if any(hyphen) and sum(not h for h in hyphen) >= 2 and attr == "LEMMA":
            glued = "".join(w for w, h in zip(words, hyphen, strict=True) if not h)
            return [seq, ((self._word(glued, attr, groups), origin),)]
        return [seq]

    def _text(self, text: str, attr: str, groups: Sequence[str], origin: str | None) -> Slot:
        """A word of a lexicon, possibly several space-separated pieces: one slot of alternatives."""
        slots = [self._item(piece, attr, groups, origin) for piece in text.split()]
        return [tuple(t for alt in combo for t in alt) for combo in itertools.product(*slots)]

    # -- lexicons ----------------------------------------------------------------------------------
    def lexicon_slot(self, name: str) -> Slot:
        """Every way to match one word of the lexicon; single tokens on one attribute are merged into an IN set."""
        if name in self._slots:
            return self._slots[name]
        if name not in self.lexicons:
            raise PatternError(self.lexicons.unknown(name))
        merged: dict[str, dict[str, None]] = {}
        rest: list[Alt] = []
        for entry in self.lexicons.entries(name):
            for alt in self._text(entry.text, entry.attr, entry.variants, name):
                if len(alt) == 1 and "OP" not in alt[0][0] and len(alt[0][0]) == 1 and _plain(alt[0][0]):
                    ((attr, value),) = alt[0][0].items()
                    values = value["IN"] if isinstance(value, dict) else [value]
                    merged.setdefault(attr, {}).update(dict.fromkeys(values))
                elif alt not in rest:
                    rest.append(alt)
        slot: Slot = []
        for attr in ATTRS:
            if attr in merged:
                values = sorted(merged[attr])
                slot.append((({attr: values[0] if len(values) == 1 else {"IN": values}}, name),))
        self._slots[name] = slot + rest
        return self._slots[name]

    def word_set(self, name: str) -> WordSet:
        """A lexicon as a set to look tokens up in (made once per lexicon: rules share their stop and trim sets)."""
        found = self._word_sets.get(name)
        if found is None:
            found = self._word_sets[name] = self._word_set(name)
        return found

    def _word_set(self, name: str) -> WordSet:
        values: dict[str, set[str]] = {}
        phrases: list[Alt] = []
        regexes: list[re.Pattern[str]] = []
        for alt in self.lexicon_slot(name):
            if len(alt) == 1 and "OP" not in alt[0][0] and _plain(alt[0][0]):
                ((attr, value),) = alt[0][0].items()
                values.setdefault(attr, set()).update(value["IN"] if isinstance(value, dict) else [value])
            elif len(alt) == 1 and set(alt[0][0]) == {"LOWER"} and set(alt[0][0]["LOWER"]) == {"REGEX"}:
                regexes.append(re.compile(alt[0][0]["LOWER"]["REGEX"]))
            else:
                phrases.append(alt)
        phrases.sort(key=len, reverse=True)
        return WordSet({a: frozenset(v) for a, v in values.items()}, tuple(phrases), tuple(regexes))

    # -- patterns ----------------------------------------------------------------------------------
    def compile(self, pattern: str | list[dict[str, Any]]) -> Compiled:
        lead = trail = 0
        if isinstance(pattern, list):
            pattern, lead, trail = self._context(pattern)
        slots = self._phrase(pattern) if isinstance(pattern, str) else self._tokens(pattern)
        for i in [*range(lead), *range(len(slots) - trail, len(slots))]:
            # A CONTEXT token is one token: only a lexicon's single-token words apply there.
            slots[i] = [alt for alt in slots[i] if len(alt) == 1]
            if not slots[i]:
                raise PatternError("a CONTEXT token must stand for one token (a lexicon with single-token words)")
        total = math.prod(len(s) for s in slots)
        if total > self.max_expansion:
            raise PatternError(
                f"pattern expands to {total} token patterns, more than rules.max_expansion "
                f"({self.max_expansion}); split it or use single-word lexicons"
            )
        out = Compiled()
        seen: set[str] = set()
        # The key is json.dumps(tokens, sort_keys=True), put together from each token's
        # JSON: combinations share their token dicts, so each is written once.
        written: dict[int, str] = {}
        for combo in itertools.product(*slots):
            toks = [t for alt in combo for t in alt]
            if not toks:
                continue
            tokens = [t[0] for t in toks]
            parts = []
            for tok in tokens:
                part = written.get(id(tok))
                if part is None:
                    part = written[id(tok)] = json.dumps(tok, sort_keys=True)
                parts.append(part)
            key = "[" + ", ".join(parts) + "]"
            if key in seen:
                continue
            seen.add(key)
            out.patterns.append(tokens)
            out.origins.append([t[1] for t in toks])
        if not out.patterns:
            raise PatternError("empty pattern")
        out.lead, out.trail = lead, trail
        return out

    @staticmethod
    def _context(tokens: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int, int]:
        """Strip CONTEXT marks; they may only stand on leading and trailing tokens without OP."""
        flags = [isinstance(t, dict) and t.get("CONTEXT") is True for t in tokens]
        for t in tokens:
            if isinstance(t, dict) and "CONTEXT" in t and t["CONTEXT"] is not True:
                raise PatternError("CONTEXT must be true")
        lead = next((i for i, f in enumerate(flags) if not f), len(flags))
        trail = next((i for i, f in enumerate(reversed(flags)) if not f), len(flags))
        if lead == len(flags):
            raise PatternError("a pattern needs a token that is not CONTEXT")
        if any(flags[lead : len(flags) - trail]):
            raise PatternError("CONTEXT tokens must lead or trail the pattern")
        stripped = [{k: v for k, v in t.items() if k != "CONTEXT"} if isinstance(t, dict) else t for t in tokens]
        for t in stripped[:lead] + stripped[len(stripped) - trail :]:
            if "OP" in t:
                raise PatternError("a CONTEXT token cannot have an OP")
        return stripped, lead, trail

    def _phrase(self, phrase: str) -> list[Slot]:
        slots = []
        for item in phrase.split():
            optional = len(item) > 1 and item.endswith("?")
            item = item[:-1] if optional else item
            slot = (
                self.lexicon_slot(item[1:])
                if item.startswith("@") and len(item) > 1
                else self._item(item, "LEMMA", ("inflect",), None)
            )
            slots.append(self._with_op(slot, "?" if optional else None, item))
        if not slots:
            raise PatternError("empty pattern")
        return slots

    def _tokens(self, tokens: list[dict[str, Any]]) -> list[Slot]:
        slots = []
        for spec in tokens:
            if not isinstance(spec, dict):
                raise PatternError("a token pattern is a list of objects")
            if "LEXICON" in spec:
                slots.append(self._lexicon_token(spec))
            else:
                slots.append([((self._lemmas(spec), None),)])
        if not slots:
            raise PatternError("empty pattern")
        return slots

    def _lemmas(self, spec: dict[str, Any]) -> dict[str, Any]:
        """A token dict with its LEMMA words compiled like phrase words."""
        value = spec.get("LEMMA")
        if value is None:
            return dict(spec)
        out = dict(spec)
        if isinstance(value, str):
            values = self.lemma_values(value)
            out["LEMMA"] = values[0] if len(values) == 1 else {"IN": sorted(values)}
        elif isinstance(value, dict):
            out["LEMMA"] = {
                k: sorted({x for w in v for x in self.lemma_values(w)})
                if k in ("IN", "NOT_IN") and isinstance(v, list) and all(isinstance(w, str) for w in v)
                else v
                for k, v in value.items()
            }
        return out

    def _lexicon_token(self, spec: dict[str, Any]) -> Slot:
        ref = spec["LEXICON"]
        op = spec.get("OP")
        extra = {k: v for k, v in spec.items() if k not in ("LEXICON", "OP")}
        if isinstance(ref, dict) and set(ref) == {"NOT_IN"} and isinstance(ref["NOT_IN"], str):
            name = ref["NOT_IN"]
            token: dict[str, Any] = dict(extra)
            for alt in self.lexicon_slot(name):
                if len(alt) != 1 or "OP" in alt[0][0] or not _plain(alt[0][0]):
                    continue  # a several-token word is never one token; a suffix cannot be negated
                ((attr, value),) = alt[0][0].items()
                values = value["IN"] if isinstance(value, dict) else [value]
                token.setdefault(attr, {"NOT_IN": []})["NOT_IN"].extend(values)
            if op is not None:
                token["OP"] = op
            return [((token, f"not {name}"),)]
        if isinstance(ref, dict) and set(ref) == {"IN"}:
            ref = ref["IN"]
        if not isinstance(ref, str):
            raise PatternError('LEXICON takes a lexicon name or {"NOT_IN": name}')
        slot = self.lexicon_slot(ref)
        if extra:
            if any(len(alt) != 1 for alt in slot):
                raise PatternError(f"lexicon {ref!r} has several-token words; other keys cannot be added to it")
            slot = [(({**alt[0][0], **extra}, alt[0][1]),) for alt in slot]
        return self._with_op(slot, op, ref)

    @staticmethod
    def _with_op(slot: Slot, op: str | None, what: str) -> Slot:
        if op is None:
            return slot
        if op == "?":
            return slot + [()] if () not in slot else slot
        if len(slot) == 1 and len(slot[0]) == 1 and "OP" not in slot[0][0][0]:
            ((tok, origin),) = slot[0]
            return [(({**tok, "OP": op}, origin),)]
        least, most = repeats(op)
        if most == math.inf:
            raise PatternError(
                f"OP {op!r} cannot repeat {what!r}: it has several-token words or words on "
                "several attributes (only bounded repeats such as '?' or '{0,2}' can)"
            )
        out: Slot = []
        for k in range(least, int(most) + 1):
            for combo in itertools.product(slot, repeat=k):
                alt = tuple(t for a in combo for t in a)
                if alt not in out:
                    out.append(alt)
        return out
