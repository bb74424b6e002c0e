"""Rule packs: tactic and actor rules with their declared labels and lexicons, plus hedge and quantity cues.

A pack is a folder ``configs/rules/<name>/`` holding ``pack.yaml`` (name,
description, ``labels`` and ``actor_labels`` with one-line definitions, and
``heads``: a label's default head lexicon), ``tactics.jsonl``, ``actors.jsonl``
and, optionally, ``lexicons.jsonl``. A rule's ``pattern`` is a phrase string or
a token pattern (:mod:`claimx.rules.patterns`); ``head``, ``before`` and ``object``
widen its matches (:mod:`claimx.rules.extents`).
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..config.lexicons import LexiconTable
from ..config.rulefiles import Rule, read_rules_with_lines, read_yaml, report, slow_regex
from ..config.settings import Config, ObjectSettings, SectionKind
from ..errors import ConfigError, Errors, at, validation_problems
from . import cache as rule_cache
from .extents import Extent, Window
from .matcher import RuleEngine
from .patterns import Compiled, Compiler, PatternError

Pattern = str | list[dict[str, Any]]


class Extension(BaseModel):
    """Words of a lexicon taken into a match, at most ``max`` of them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lexicon: str
    max: int = Field(2, ge=1, le=10)


class ObjectWindow(BaseModel):
    """A verb frame's object window; unset fields take the settings' ``rules.objects``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max: int | None = Field(None, ge=1, le=30)
    min: int = Field(0, ge=0, le=30)
    stop: str | list[str] | None = None  # the window stops before a word of any lexicon named
    trim: str | None = None
    require: str | list[str] | None = None  # each lexicon named must have a word in the window
    start: str | None = None  # the window's first word must be in this lexicon


class PatternRule(Rule):
    label: str
    pattern: Pattern
    head: str | Extension | Literal[False] | None = None
    before: str | Extension | None = None
    object: int | ObjectWindow | None = None
    # Where mentions of different labels overlap, those of lower priority are dropped.
    priority: int = Field(0, ge=-9, le=9)
    # A block rule's matches are no mentions: they remove its label's mentions they overlap.
    block: bool = False


class CueRule(Rule):
    cue: Literal["hedge", "negation"]
    pattern: Pattern


class QuantityRule(Rule):
    pattern: Pattern


VerdictLabel = Literal["true", "partly_true", "misleading", "false", "unsupported", "none"]


class VerdictRule(Rule):
    """A phrase that states what a fact-check concludes (``claimx_verdicts`` picks one per document);
    with ``heading``, a line that announces the conclusion ("Conclusion", "Our ruling"); with
    ``block``, a phrase holding a rating word that rates nothing ("bot networks spreading
    misleading posts"): like a pack's block rule, its matches remove the verdict cues they overlap."""

    verdict: VerdictLabel | None = None
    heading: bool = False  # a verdict heading: cues in the paragraph after its line rank higher
    block: bool = False  # its matches are no cue and remove the verdict cues they overlap
    pattern: Pattern
    priority: int = Field(0, ge=-9, le=9)  # of the cues read, the highest priority wins, then the earliest
    start: bool = False  # the cue must open its sentence ("No, ...")
    whole: bool = False  # the cue must be its whole line, punctuation aside (a printed rating: "Fake")
    negatable: bool = True  # a negation cue just before it cancels it ("not misleading")
    questions: bool = False  # it counts in a question too (else a sentence ending in '?' states no verdict)
    sections: list[SectionKind] | None = None  # where it counts [default: settings verdicts.sections]

    @model_validator(mode="after")
    def _one_kind(self) -> VerdictRule:
        if (self.verdict is not None) + self.heading + self.block != 1:
            raise ValueError("a verdict rule has exactly one of 'verdict' (a class), 'heading': true, 'block': true")
        return self


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str
    labels: dict[str, str] = Field(min_length=1)
    actor_labels: dict[str, str] = Field(default_factory=dict)
    heads: dict[str, str | Extension] = Field(default_factory=dict)


@dataclass(frozen=True)
class Loaded:
    """A rule with where it came from (for ``path:line`` messages) and the lexicons it sees."""

    kind: Literal["tactic", "actor", "cue", "quantity", "verdict"]
    rule: PatternRule | CueRule | QuantityRule | VerdictRule
    path: Path
    line: int
    lexicons: LexiconTable
    head: str | Extension | None = None  # the label's default head (pack.yaml ``heads``)

    @property
    def label(self) -> str:
        r = self.rule
        if isinstance(r, VerdictRule):
            return r.verdict or ("heading" if r.heading else "block")
        return r.label if isinstance(r, PatternRule) else r.cue if isinstance(r, CueRule) else "QUANTITY"

    def error(self, message: str) -> ConfigError:
        return ConfigError(Errors.E001, path=self.path, line=self.line, message=message)


@dataclass(frozen=True)
class Pack:
    manifest: Manifest | None  # None only for a pack read by `rules check` whose pack.yaml is broken
    folder: Path
    rules: list[Loaded]
    lexicons: LexiconTable


def available_packs(config: Config) -> dict[str, Path]:
    root = config.path(config.settings.rules.dir)
    return {p.parent.name: p.parent for p in sorted(root.glob("*/pack.yaml"))}


def shared_lexicons(config: Config) -> LexiconTable:
    """The lexicons every pack sees (settings ``rules.lexicons``), read once per settings file."""
    return config.lexicons


def read_manifest(path: Path) -> Manifest:
    """A pack's ``pack.yaml``, validated; a YAML syntax error names its line."""
    data = read_yaml(path)
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(Errors.E002, path=path, message="; ".join(validation_problems(exc))) from None


def load_pack(folder: Path, shared: LexiconTable | None = None, problems: list[ConfigError] | None = None) -> Pack:
    """Read and validate one pack folder.

    Any problem raises :class:`ConfigError` naming ``path:line``; given a ``problems``
    list (``claimx rules check``), every problem is kept there and the rest of the pack
    is still read (a rule of an undeclared label, or of a pack whose manifest is
    broken, is left out).
    """
    manifest_path = folder / "pack.yaml"
    try:
        manifest: Manifest | None = read_manifest(manifest_path)
    except ConfigError as exc:
        report(problems, exc)
        manifest = None
    lexicons = (shared or LexiconTable()).child()
    if (folder / "lexicons.jsonl").exists():
        lexicons.add_file(folder / "lexicons.jsonl", problems)
    lexicons.validate(problems)
    for label, head in manifest.heads.items() if manifest else ():
        name = head if isinstance(head, str) else head.lexicon
        if label not in manifest.labels:
            report(
                problems,
                ConfigError(Errors.E002, path=manifest_path, message=f"heads: label {label!r} is not declared"),
            )
        elif name not in lexicons:
            report(
                problems,
                ConfigError(Errors.E002, path=manifest_path, message=f"heads: unknown lexicon {name!r} for {label}"),
            )
    rules: list[Loaded] = []
    for name, kind, field in (("tactics.jsonl", "tactic", "labels"), ("actors.jsonl", "actor", "actor_labels")):
        path = folder / name
        if not path.exists():
            continue
        allowed = getattr(manifest, field) if manifest else None
        for line, rule in read_rules_with_lines(path, PatternRule, problems):
            if allowed is not None and rule.label not in allowed:
                report(
                    problems,
                    ConfigError(
                        Errors.E001,
                        path=path,
                        line=line,
                        message=f"label {rule.label!r} is not declared in pack.yaml ({', '.join(allowed)})",
                    ),
                )
                continue
            head = manifest.heads.get(rule.label) if kind == "tactic" and manifest else None
            rules.append(Loaded(kind, rule, path, line, lexicons, head))
    return Pack(manifest, folder, rules, lexicons)


def resolve_packs(config: Config, names: list[str] | None = None) -> list[Pack]:
    """Packs by name (from the rules folder) or by folder path, in the order given (None: every pack there).

    ``None`` over a rules folder holding no pack is an error (E034): a run without
    tactic rules would give records without mentions and no sign of why.
    """
    known = available_packs(config)
    if names is None and not known:
        raise ConfigError(Errors.E034, folder=config.path(config.settings.rules.dir))
    folders = []
    for name in names if names is not None else list(known):
        folder = known.get(name) or (Path(name) if (Path(name) / "pack.yaml").exists() else None)
        if folder is None:
            hint = difflib.get_close_matches(name, list(known), n=1)
            raise ConfigError(
                Errors.E003,
                pack=name,
                available=(", ".join(known) or "none") + (f" (did you mean {hint[0]!r}?)" if hint else ""),
            )
        folders.append(folder)
    shared = shared_lexicons(config) if folders else None
    return [load_pack(folder, shared) for folder in folders]


def load_cues(config: Config) -> list[Loaded]:
    rules = config.settings.rules
    shared = shared_lexicons(config)
    out: list[Loaded] = []
    for rel, model, kind in (
        (rules.hedges, CueRule, "cue"),
        (rules.quantities, QuantityRule, "quantity"),
        (rules.verdicts, VerdictRule, "verdict"),
    ):
        if rel:
            path = config.path(rel)
            out.extend(Loaded(kind, r, path, line, shared) for line, r in read_rules_with_lines(path, model))
    return out


def regex_problem(regex: object) -> str | None:
    """Why a token pattern's REGEX value cannot be used (not a string, invalid, or slow), or None."""
    if not isinstance(regex, str):
        return f"must be a string, not {type(regex).__name__}"
    try:
        re.compile(regex)
    except re.error as exc:
        return f"{regex!r} is not a valid regular expression: {exc}"
    reason = slow_regex(regex)
    return f"{regex!r}: {reason}" if reason else None


@dataclass(frozen=True)
class CompiledRule:
    order: int
    item: Loaded
    compiled: Compiled
    extent: Extent | None


class RuleBuilder:
    """Compiles loaded rules into one :class:`RuleEngine` keyed by rule id."""

    # What compiling depends on besides the rules (set by ``for_pipeline``): the cache's key.
    # None (a builder made another way): ``build_cached`` compiles every time.
    depends: dict[str, Any] | None = None

    def __init__(
        self, vocab, *, tokenize, lemma, variants, hyphens: list[str], max_expansion: int, objects: ObjectSettings
    ) -> None:
        self.vocab = vocab
        self.objects = objects
        self._args = dict(
            tokenize=tokenize, lemma=lemma, variants=variants, hyphens=hyphens, max_expansion=max_expansion
        )
        self._compilers: dict[int, Compiler] = {}

    @classmethod
    def for_pipeline(cls, nlp, config: Config) -> RuleBuilder:
        """The builder for a pipeline with claimx's lemmatizer (phrases are split by its tokenizer)."""
        base = getattr(nlp.tokenizer, "base", nlp.tokenizer)
        s = config.settings

        @functools.cache
        def tokenize(text: str) -> tuple[str, ...]:  # rules repeat words: each is split once
            return tuple(t.text for t in base(text) if not t.is_space)

        lemmatizer = nlp.get_pipe("claimx_lemmatizer")
        builder = cls(
            nlp.vocab,
            tokenize=lambda text: list(tokenize(text)),
            lemma=lemmatizer.lemma,
            variants=config.variants,
            hyphens=["-", *s.tokenizer.extra_hyphens],
            max_expansion=s.rules.max_expansion,
            objects=s.rules.objects,
        )
        builder.depends = {
            "settings": s,
            "variants": config.variants,
            "lemma": (lemmatizer.mode, lemmatizer.variants),
            "tokenizer": _tokenizer_key(base),
        }
        return builder

    def build_cached(self, loaded: list[Loaded]) -> tuple[RuleEngine, dict[str, CompiledRule]]:
        """:meth:`build`, read from :mod:`claimx.rules.cache` when the same rules were compiled before.

        The engine keeps string hashes: the strings compiling added to the vocab are kept
        with it and added again when it is read back.
        """
        if self.depends is None:
            return self.build(loaded)
        try:
            key = rule_cache.digest(loaded, self.depends)
        except TypeError:  # a part of the rules or settings the key cannot read: compile every time
            return self.build(loaded)
        stored = rule_cache.read(key)
        if stored is not None:
            strings, state, rules = stored
            for text in strings:
                self.vocab.strings.add(text)
            return RuleEngine.restore(self.vocab, state), rules
        before = set(self.vocab.strings)
        matcher, rules = self.build(loaded)
        added = [text for text in self.vocab.strings if text not in before]
        rule_cache.write(key, (added, matcher.state(), rules))
        return matcher, rules

    def compiler(self, lexicons: LexiconTable) -> Compiler:
        key = id(lexicons)
        if key not in self._compilers:
            self._compilers[key] = Compiler(lexicons=lexicons, **self._args)
        return self._compilers[key]

    def build(
        self, loaded: list[Loaded], problems: list[ConfigError] | None = None
    ) -> tuple[RuleEngine, dict[str, CompiledRule]]:
        """Rule ids must be unique across all files; any problem raises ``path:line``.

        Given ``problems``, each broken rule is kept there and left out, and the rest is built.
        """
        matcher = RuleEngine(self.vocab)
        rules: dict[str, CompiledRule] = {}
        first: dict[str, Loaded] = {}
        for order, item in enumerate(loaded):
            rid = item.rule.id
            if rid in first:
                other = first[rid]
                report(problems, item.error(f"duplicate rule id {rid!r} (first in {at(other.path, other.line)})"))
                continue
            first[rid] = item
            try:
                rule = self.compile(order, item)
                matcher.add(rid, rule.compiled.patterns)
            except ConfigError as exc:
                report(problems, exc)
                continue
            except (ValueError, re.error) as exc:
                msg = " ".join(str(exc).split())
                report(problems, item.error(f"invalid token pattern: {msg}"))
                continue
            rules[rid] = rule
        return matcher, rules

    def compile(self, order: int, item: Loaded) -> CompiledRule:
        compiler = self.compiler(item.lexicons)
        try:
            compiled = compiler.compile(item.rule.pattern)
            extent = self.extent(compiler, item)
        except PatternError as exc:
            raise item.error(str(exc)) from None
        for tokens in compiled.patterns:
            for spec in tokens:
                for attr, value in spec.items():
                    if isinstance(value, dict) and "REGEX" in value and (reason := regex_problem(value["REGEX"])):
                        raise item.error(f"{attr} REGEX: {reason}")
        return CompiledRule(order, item, compiled, extent)

    def extent(self, compiler: Compiler, item: Loaded) -> Extent | None:
        rule = item.rule
        if not isinstance(rule, PatternRule):
            return None
        head = item.head if rule.head is None else (None if rule.head is False else rule.head)
        parts: dict[str, Any] = {}
        names: dict[str, str] = {}
        for part, ext in (("before", rule.before), ("head", head)):
            if ext is not None:
                ext = Extension(lexicon=ext) if isinstance(ext, str) else ext
                parts[part], parts[f"{part}_max"] = compiler.word_set(ext.lexicon), ext.max
                names[part] = ext.lexicon
        if rule.object is not None:
            spec = ObjectWindow(max=rule.object) if isinstance(rule.object, int) else rule.object
            defaults = self.objects
            sets: dict[str, Any] = {}
            trim = spec.trim or defaults.trim
            sets["trim"] = compiler.word_set(trim) if trim else None
            sets["start"] = compiler.word_set(spec.start) if spec.start else None
            for name, given, default in (("stop", spec.stop, defaults.stop), ("require", spec.require, None)):
                given = given if given is not None else default
                names_ = [given] if isinstance(given, str) else given or []
                sets[name] = tuple(compiler.word_set(n) for n in names_)
            parts["object"] = Window(max=spec.max or defaults.max, min=spec.min, **sets)
            names["object"] = str(spec.max or defaults.max)
        return Extent(**parts, names=names) if parts else None


def _tokenizer_key(tokenizer) -> dict[str, Any]:
    """A spaCy tokenizer's settings as data: its regexes' patterns and its special cases."""

    def pattern(fn):
        return getattr(getattr(fn, "__self__", None), "pattern", None if fn is None else repr(fn))

    names = ("prefix_search", "suffix_search", "infix_finditer", "token_match", "url_match")
    out: dict[str, Any] = {n: pattern(getattr(tokenizer, n, None)) for n in names}
    out["rules"] = getattr(tokenizer, "rules", None)
    out["faster_heuristics"] = getattr(tokenizer, "faster_heuristics", None)
    return out
