"""Split a document into sections with the configured line rules.

The splitter works line by line on the raw text. Every line is classified by
the first line rule (in file order) that matches the whole stripped line and
is allowed at that point; a small state machine then groups lines into
sections. All offsets point into the text it was given.

Given a ``trace`` list, the splitter also says what it decided for each line
(:class:`LineTrace`): the role and rule it got, the section it went to, and why a
candidate heading was not taken (``claimx explain --sections`` prints it).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date

from ..config.settings import Config, LineRule
from ..errors import Errors
from .firstchar import ASCII, first_char_table

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
    url: str | None = None  # its link, when the page's markup gives one
    anchors: tuple[str, ...] = ()  # ids of its markup, which markers may link to


@dataclass(frozen=True, slots=True)
class LineTrace:
    """What the splitter made of one non-blank line."""

    line: int  # 1-based line number in the text
    start: int
    end: int
    role: str  # a line rule's role, or "paragraph" (prose read for claims), "text" (prose that is not)
    rule_id: str | None
    section: int | None  # index into Layout.sections
    notes: tuple[str, ...] = ()


def _has(m: re.Match[str], group: str) -> bool:
    """Whether ``group`` is a group of the pattern and took part in the match."""
    return group in m.re.groupindex and m.start(group) >= 0


@dataclass(slots=True)
class Layout:
    sections: list[Section] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    title: str | None = None
    checked_on: date | None = None
    layout: str = "unsectioned"
    warnings: list[tuple[str, str]] = field(default_factory=list)
    links: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, target id) of marker links

    def to_data(self) -> dict:
        """Plain lists and strings (msgpack- and JSON-safe), as a Doc keeps it."""
        return {
            "sections": [
                [s.kind, s.start, s.end, s.rule_id, s.number, s.heading, s.heading_start, s.heading_end]
                for s in self.sections
            ],
            "units": [[u.section, u.role, u.start, u.end] for u in self.units],
            "entries": [[e.section, e.number, e.start, e.end, e.rule_id, e.url, list(e.anchors)] for e in self.entries],
            "title": self.title,
            "checked_on": self.checked_on.isoformat() if self.checked_on else None,
            "layout": self.layout,
            "warnings": [list(w) for w in self.warnings],
            "links": [list(link) for link in self.links],
        }

    @classmethod
    def from_data(cls, data: dict) -> Layout:
        return cls(
            sections=[Section(*s) for s in data["sections"]],
            units=[Unit(*u) for u in data["units"]],
            entries=[Entry(*e[:6], tuple(e[6])) for e in data["entries"]],
            title=data["title"],
            checked_on=date.fromisoformat(data["checked_on"]) if data["checked_on"] else None,
            layout=data["layout"],
            warnings=[tuple(w) for w in data["warnings"]],
            links=[tuple(link) for link in data.get("links", ())],
        )


def _rule_id(rule) -> str | None:
    """The id of a line rule or of a markup hint's rule."""
    if rule is None:
        return None
    return getattr(rule, "rule_id", None) or rule.id


class _LineHints:
    """The markup hints of a page (``claimx.io.html.Markup``), looked up by the line they cover."""

    def __init__(self, markup) -> None:
        self.blocks = sorted((h for h in markup.hints if h.role != "link"), key=lambda h: h.start)
        self.starts = [h.start for h in self.blocks]
        title = next((h for h in self.blocks if h.role == "title"), None)
        self.title = (title.start, title.end) if title is not None else None
        self.links = [(h.start, h.end, h.target) for h in markup.hints if h.role == "link"]
        self.date = markup.date

    def at(self, start: int) -> dict:
        """role -> the innermost hint of that role whose span holds offset ``start``."""
        found: dict = {}
        for i in range(bisect.bisect_right(self.starts, start) - 1, -1, -1):
            h = self.blocks[i]
            if h.start <= start < h.end:
                found.setdefault(h.role, h)
        return found


