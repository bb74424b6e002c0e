"""Settings (``configs/claimx.yaml``) and the layout rules they point to."""

from __future__ import annotations

import difflib
import importlib.resources
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import ConfigError, Errors, validation_problems
from .lexicons import LexiconTable
from .rulefiles import RegexRule, Rule, checked_regex, read_rules, read_rules_with_lines, read_yaml, slow_regex
from .variants import Variants

SectionKind = Literal["boilerplate", "title", "meta", "summary", "body", "references", "other"]
LineRole = Literal[
    "boilerplate",
    "meta",
    "title",
    "summary_label",
    "summary_inline",
    "heading",
    "heading_repeat",
    "references_label",
    "reference_entry",
    "bullet",
    "subhead",
    "aside",
]
# Named groups a rule of each role must have (the splitter reads them).
REQUIRED_GROUPS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "summary_label": ("heading",),
    "summary_inline": ("heading", "body"),
    "heading": ("number", "heading"),
    "heading_repeat": ("number",),
    "references_label": ("heading",),
    "reference_entry": ("number",),
    "bullet": ("text",),
}


class LineRule(RegexRule):
    """Classifies one whole line (stripped of surrounding white space).

    Named groups give the parts: ``heading``, ``number``, ``title``, ``body``
    (text after the heading on the same line: an inline summary, or the body of a
    numbered heading written on its heading's line), ``text`` (bullet or reference
    text), ``date``. A ``heading_repeat`` rule names in ``repeats`` the heading rules
    whose heading may be written a second time straight after the first.
    """

    role: LineRole
    kind: SectionKind | None = None
    layout: str | None = None
    date_formats: list[str] = Field(default_factory=list)
    repeats: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _groups_for_role(self) -> LineRule:
        groups = self.regex.groupindex
        missing = [g for g in REQUIRED_GROUPS.get(self.role, ()) if g not in groups]
        if missing:
            raise ValueError(f"a {self.role} rule needs the named group(s) {', '.join(missing)}")
        if (self.role == "heading_repeat") != bool(self.repeats):
            raise ValueError(
                "'repeats' (the heading rules a line may repeat) is required for, and only for, role heading_repeat"
            )
        return self

    def parse_date(self, value: str) -> date | None:
        cleaned = " ".join(value.split())
        for fmt in self.date_formats:
            try:
                return datetime.strptime(cleaned, fmt).date()
            except ValueError:
                continue
        return None


class MarkerRule(RegexRule):
    """A citation marker form; group ``refs`` holds the numbers."""

    list_separator: str
    range_separator: str

    @field_validator("pattern")
    @classmethod
    def _has_refs(cls, value: str) -> str:
        if "(?P<refs>" not in value:
            raise ValueError("a marker pattern needs a named group 'refs'")
        return value


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LayoutSettings(_Section):
    lines: str
    markers: str
    decoration: str = "(?P<inner>.*)"
    max_heading_chars: int = 200
    max_unit_chars: int = Field(10_000, ge=1000, le=1_000_000)
    min_ref: int = 1
    max_ref: int = 9999
    max_range: int = 50
    # The characters a decorated line starts with / ends with: a line with neither is its
    # own inner text and skips the decoration pattern (a speed-up; null: always run it).
    decoration_edges: tuple[str, str] | None = None

    @model_validator(mode="after")
    def _edges_fit_the_decoration(self) -> LayoutSettings:
        """Probe every short line of edge, space and word characters: a plain-edged one must be its own inner."""
        if self.decoration_edges is None:
            return self
        starts, ends = self.decoration_edges
        regex = re.compile(self.decoration)
        alphabet = sorted(set(starts + ends + "#*_~=+>|` \t-a1."))
        probes = [""]
        for _ in range(3):
            probes = [p + c for p in probes for c in alphabet]
            for line in probes:
                line = line.strip(" \t")
                if not line or line[0] in starts or line[-1] in ends:
                    continue
                m = regex.fullmatch(line)
                if m is None or m.span("inner") != (0, len(line)):
                    raise ValueError(
                        f"decoration_edges {list(self.decoration_edges)!r} do not fit the decoration pattern: "
                        f"the line {line!r} starts and ends plain but the pattern decorates it; set "
                        "layout.decoration_edges to the characters a decorated line starts and ends with, or null"
                    )
        return self

    @field_validator("decoration")
    @classmethod
    def _decoration(cls, value: str) -> str:
        try:
            regex = re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        if "inner" not in regex.groupindex:
            raise ValueError("the decoration pattern needs a named group 'inner' (what the line rules match)")
        if reason := slow_regex(value):
            raise ValueError(reason)
        return value


