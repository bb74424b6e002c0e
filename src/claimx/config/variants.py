"""Word variants: how one written word also matches the forms a lookup table does not know.

The lookup lemmatizer knows "raids" -> "raid", but not "podcasts", "livestreamed"
or "A.I.". Variant rules (``configs/rules/variants.jsonl``, one per line) close
the gap, in two places:

- ``normalize`` rules rewrite a token's lower-case text before the lemma table is
  read (at run time, once per word type): "a.i." -> "ai", U+2011 -> "-",
  "’" -> "'". When ``when`` is given, the rule applies only to words that match
  it entirely.
- ``keep`` rules name words (``pattern`` matching the whole normalised word)
  whose lemma is the word itself, where the table would mislead: it reads
  "ai" and "'s" as "have".
- ``inflect`` and ``derive`` rules generate forms of a rule's word when the rules
  are compiled: "livestream" -> "livestreams", "livestreamed", "livestreaming"
  (inflect), "livestreamer", "livestreamers" (derive). The rule applies where ``pattern`` is found,
  replacing it with ``replace`` once. Every LEMMA word of a phrase, token
  pattern or lexicon gets the inflections; a lexicon opts in to other groups
  with ``variants``.

A generated form counts only when the table does not know it (its lemma is the
form itself) or knows it as this word; "bared" is not a form of "bar", since
the table reads it as "bare".
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import field_validator

from .rulefiles import RegexRule, read_rules


class VariantRule(RegexRule):
    kind: Literal["normalize", "keep", "inflect", "derive"]
    replace: str
    when: str | None = None

    @field_validator("when")
    @classmethod
    def _when_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"when is not a valid regular expression: {exc}") from None
        return value

    @cached_property
    def when_regex(self) -> re.Pattern[str] | None:
        return re.compile(self.when) if self.when is not None else None

    def applies(self, word: str) -> bool:
        return (self.when_regex is None or self.when_regex.fullmatch(word) is not None) and self.regex.search(
            word
        ) is not None


class Variants:
    """The variant rules of one settings file."""

    def __init__(self, rules: list[VariantRule]) -> None:
        self.normalizers = [r for r in rules if r.kind == "normalize"]
        self.keepers = [r for r in rules if r.kind == "keep"]
        self.generators = [r for r in rules if r.kind in ("inflect", "derive")]
        self.groups = {r.kind for r in self.generators}

    @classmethod
    def from_file(cls, path: Path | None) -> Variants:
        return cls(read_rules(path, VariantRule) if path is not None else [])

    def normalize(self, lower: str) -> str:
        """The form a lower-case word is looked up under."""
        for rule in self.normalizers:
            if rule.applies(lower):
                lower = rule.regex.sub(rule.replace, lower)
        return lower

    def keeps(self, form: str) -> bool:
        """Whether a normalised word is its own lemma, whatever the table says."""
        return any(r.regex.fullmatch(form) for r in self.keepers)

    def forms(self, word: str, groups: tuple[str, ...] | list[str]) -> list[str]:
        """Generated forms of a lower-case word, in rule order, without repeats (the word itself excluded)."""
        out: dict[str, None] = {}
        for rule in self.generators:
            if rule.kind in groups and rule.applies(word):
                form = rule.regex.sub(rule.replace, word, count=1)
                if form != word:
                    out[form] = None
        return list(out)