class SectionSplitter:
    """Built once per run from the line rules; call it on each document's text."""

    def __init__(self, config: Config) -> None:
        self.rules = [(rule, rule.regex) for rule in config.line_rules]
        self.by_id = {rule.id: (rule, regex) for rule, regex in self.rules}
        # For each ASCII first character, the rules that could match a line starting with it.
        self._by_first = [
            [self.rules[i] for i in row] for row in first_char_table([regex for _rule, regex in self.rules])
        ]
        self.max_heading_chars = config.settings.layout.max_heading_chars
        self.decoration = re.compile(config.settings.layout.decoration)
        # A line whose edges no decoration starts or ends with is its own inner text (layout.decoration_edges).
        self._plain_edges = config.settings.layout.decoration_edges
        self.max_unit = config.settings.layout.max_unit_chars

    def _classify(
        self, text: str, start: int, end: int, allowed: set[str], rules: list | None = None
    ) -> tuple[LineRule, re.Match[str]] | None:
        """The first allowed rule matching the whole line, or else the line without its decoration."""
        edges = self._plain_edges
        if edges is not None and text[start] not in edges[0] and text[end - 1] not in edges[1]:
            inner = (start, end)
        else:
            deco = self.decoration.fullmatch(text, start, end)
            inner = deco.span("inner") if deco else (start, end)
        if inner == (start, end):
            if rules is None:
                c = ord(text[start])
                rules = self._by_first[c] if c < ASCII else self.rules
            for rule, regex in rules:
                if rule.role in allowed:
                    m = regex.fullmatch(text, start, end)
                    if m is not None:
                        return rule, m
            return None
        spans = [(start, end), inner]
        for rule, regex in self.rules if rules is None else rules:
            if rule.role not in allowed:
                continue
            for s, e in spans:
                m = regex.fullmatch(text, s, e)
                if m is not None:
                    return rule, m
        return None

    def _repeat_refused(
        self, text: str, start: int, end: int, rule: LineRule, m: re.Match[str], current: Section
    ) -> str | None:
        """Why a ``heading_repeat`` line does not repeat the current heading ("" when it is no candidate)."""
        if int(m.group("number")) != current.number:
            return ""
        if current.rule_id not in rule.repeats:
            return f"{current.rule_id} is not among the headings {rule.id} repeats"
        if self._classify(text, start, end, {"heading"}, [self.by_id[current.rule_id]]) is None:
            return f"the line is not the heading of {current.rule_id} written again"
        return None

    def __call__(self, text: str, trace: list[LineTrace] | None = None, markup=None) -> Layout:
        """The layout of ``text``; ``markup`` (an HTML page's :class:`claimx.io.html.Markup`) adds hints.

        Line rules come first; a hint decides only where no rule does: the page's
        ``<h1>`` is its title line, an ``<h2>`` no heading rule reads opens a section,
        a source list's items are its entries, the page's date stands in for a
        missing dated meta line.
        """
        out = Layout()
        hints = _LineHints(markup) if markup is not None and markup.hints else None
        if markup is not None and markup.hints:
            out.links = list(hints.links)
        sections = out.sections
        current: Section | None = None
        title_open = True  # a title may still come
        in_references = False
        last_number: int | None = None
        fresh = False  # a numbered heading opened the current section and only asides followed it
        lineno, line_pos = 1, 0

        def open_section(kind: str, start: int, end: int, rule: LineRule | None, **extra: object) -> Section:
            nonlocal current
            current = Section(kind=kind, start=start, end=end, rule_id=_rule_id(rule), **extra)
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

        entry_end = -1  # the end of a markup entry written over several lines (its later lines are in it)
        for line in _LINE.finditer(text):
            raw = line.group()
            stripped = raw.strip()
            if not stripped:
                continue
            start = line.start() + (len(raw) - len(raw.lstrip()))
            end = start + len(stripped)
            if start < entry_end:
                continue

            notes: list[str] = []
            here = hints.at(start) if hints is not None else {}
            before_title = hints is not None and hints.title is not None and start < hints.title[0]
            at_title = hints is not None and hints.title is not None and hints.title[0] <= start < hints.title[1]
            if in_references:  # a source list ends the page, but page furniture and meta lines may follow it
                allowed = {"boilerplate", "meta", "reference_entry"}
            else:
                allowed = {
                    "boilerplate",
                    "meta",
                    "summary_label",
                    "summary_inline",
                    "heading",
                    "references_label",
                    "bullet",
                    "subhead",
                    "aside",
                }
                if title_open:
                    allowed |= _TITLE_ROLES
                if current is None or current.kind not in _CONTENT_KINDS:
                    allowed -= {"bullet", "subhead", "aside"}
                if fresh:
                    allowed.add("heading_repeat")
            if before_title:  # the page's <h1> is its title: no line before it is
                allowed -= _TITLE_ROLES
            elif at_title and title_open:
                allowed = set(_TITLE_ROLES)
            hit = self._classify(text, start, end, allowed)
            if hit and hit[0].role == "heading_repeat":
                why = self._repeat_refused(text, start, end, *hit, current)
                if why is not None:
                    if why:
                        notes.append(f"not a repeat ({hit[0].id}): {why}")
                    hit = self._classify(text, start, end, allowed - {"heading_repeat"})
            role = hit[0].role if hit else None
            rule, m = hit if hit else (None, None)
            mark = None  # the markup hint that decides this line, when no line rule did
            if role is None and here:
                mark = self._markup_role(here, in_references, current, at_title and title_open)
                if mark is not None:
                    notes.append(f"markup: {mark.rule_id}")
                    if mark.role == "references_label" and "heading" not in here:
                        # A source list with no heading: the section opens here and this line is its first entry.
                        open_section(mark.kind or "references", start, end, mark)
                        in_references, title_open, fresh = True, False, False
                        mark = here.get("reference_entry")
                        if mark is not None and mark.number is None:
                            mark = None

            if role == "heading":
                number = int(m.group("number"))
                # With a body on the same line, the heading line ends where the heading does.
                head_end = m.end("heading") if _has(m, "body") else end
                if head_end - start > self.max_heading_chars:
                    notes.append(
                        f"not a heading ({rule.id}): {head_end - start} characters, more than "
                        f"layout.max_heading_chars ({self.max_heading_chars}); read as prose"
                    )
                    role = rule = m = None  # a long numbered line is prose
                elif last_number is not None and number <= last_number:
                    message = Errors.W102.format(number=number, offset=start, previous=last_number)
                    out.warnings.append(("W102", message))
                    notes.append(f"not a heading ({rule.id}): W102 {message}")
                    role = rule = m = None
                elif last_number is not None and number > last_number + 1:
                    message = Errors.W101.format(previous=last_number, number=number, offset=start)
                    out.warnings.append(("W101", message))
                    notes.append(f"W101 {message}")

            if mark is not None:
                title_open = self._apply_markup(mark, here, text, start, end, out, open_section, add_unit, title_open)
                if mark.role == "reference_entry":
                    entry_end = out.entries[-1].end
                if mark.role == "references_label":
                    in_references = True
                elif mark.role == "heading":
                    in_references = False
                fresh = False
                if trace is not None:
                    lineno += text.count("\n", line_pos, start)
                    line_pos = start
                    trace.append(
                        LineTrace(lineno, start, end, mark.role, mark.rule_id, len(sections) - 1, tuple(notes))
                    )
                continue
            if role == "boilerplate" or role == "meta":
                if current is not None and current.kind == role:
                    current.end = end
                else:
                    open_section(role, start, end, rule)
                if role == "meta" and _has(m, "date"):
                    read = rule.parse_date(m.group("date"))
                    if read is None:  # a meta line whose date the rule's formats cannot read
                        out.warnings.append(
                            ("W104", Errors.W104.format(offset=m.start("date"), rule=rule.id, text=m.group("date")))
                        )
                    elif out.checked_on is None:
                        out.checked_on = read
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
                open_section(
                    rule.kind or "body",
                    start,
                    end,
                    rule,
                    number=number,
                    heading=text[hs:he],
                    heading_start=hs,
                    heading_end=he,
                )
                if role == "references_label":
                    in_references = True
                else:
                    add_unit("heading", hs, he)
                if _has(m, "body"):  # an inline summary, or a heading and its body on one line
                    add_unit("paragraph", *m.span("body"))
                    notes.append(f"heading {hs}-{he}, body from offset {m.start('body')}")
                fresh = number is not None and not _has(m, "body")
            elif role == "heading_repeat":
                current.end = end  # the heading written again: the section goes on
                notes.append(f"repeats the heading of s{len(sections)} ({current.rule_id})")
                fresh = False
            elif role == "reference_entry":
                current.end = end
                out.entries.append(Entry(len(sections) - 1, int(m.group("number")), start, end, rule.id))
            else:
                # Prose, a bullet or a sub-head.
                if current is None or current.kind not in _CONTENT_KINDS | {"references"}:
                    has_content = any(s.kind in ("summary", "body") for s in sections)
                    open_section("other" if has_content or before_title else "body", start, end, None)
                    title_open = title_open and before_title
                current.end = end
                if role == "bullet":
                    add_unit("paragraph", *m.span("text"))
                elif role is None and current.kind != "references":
                    add_unit("paragraph", start, end)

            if role not in ("aside", "heading", "summary_label", "summary_inline", "references_label"):
                fresh = False
            if trace is not None:
                lineno += text.count("\n", line_pos, start)
                line_pos = start
                shown = role or ("text" if current.kind == "references" else "paragraph")
                trace.append(
                    LineTrace(lineno, start, end, shown, rule.id if rule else None, len(sections) - 1, tuple(notes))
                )

        if out.checked_on is None and hints is not None and hints.date is not None:
            out.checked_on = hints.date
        if not any(s.kind in ("title", "summary") or s.number is not None for s in sections):
            out.warnings.append(("W103", Errors.W103.format()))
        return out

    @staticmethod
    def _markup_role(here: dict, in_references: bool, current: Section | None, title_line: bool):
        """The hint that classifies a line no line rule classified, or None (the line stays prose)."""
        if title_line and "title" in here:
            return here["title"]
        if in_references:
            entry = here.get("reference_entry")
            if entry is not None and entry.number is not None:
                return entry
            return here.get("heading")  # an explicit heading ends a source list
        if "references_label" in here:
            return here["references_label"]
        if "heading" in here:
            return here["heading"]
        if "subhead" in here and current is not None and current.kind in _CONTENT_KINDS:
            return here["subhead"]
        return None

    @staticmethod
    def _apply_markup(mark, here, text, start, end, out, open_section, add_unit, title_open) -> bool:
        """Open the section or entry a hint says the line is; returns whether a title may still come."""
        if mark.role == "title":
            out.title = text[start:end]
            open_section("title", start, end, mark, heading=out.title, heading_start=start, heading_end=end)
            add_unit("title", start, end)
            return False
        if mark.role in ("heading", "references_label"):
            open_section(
                mark.kind or ("references" if mark.role == "references_label" else "body"),
                start,
                end,
                mark,
                heading=text[start:end],
                heading_start=start,
                heading_end=end,
            )
            if mark.role == "heading":
                add_unit("heading", start, end)
            return False
        section = out.sections[-1]
        section.end = end
        if mark.role == "reference_entry":
            # An entry written over several lines (a number, then its text) is one entry: the whole
            # element; a first line that is only its number is the number, not its text.
            end = max(end, mark.end)
            first = text[start : text.find("\n", start, end) if "\n" in text[start:end] else end]
            number = mark.number
            if first.strip().isdigit() and end > start + len(first):
                number, start = int(first), text.index("\n", start) + 1
                while text[start] in " \n":
                    start += 1
            section.end = end
            out.entries.append(Entry(len(out.sections) - 1, number, start, end, mark.rule_id, mark.url, mark.anchors))
        return title_open  # a sub-head belongs to its section and is not read for claims, as a subhead rule's line