MarkupRole = Literal["title", "heading", "subhead", "references_label", "reference_entry"]


class _Selecting(BaseModel):
    """Elements chosen by tag name, ARIA role or a pattern searched in their class and id."""

    tags: list[str] = Field(default_factory=list)
    aria_roles: list[str] = Field(default_factory=list)
    classes: str | None = None

    @field_validator("tags", "aria_roles")
    @classmethod
    def _lower(cls, value: list[str]) -> list[str]:
        return [v.lower() for v in value]

    @field_validator("classes")
    @classmethod
    def _classes_compile(cls, value: str | None) -> str | None:
        return None if value is None else checked_regex(value)


class MarkupRule(Rule, _Selecting):
    """Which HTML elements give the section splitter a hint (``layout/markup.jsonl``).

    An element matches when its tag is in ``tags``, its ARIA ``role`` attribute in
    ``aria_roles`` or its ``class``/``id`` is matched by ``classes``. The splitter
    uses a hint only where no line rule classified the line: rules first, markup
    fills the gaps (an unnumbered ``<h2>``, a list of sources without numbers).
    """

    role: MarkupRole
    kind: SectionKind | None = None

    @model_validator(mode="after")
    def _selects_something(self) -> MarkupRule:
        if not (self.tags or self.aria_roles or self.classes):
            raise ValueError("a markup rule needs at least one of tags, aria_roles, classes")
        return self


class Selector(_Selecting):
    model_config = ConfigDict(extra="forbid")


class HtmlSettings(_Section):
    """How an HTML page becomes text (``io/html.py``): main content, page chrome, hidden elements."""

    markup: str | None = None  # the markup rules file (layout/markup.jsonl)
    main: Selector = Field(default_factory=Selector)  # candidates for the main content; the one with most text wins
    chrome: Selector = Field(default_factory=Selector)  # page chrome, dropped with everything inside
    chrome_unless_title: list[str] = Field(default_factory=list)  # chrome tags kept when they hold the title
    ignore_classes: str | None = None  # class names that say nothing of an element (has-*, category-*)
    chrome_headings: str | None = None  # a box whose heading this matches whole ("Related articles") is chrome
    hidden_style: str | None = None  # an inline style that hides its element
    note_refs: Selector = Field(default_factory=Selector)  # links that are footnote references ("1" -> a marker)
    note_ref_text: str = r"\d{1,4}"  # the visible text of a footnote reference
    note_marker: str = "[{number}]"  # how such a reference is written in the text (a form the marker rules read)
    title_meta: list[str] = Field(default_factory=list)  # <meta property/name> giving the title when no <h1>
    date_meta: list[str] = Field(default_factory=list)  # <meta> giving the date when no meta line dates the page
    url_meta: list[str] = Field(default_factory=list)  # <meta> giving the page's URL (after <link rel=canonical>)
    claimreview_types: list[str] = Field(default_factory=list)  # JSON-LD @type values kept in source.claimreview

    @field_validator("hidden_style", "note_ref_text", "ignore_classes", "chrome_headings")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        return None if value is None else checked_regex(value)

    @field_validator("note_marker")
    @classmethod
    def _has_number(cls, value: str) -> str:
        if "{number}" not in value or value.replace("{number}", "").count("{") or "}" in value.replace("{number}", ""):
            raise ValueError("note_marker needs the placeholder {number} and no other braces, e.g. '[{number}]'")
        return value


class InputSettings(_Section):
    exclude: list[str] = Field(default_factory=list)
    fallback_encodings: list[str] = Field(default_factory=list)
    jsonl_fields: dict[Literal["id", "text", "url", "title"], str] = Field(default_factory=dict)
    # Bounds that keep one hostile document from stalling or sinking a run; each ends
    # in an error record. max_bytes counts decompressed bytes (of a file, or of one JSONL
    # line); max_seconds is the time one document may spend in the pipeline (0: no limit).
    max_bytes: int = Field(16 * 2**20, ge=1)
    max_seconds: float = Field(120.0, ge=0)
    html: HtmlSettings = Field(default_factory=HtmlSettings)

    def field(self, name: Literal["id", "text", "url", "title"]) -> str:
        return self.jsonl_fields.get(name, name)


