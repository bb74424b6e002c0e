"""Lexicons: named word sets that rules use instead of listing words one rule at a time.

A lexicon is one line of a ``lexicons.jsonl`` file::

    {"id": "media_noun", "words": ["video", "clip", "voice note"], "include": ["image_noun"], "note": "..."}

- ``words`` are written like phrase words: each is matched on its lower-case lemma
  with its inflections (``attr: "LEMMA"``, the default), exactly on ``LOWER``
  or ``TEXT``, or as the ending of a lower-case word (``SUFFIX``: "ing"); a word may be
  several tokens ("voice note") and a hyphen in it also matches U+2011, nothing, or the glued form ("cyber-patrol").
- ``include`` names other lexicons whose words it takes over (their own ``attr``
  and variants stay theirs).
- ``variants`` picks the groups of variant rules (``configs/rules/variants.jsonl``)
  applied to its LEMMA words; the default is inflections only.

The shared file named by the settings (``rules.lexicons``) is seen by every pack;
a pack's own ``lexicons.jsonl`` adds to it. Names are unique across both; an
unknown or circular ``include`` is an error naming ``path:line``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..errors import ConfigError, Errors, at
from .rulefiles import read_rules_with_lines, report

LEXICON_NAME = r"^[a-z][a-z0-9_]*$"
MatchAttr = Literal["LEMMA", "LOWER", "TEXT", "SUFFIX"]


class Lexicon(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    words: list[str] = Field(default_factory=list)
    include: list[str] = Field(default_factory=list)
    attr: MatchAttr = "LEMMA"
    variants: list[str] | None = None
    note: str = ""

    @field_validator("id")
    @classmethod
    def _name(cls, value: str) -> str:
        if not re.match(LEXICON_NAME, value):
            raise ValueError(f"lexicon id {value!r} must be lower case with underscores, e.g. 'media_noun'")
        return value

    @field_validator("words")
    @classmethod
    def _words(cls, value: list[str]) -> list[str]:
        for word in value:
            if not word.strip():
                raise ValueError("a lexicon word must not be empty")
        return value


@dataclass(frozen=True)
class Entry:
    """One word of a resolved lexicon: its text, how it is matched, and its variant groups."""

    text: str
    attr: MatchAttr
    variants: tuple[str, ...]


@dataclass(frozen=True)
class Where:
    path: Path
    line: int

    def error(self, message: str) -> ConfigError:
        return ConfigError(Errors.E001, path=self.path, line=self.line, message=message)


class LexiconTable:
    """Lexicons by name, with their includes resolved on first use."""

    def __init__(self, default_variants: Iterable[str] = ("inflect",)) -> None:
        self.default_variants = tuple(default_variants)
        self.lexicons: dict[str, tuple[Lexicon, Where]] = {}
        self._resolved: dict[str, tuple[Entry, ...]] = {}

    def __contains__(self, name: str) -> bool:
        return name in self.lexicons

    def __iter__(self):
        return iter(self.lexicons)

    def where(self, name: str) -> Where:
        return self.lexicons[name][1]

    def add_file(self, path: Path, problems: list[ConfigError] | None = None) -> None:
        """Add a file's lexicons; given ``problems``, broken lines are kept there and left out."""
        for line, lexicon in read_rules_with_lines(path, Lexicon, problems):
            try:
                self.add(lexicon, Where(path, line))
            except ConfigError as exc:
                report(problems, exc)

    def add(self, lexicon: Lexicon, where: Where) -> None:
        if lexicon.id in self.lexicons:
            first = self.lexicons[lexicon.id][1]
            raise where.error(f"duplicate lexicon {lexicon.id!r} (first in {at(first.path, first.line)})")
        self.lexicons[lexicon.id] = (lexicon, where)

    def child(self) -> LexiconTable:
        """A table that sees these lexicons and can take more of its own (a pack's)."""
        table = LexiconTable(self.default_variants)
        table.lexicons = dict(self.lexicons)
        table._resolved = dict(self._resolved)  # these lexicons' includes are resolved already
        return table

    def validate(self, problems: list[ConfigError] | None = None) -> None:
        """Resolve every lexicon now, so a broken include fails at start-up (or is kept in ``problems``)."""
        for name in self.lexicons:
            try:
                self.entries(name)
            except ConfigError as exc:
                report(problems, exc)

    def entries(self, name: str) -> tuple[Entry, ...]:
        """Every word of ``name`` (a known lexicon) and of what it includes, in order, without repeats."""
        return self._resolve(name, ())

    def unknown(self, name: str) -> str:
        """The message for a name that is not a lexicon, with the closest names."""
        close = difflib.get_close_matches(name, list(self.lexicons), n=3)
        hint = f"did you mean {', '.join(map(repr, close))}?" if close else f"{len(self.lexicons)} lexicons are known"
        return f"unknown lexicon {name!r} ({hint})"

    def _resolve(self, name: str, stack: tuple[str, ...]) -> tuple[Entry, ...]:
        if name in self._resolved:
            return self._resolved[name]
        lexicon, where = self.lexicons[name]
        variants = tuple(lexicon.variants) if lexicon.variants is not None else self.default_variants
        out: dict[Entry, None] = {Entry(w, lexicon.attr, variants): None for w in lexicon.words}
        for inc in lexicon.include:
            if inc == name or inc in stack:
                raise where.error(f"lexicon {name!r} includes itself: {' -> '.join([*stack, name, inc])}")
            if inc not in self.lexicons:
                raise where.error(f"lexicon {name!r} includes an {self.unknown(inc)}")
            out.update(dict.fromkeys(self._resolve(inc, (*stack, name))))
        if not out:
            raise where.error(f"lexicon {name!r} has no words")
        self._resolved[name] = entries = tuple(out)
        return entries
