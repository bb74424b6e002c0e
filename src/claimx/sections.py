"""Split a document into sections with the configured line rules.

The splitter works line by line on the raw text. Every line is classified by
the first line rule (in file order) that matches the whole stripped line and
is allowed at that point; a small state machine then groups lines into
sections. All offsets point into the text it was given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from .errors import Errors
from .settings import Config, LineRule

_LINE = re.compile(r"[^\n]*")
# Roles that may only appear before any heading, once.
_TITLE_ROLES = {"title"}
_CONTENT_KINDS = {"summary", "body", "other"}


@dataclass(slots=True)
class Section:
    kind: str
    start: int
    end: int
    rule_id: str | None = None
    number: int | None = None
    heading: str | None = None
    heading_start: int | None = None
    heading_end: int | None = None


@dataclass(frozen=True, slots=True)
class Unit:
    """A stretch of text that the NLP pipeline reads: a title, a heading or a paragraph."""

    section: int
    role: str  # "title" | "heading" | "paragraph"
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Entry:
    """A numbered entry of a source list."""

    section: int
    number: int
    start: int
    end: int
    rule_id: str


@dataclass(slots=True)
class Layout:
    sections: list[Section] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    title: str | None = None
    checked_on: date | None = None
    layout: str = "unsectioned"
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def to_data(self) -> dict:
        """Plain lists and strings (msgpack- and JSON-safe), as a Doc keeps it."""
        return {
            "sections": [[s.kind, s.start, s.end, s.rule_id, s.number, s.heading, s.heading_start, s.heading_end]
                         for s in self.sections],
            "units": [[u.section, u.role, u.start, u.end] for u in self.units],
            "entries": [[e.section, e.number, e.start, e.end, e.rule_id] for e in self.entries],
            "title": self.title,
            "checked_on": self.checked_on.isoformat() if self.checked_on else None,
            "layout": self.layout,
            "warnings": [list(w) for w in self.warnings],
        }

    @classmethod
    def from_data(cls, data: dict) -> Layout:
        return cls(
            sections=[Section(*s) for s in data["sections"]],
            units=[Unit(*u) for u in data["units"]],
            entries=[Entry(*e) for e in data["entries"]],
            title=data["title"],
            checked_on=date.fromisoformat(data["checked_on"]) if data["checked_on"] else None,
            layout=data["layout"],
            warnings=[tuple(w) for w in data["warnings"]],
        )


class SectionSplitter:
    """Built once per run from the line rules; call it on each document's text."""

    def __init__(self, config: Config) -> None:
        self.rules = [(rule, rule.regex) for rule in config.line_rules]
        self.max_heading_chars = config.settings.layout.max_heading_chars
        self.decoration = re.compile(config.settings.layout.decoration)
        self.max_unit = config.settings.layout.max_unit_chars

    def _classify(self, text: str, start: int, end: int, allowed: set[str]) -> tuple[LineRule, re.Match[str]] | None:
        """The first allowed rule matching the whole line, or else the line without its decoration."""
        deco = self.decoration.fullmatch(text, start, end)
        inner = deco.span("inner") if deco else (start, end)
        spans = [(start, end)] if inner == (start, end) else [(start, end), inner]
        for rule, regex in self.rules:
            if rule.role not in allowed:
                continue
            for s, e in spans:
                m = regex.fullmatch(text, s, e)
                if m is not None:
                    return rule, m
        return None

    def __call__(self, text: str) -> Layout:
        out = Layout()
        sections = out.sections
        current: Section | None = None
        title_open = True  # a title may still come
        in_references = False
        last_number: int | None = None

        def open_section(kind: str, start: int, end: int, rule: LineRule | None, **extra: object) -> Section:
            nonlocal current
            current = Section(kind=kind, start=start, end=end, rule_id=rule.id if rule else None, **extra)
            sections.append(current)
            return current

        def add_unit(role: str, start: int, end: int) -> None:
            # spaCy reads one unit at a time; a giant line is cut at white space into
            # pieces of at most max_unit characters (a sentence may then be cut too).
            while end - start > self.max_unit:
                cut = text.rfind(" ", start + 1, start + self.max_unit)
                cut = cut if cut > start else start + self.max_unit
                out.units.append(Unit(len(sections) - 1, role, start, cut))
                start = cut + (text[cut] == " ")
            if end > start:
                out.units.append(Unit(len(sections) - 1, role, start, end))

        for line in _LINE.finditer(text):
            raw = line.group()
            stripped = raw.strip()
            if not stripped:
                continue
            start = line.start() + (len(raw) - len(raw.lstrip()))
            end = start + len(stripped)

            if in_references:
                allowed = {"boilerplate", "reference_entry"}
            else:
                allowed = {"boilerplate", "meta", "summary_label", "summary_inline", "heading",
                           "references_label", "bullet", "subhead"}
                if title_open:
                    allowed |= _TITLE_ROLES
                if current is None or current.kind not in _CONTENT_KINDS:
                    allowed -= {"bullet", "subhead"}
            hit = self._classify(text, start, end, allowed)
            role = hit[0].role if hit else None
            rule, m = hit if hit else (None, None)

            if role == "heading":
                number = int(m.group("number"))
                if end - start > self.max_heading_chars:
                    role = None  # a long numbered line is prose
                elif last_number is not None and number <= last_number:
                    out.warnings.append(("W102", Errors.W102.format(number=number, offset=start, previous=last_number)))
                    role = None
                elif last_number is not None and number > last_number + 1:
                    out.warnings.append(("W101", Errors.W101.format(previous=last_number, number=number, offset=start)))

            if role == "boilerplate" or role == "meta":
                if current is not None and current.kind == role:
                    current.end = end
                else:
                    open_section(role, start, end, rule)
                if role == "meta" and "date" in m.re.groupindex and out.checked_on is None:
                    out.checked_on = rule.parse_date(m.group("date"))
            elif role == "title":
                title_open = False
                hs, he = m.span("title")
                out.title = text[hs:he]
                open_section("title", start, end, rule, heading=out.title, heading_start=hs, heading_end=he)
                add_unit("title", hs, he)
            elif role in ("summary_label", "summary_inline", "heading", "references_label"):
                title_open = False
                hs, he = m.span("heading")
                number = int(m.group("number")) if "number" in m.re.groupindex else None
                if number is not None:
                    last_number = number
                    if rule.layout:
                        out.layout = rule.layout if out.layout != "fixed_sections" else out.layout
                open_section(rule.kind or "body", start, end, rule, number=number,
                             heading=text[hs:he], heading_start=hs, heading_end=he)
                if role == "references_label":
                    in_references = True
                else:
                    add_unit("heading", hs, he)
                if role == "summary_inline":
                    add_unit("paragraph", *m.span("body"))
            elif role == "reference_entry":
                current.end = end
                out.entries.append(Entry(len(sections) - 1, int(m.group("number")), start, end, rule.id))
            else:
                # Prose, a bullet or a sub-head.
                if current is None or current.kind not in _CONTENT_KINDS | {"references"}:
                    has_content = any(s.kind in ("summary", "body") for s in sections)
                    open_section("other" if has_content else "body", start, end, None)
                    title_open = False
                current.end = end
                if role == "bullet":
                    add_unit("paragraph", *m.span("text"))
                elif role != "subhead" and current.kind != "references":
                    add_unit("paragraph", start, end)

        if not any(s.kind in ("title", "summary") or s.number is not None for s in sections):
            out.warnings.append(("W103", Errors.W103.format()))
        return out