class TokenizerSettings(_Section):
    extra_hyphens: list[str] = Field(default_factory=list)
    extra_infixes: list[str] = Field(default_factory=list)  # regexes where words are split too

    @field_validator("extra_infixes")
    @classmethod
    def _infixes_compile(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"extra_infixes: {pattern!r} is not a valid regular expression: {exc}") from None
            if reason := slow_regex(pattern):
                raise ValueError(f"extra_infixes: {reason}")
        return value


class SentenceSettings(_Section):
    punct_chars: list[str]
    closers: list[str] = Field(default_factory=list)


class ClaimSettings(_Section):
    sections: list[SectionKind] = Field(default_factory=lambda: ["summary", "body"])


class ObjectSettings(_Section):
    """Defaults of a rule's ``object`` window (see the README's rule-pack format)."""

    max: int = Field(6, ge=1, le=30)
    stop: str | None = None  # lexicon: a window stops before these tokens
    trim: str | None = None  # lexicon: a window does not end on these tokens


class RuleSettings(_Section):
    dir: str = "rules"
    hedges: str | None = None
    quantities: str | None = None
    verdicts: str | None = None  # verdict cues (claimx_verdicts)
    lexicons: str | None = None  # lexicons every pack sees
    variants: str | None = None  # normalize / inflect / derive rules
    max_expansion: int = Field(5000, ge=1)  # token patterns one rule may compile to
    objects: ObjectSettings = Field(default_factory=ObjectSettings)
    number_words: dict[str, float] = Field(default_factory=dict)
    multipliers: dict[str, float] = Field(default_factory=dict)


class VerdictSettings(_Section):
    """Where ``claimx_verdicts`` reads a document's verdict (see the README's Verdicts)."""

    # Section kinds read, best first: of the cues found, the higher priority wins, then the
    # earlier kind in this list, then the earlier sentence.
    sections: list[SectionKind] = Field(default_factory=lambda: ["title", "summary", "body"])
    sentences: int = Field(16, ge=1)  # sentences read from the start of each section
    negation_window: int = Field(2, ge=0)  # tokens between a negation cue and the cue it cancels
    decisive: int = Field(3, ge=-9, le=10)  # a cue of at least this priority wins wherever it is read
    question_marks: list[str] = Field(default_factory=lambda: ["?"])  # a sentence ending so states no verdict


