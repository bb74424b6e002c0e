"""Rule packs: tactic and actor rules with their declared labels, plus hedge and quantity cues.

A pack is a folder ``configs/rules/<name>/`` holding ``pack.yaml`` (name,
description, ``labels`` and ``actor_labels`` with one-line definitions),
``tactics.jsonl`` and ``actors.jsonl``. A rule's ``pattern`` is a phrase string
or a spaCy Matcher token pattern; see :func:`compile_pattern`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from spacy.matcher import Matcher

from .errors import ConfigError, Errors
from .rulefiles import Rule, read_rules_with_lines, slow_regex
from .settings import Config

Pattern = str | list[dict[str, Any]]


class PatternRule(Rule):
    label: str
    pattern: Pattern


class CueRule(Rule):
    cue: Literal["hedge", "negation"]
    pattern: Pattern


class QuantityRule(Rule):
    pattern: Pattern


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str
    labels: dict[str, str] = Field(min_length=1)
    actor_labels: dict[str, str] = Field(default_factory=dict)


@dataclass(frozen=True)
class Loaded:
    """A rule with where it came from (for ``path:line`` messages)."""

    kind: Literal["tactic", "actor", "cue", "quantity"]
    rule: PatternRule | CueRule | QuantityRule
    path: Path
    line: int

    @property
    def label(self) -> str:
        r = self.rule
        return r.label if isinstance(r, PatternRule) else r.cue if isinstance(r, CueRule) else "QUANTITY"


@dataclass(frozen=True)
class Pack:
    manifest: Manifest
    folder: Path
    rules: list[Loaded]


def available_packs(config: Config) -> dict[str, Path]:
    root = config.path(config.settings.rules.dir)
    return {p.parent.name: p.parent for p in sorted(root.glob("*/pack.yaml"))}


def load_pack(folder: Path) -> Pack:
    manifest_path = folder / "pack.yaml"
    try:
        data = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
        manifest = Manifest.model_validate(data)
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(Errors.E002, path=manifest_path, message=exc) from None
    except ValidationError as exc:
        msg = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(Errors.E002, path=manifest_path, message=msg) from None
    rules: list[Loaded] = []
    for name, kind, allowed in (("tactics.jsonl", "tactic", manifest.labels),
                                ("actors.jsonl", "actor", manifest.actor_labels)):
        path = folder / name
        if not path.exists():
            continue
        for line, rule in read_rules_with_lines(path, PatternRule):
            if rule.label not in allowed:
                raise ConfigError(Errors.E001, path=path, line=line,
                                  message=f"label {rule.label!r} is not declared in pack.yaml ({', '.join(allowed)})")
            rules.append(Loaded(kind, rule, path, line))
    return Pack(manifest, folder, rules)


def resolve_packs(config: Config, names: list[str] | None = None) -> list[Pack]:
    """Packs by name (from the rules folder) or by folder path, in the order given (None: every pack there)."""
    known = available_packs(config)
    packs = []
    for name in names if names is not None else list(known):
        folder = known.get(name) or (Path(name) if (Path(name) / "pack.yaml").exists() else None)
        if folder is None:
            raise ConfigError(Errors.E003, pack=name, available=", ".join(known) or "none")
        packs.append(load_pack(folder))
    return packs


def load_cues(config: Config) -> list[Loaded]:
    rules = config.settings.rules
    out: list[Loaded] = []
    for rel, model, kind in ((rules.hedges, CueRule, "cue"), (rules.quantities, QuantityRule, "quantity")):
        if rel:
            path = config.path(rel)
            out.extend(Loaded(kind, r, path, line) for line, r in read_rules_with_lines(path, model))
    return out


def compile_pattern(pattern: Pattern, make_doc, lemma, hyphens: list[str]) -> list[dict[str, Any]]:
    """A phrase becomes one token dict per word: its lower-case lemma, or an optional hyphen."""
    if not isinstance(pattern, str):
        return pattern
    tokens = []
    for tok in make_doc(pattern):
        if tok.is_space:
            continue
        if tok.text in hyphens:
            tokens.append({"ORTH": {"IN": hyphens}, "OP": "?"})
        else:
            tokens.append({"LEMMA": lemma(tok.text)})
    return tokens


def build_matcher(vocab, loaded: list[Loaded], make_doc, lemma, hyphens: list[str]) -> IndexedMatcher:
    """One matcher for every rule, keyed by rule id; ids must be unique across all files."""
    matcher = IndexedMatcher(vocab)
    seen: dict[str, Loaded] = {}
    for item in loaded:
        rid = item.rule.id
        if rid in seen:
            first = seen[rid]
            raise ConfigError(Errors.E001, path=item.path, line=item.line,
                              message=f"duplicate rule id {rid!r} (first in {first.path}:{first.line})")
        seen[rid] = item
        tokens = compile_pattern(item.rule.pattern, make_doc, lemma, hyphens)
        for spec in tokens:
            for value in spec.values():
                regex = value.get("REGEX") if isinstance(value, dict) else None
                if isinstance(regex, str) and (reason := slow_regex(regex)):
                    raise ConfigError(Errors.E001, path=item.path, line=item.line, message=f"REGEX: {reason}")
        if not tokens:
            raise ConfigError(Errors.E001, path=item.path, line=item.line, message="empty pattern")
        try:
            matcher.add(rid, tokens)
        except ValueError as exc:
            msg = " ".join(str(exc).split())
            raise ConfigError(Errors.E001, path=item.path, line=item.line,
                              message=f"invalid token pattern: {msg}") from None
    return matcher


_ANCHOR_ATTRS = {"LOWER": "lower_", "LEMMA": "lemma_", "ORTH": "text", "TEXT": "text", "LIKE_NUM": "like_num"}
# A flag anchor (any number) counts as this many values when choosing the rarest anchor.
_FLAG_WEIGHT = 12


def _anchor(tokens: list[dict[str, Any]]) -> tuple[int, str, frozenset] | None:
    """The required token with the fewest allowed values on a plain attribute, if any."""
    best = None
    for pos, spec in enumerate(tokens):
        if spec.get("OP") in ("?", "*", "!"):
            continue
        for attr, value in spec.items():
            if attr not in _ANCHOR_ATTRS:
                continue
            if attr == "LIKE_NUM":
                if value is not True:
                    continue
                values = frozenset([True])
                size = _FLAG_WEIGHT
            elif isinstance(value, str):
                values = frozenset([value])
            elif isinstance(value, dict) and set(value) == {"IN"} and isinstance(value["IN"], list):
                values = frozenset(value["IN"])
            else:
                continue
            if attr != "LIKE_NUM":
                size = len(values)
            if best is None or size < best[3]:
                best = (pos, attr, values, size)
    return best[:3] if best else None


class IndexedMatcher:
    """A Matcher that tries each rule only next to a word the rule requires.

    spaCy's Matcher tries every pattern at every token, which costs tokens x
    patterns. Almost every rule has a required word or a required number, so at start-up each rule gets its own small matcher and is
    indexed by that word; at run time one pass over the tokens finds where such
    words stand, and each rule runs only on the windows around its own words.
    Rules with no such word run on the whole doc. The matches are exactly those
    of a plain Matcher (a property test checks it).
    """

    def __init__(self, vocab) -> None:
        self.vocab = vocab
        self.free = Matcher(vocab, validate=True)
        self.n_free = 0
        self.rules: dict[str, Matcher] = {}
        # token attribute -> value -> [(rule key, tokens before the anchor, tokens after it)]
        self.index: dict[str, dict[Any, list[tuple[str, int, int]]]] = {a: {} for a in _ANCHOR_ATTRS.values()}

    def __len__(self) -> int:
        return len(self.rules) + self.n_free

    def add(self, key: str, tokens: list[dict[str, Any]]) -> None:
        matcher = Matcher(self.vocab, validate=True)
        matcher.add(key, [tokens])  # spaCy validates the pattern here
        anchor = _anchor(tokens)
        if anchor is None:
            self.free.add(key, [tokens])
            self.n_free += 1
            return
        self.rules[key] = matcher
        pos, attr, values = anchor
        slot = self.index[_ANCHOR_ATTRS[attr]]
        for value in values:
            slot.setdefault(value, []).append((key, pos, len(tokens) - pos - 1))

    def __call__(self, doc) -> list[tuple[int, int, int]]:
        matches = list(self.free(doc)) if self.n_free else []
        n = len(doc)
        spans: dict[str, list[tuple[int, int]]] = {}
        index = [(attr, table) for attr, table in self.index.items() if table]
        for tok in doc:
            for attr, table in index:
                for key, before, after in table.get(getattr(tok, attr), ()):
                    spans.setdefault(key, []).append((max(0, tok.i - before), min(n, tok.i + after + 1)))
        for key in sorted(spans):
            windows: list[list[int]] = []
            for start, end in sorted(spans[key]):
                if windows and start <= windows[-1][1]:
                    windows[-1][1] = max(windows[-1][1], end)
                else:
                    windows.append([start, end])
            matcher = self.rules[key]
            for start, end in windows:
                matches.extend((k, start + s, start + e) for k, s, e in matcher(doc[start:end]))
        return matches