class ExportSettings(_Section):
    """``claimx export``: what is read from records beyond their fields."""

    url_pattern: str = r"https?://[^\s<>\"\]\)]+"  # a URL in a reference entry (ClaimReview appearance)

    @field_validator("url_pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        return checked_regex(value)  # it runs on every reference entry: the slow-regex guard applies


class CheckSettings(_Section):
    ignore: list[str] = Field(default_factory=list)


class Settings(_Section):
    layout: LayoutSettings
    input: InputSettings = Field(default_factory=InputSettings)
    tokenizer: TokenizerSettings = Field(default_factory=TokenizerSettings)
    sentences: SentenceSettings
    claims: ClaimSettings = Field(default_factory=ClaimSettings)
    verdicts: VerdictSettings = Field(default_factory=VerdictSettings)
    rules: RuleSettings = Field(default_factory=RuleSettings)
    check: CheckSettings = Field(default_factory=CheckSettings)
    export: ExportSettings = Field(default_factory=ExportSettings)


@dataclass(frozen=True)
class Config:
    """Validated settings plus the folder their relative paths start from."""

    settings: Settings
    file: Path

    @property
    def base(self) -> Path:
        return self.file.parent

    def path(self, relative: str) -> Path:
        return (self.base / relative).resolve()

    @cached_property
    def line_rules(self) -> list[LineRule]:
        path = self.path(self.settings.layout.lines)
        numbered = read_rules_with_lines(path, LineRule)
        headings = {rule.id for _, rule in numbered if rule.role == "heading"}
        for lineno, rule in numbered:
            unknown = [r for r in rule.repeats if r not in headings]
            if unknown:
                raise ConfigError(
                    Errors.E001,
                    path=path,
                    line=lineno,
                    message=f"repeats: {', '.join(map(repr, unknown))} is not a heading rule of this file",
                )
        return [rule for _, rule in numbered]

    @cached_property
    def marker_rules(self) -> list[MarkerRule]:
        return read_rules(self.path(self.settings.layout.markers), MarkerRule)

    @cached_property
    def markup_rules(self) -> list[MarkupRule]:
        return markup_rules(self.settings.input.html.markup)

    @cached_property
    def lexicons(self) -> LexiconTable:
        """The lexicons every pack sees (``rules.lexicons``), read and validated a single time."""
        table = LexiconTable()
        rel = self.settings.rules.lexicons
        if rel:
            table.add_file(self.path(rel))
        table.validate()
        return table

    @cached_property
    def variants(self) -> Variants:
        rel = self.settings.rules.variants
        return Variants.from_file(self.path(rel) if rel else None)


@lru_cache(maxsize=16)
def markup_rules(path: str | None) -> list[MarkupRule]:
    """The markup rules of one file (an absolute path, as settings hold it), read once per process."""
    return read_rules(Path(path), MarkupRule) if path else []


def default_config_path() -> Path:
    """The packaged ``claimx.yaml`` (the repository's ``configs/`` folder)."""
    return Path(str(importlib.resources.files("claimx") / "configs" / "claimx.yaml"))


# Settings that name files: a relative value starts from the folder of the settings
# file that gives it (the packaged defaults' from the package, yours from your file).
PATH_KEYS = (
    "layout.lines",
    "layout.markers",
    "input.html.markup",
    "rules.dir",
    "rules.hedges",
    "rules.quantities",
    "rules.lexicons",
    "rules.variants",
    "rules.verdicts",
)


def load_config(path: str | Path | None = None) -> Config:
    """Read and validate settings and all layout rule files they name.

    A settings file other than the packaged one is merged over the packaged
    defaults (:func:`merge`), so it may hold only what it changes. Every component
    of a pipeline names the same settings file, so a file is read once per process
    and version (the cache key includes its size and mtime).
    """
    path = Path(path) if path is not None else default_config_path()
    try:
        stat = path.stat()
    except OSError as exc:
        raise ConfigError(Errors.E002, path=path, message=exc.strerror or exc) from None
    return _load_config(path.resolve(), stat.st_mtime_ns, stat.st_size)


def read_settings_file(path: Path) -> dict:
    """The YAML mapping of one settings file, its relative file paths made absolute from its folder."""
    data = read_yaml(path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            Errors.E002, path=path, message="settings must be a mapping of sections (layout:, rules:, ...)"
        )
    for key in data:
        if key not in Settings.model_fields:
            raise ConfigError(
                Errors.E033,
                path=path,
                what="settings section",
                name=key,
                hint=_did_you_mean(str(key), Settings.model_fields),
            )
    for dotted in PATH_KEYS:
        *sections, key = dotted.split(".")
        block = data
        for section in sections:
            block = block.get(section) if isinstance(block, dict) else None
        if isinstance(block, dict) and isinstance(block.get(key), str) and not Path(block[key]).is_absolute():
            block[key] = str((path.parent / block[key]).resolve())
    return data


def merge(defaults: dict, yours: dict) -> dict:
    """``yours`` over ``defaults``: mappings are merged key by key, any other value replaces the default."""
    out = dict(defaults)
    for key, value in yours.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def _did_you_mean(name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known), n=2)
    return f" (did you mean {' or '.join(map(repr, close))}?)" if close else f" (known: {', '.join(known)})"


def _field_names(loc: tuple) -> list[str]:
    """The field names of the settings model at ``loc`` (for a near-miss suggestion)."""
    model: type[BaseModel] = Settings
    for part in loc:
        field = model.model_fields.get(str(part))
        if field is None or not (isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)):
            return []
        model = field.annotation
    return list(model.model_fields)


def _unknown_setting(err: dict) -> str | None:
    """A near-miss suggestion for an unknown settings key (see :func:`claimx.errors.validation_problems`)."""
    if err["type"] != "extra_forbidden":
        return None
    return "unknown setting" + _did_you_mean(str(err["loc"][-1]), _field_names(err["loc"][:-1]))


@lru_cache(maxsize=16)
def _load_config(path: Path, mtime_ns: int, size: int) -> Config:
    data = read_settings_file(path)
    default = default_config_path().resolve()
    if path != default:
        data = merge(read_settings_file(default), data)
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(
            Errors.E002, path=path, message="; ".join(validation_problems(exc, _unknown_setting))
        ) from None
    config = Config(settings=settings, file=path.resolve())
    # Validate eagerly so a broken rule file fails at start-up, not mid-batch.
    config.line_rules  # noqa: B018
    config.marker_rules  # noqa: B018
    config.markup_rules  # noqa: B018
    config.variants  # noqa: B018
    return config
