"""Read an HTML page: its main content as lines of text, plus hints from its markup.

1. The page is parsed with lxml (broken markup is repaired the way browsers do).
2. What is never text goes: the head, scripts, styles, templates; elements that are
   hidden (``hidden``, ``aria-hidden="true"``, an inline ``display: none``); and page
   chrome (``input.html.chrome`` in the settings: tags, ARIA roles, class/id patterns),
   with everything inside it.
3. The main content is the ``input.html.main`` candidate with the most text (else the
   body); an ``<h1>`` outside it, or else ``og:title``, becomes its first line.
4. Blocks become lines, each stripped, no blank lines (``text`` is the string every
   offset of the record refers to). A footnote reference written as a bare number is
   written as ``input.html.note_marker`` (``[3]``), so the marker rules read it.

Alongside the text, :class:`Markup` keeps what the markup says: which lines are a
title, a heading, a sub-head, a source list or one of its entries (the markup rules
of ``layout/markup.jsonl``), each entry's link, each marker's link target, the page's
date, URL and any schema.org ``ClaimReview`` it embeds as JSON-LD.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from ..config.settings import HtmlSettings, MarkupRule, Selector, markup_rules

# Structure of HTML itself, not article vocabulary.
_BLOCK = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer form h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section table tbody td tfoot th thead tr ul".split()
)
# audio/video/canvas hold fallback text a browser that plays them never shows.
_NEVER_TEXT = frozenset("script style noscript template head title svg iframe object audio video canvas".split())
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_PARSER_DEPTH = 2048  # libxml2's HTML parser stops here, even with huge_tree, and keeps no text
_TEXT_BETWEEN_TAGS = re.compile(r">[^<\s]")


@dataclass(frozen=True, slots=True)
class Hint:
    """What the markup says about ``text[start:end]``: a markup rule's id and role, or a link."""

    rule_id: str  # a markup rule, or "" for a marker link
    role: str  # a markup rule's role, or "link"
    start: int
    end: int
    kind: str | None = None  # the section kind a rule opens
    number: int | None = None  # an entry's place in its list
    url: str | None = None  # an entry's first link
    anchors: tuple[str, ...] = ()  # ids inside an entry (what markers link to)
    target: str | None = None  # a link's fragment ("#fn:3" -> "fn:3")


@dataclass(frozen=True, slots=True)
class Markup:
    hints: tuple[Hint, ...] = ()
    date: date | None = None  # from <meta> or <time datetime>: used when no meta line dates the page
    url: str | None = None  # <link rel=canonical> or a URL <meta>
    claimreview: tuple[dict, ...] = ()  # schema.org ClaimReview objects found in JSON-LD
    warnings: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class Page:
    text: str
    markup: Markup = field(default_factory=Markup)
    unreadable: str | None = None  # why a page that holds text gave none


class _Select:
    """One compiled :class:`Selector` (or markup rule).

    Class names matching ``ignore`` (state and taxonomy classes such as
    ``has-post-thumbnail`` or ``category-social-media``) say nothing of what an
    element is and are not searched.
    """

    __slots__ = ("aria", "classes", "ignore", "tags")

    def __init__(self, sel: Selector | MarkupRule, ignore: re.Pattern[str] | None = None) -> None:
        self.tags = frozenset(sel.tags)
        self.aria = frozenset(sel.aria_roles)
        self.classes = re.compile(sel.classes) if sel.classes else None
        self.ignore = ignore

    def __call__(self, el, classes: bool = True) -> bool:
        if el.tag in self.tags:
            return True
        if self.aria and (el.get("role") or "").lower() in self.aria:
            return True
        if self.classes is not None and classes:
            for name in ("class", "id"):
                value = el.get(name)
                if value and self.ignore is not None:
                    value = " ".join(c for c in value.split() if not self.ignore.match(c))
                if value and self.classes.search(value):
                    return True
        return False


class HtmlReader:
    """Built once from the settings; call it on a page's markup."""

    def __init__(self, settings: HtmlSettings) -> None:
        self.settings = settings
        ignore = re.compile(settings.ignore_classes) if settings.ignore_classes else None
        self.main = _Select(settings.main, ignore)
        self.chrome = _Select(settings.chrome, ignore)
        self.unless_title = frozenset(settings.chrome_unless_title)
        self.hidden_style = re.compile(settings.hidden_style) if settings.hidden_style else None
        self.chrome_heading = re.compile(settings.chrome_headings) if settings.chrome_headings else None
        self.note_refs = _Select(settings.note_refs)
        self._title_el = None  # an element that shows the og:title, during one call
        self.note_text = re.compile(settings.note_ref_text)
        self.rules = [(rule, _Select(rule)) for rule in markup_rules(settings.markup)]
        self.title_tags = frozenset(
            t for rule in markup_rules(settings.markup) if rule.role == "title" for t in rule.tags
        )

    def __call__(self, markup: str) -> Page:
        import lxml.html

        markup = markup.lstrip("\ufeff")
        if not markup.strip():
            return Page("")
        try:
            # huge_tree: libxml2 otherwise gives up on a page nested deeper than 256 elements.
            root = lxml.html.document_fromstring(markup, parser=_parser())
        except Exception:  # lxml raises ParserError and ValueError for pages with no element at all
            return Page("")
        head = root.find("head")
        meta = _meta(root)
        warnings: list[tuple[str, str]] = []
        linked = self._json_ld(root, warnings)
        wanted = set(self.settings.claimreview_types)
        claimreview = [found for data in linked for found in _typed(data, wanted)] if wanted else []
        url = next((link.get("href") for link in root.iter("link") if _rel(link) == "canonical"), None)
        url = url or next((meta[k] for k in self.settings.url_meta if meta.get(k)), None)
        day = self._date(root, meta, linked)  # before the chrome goes: a byline holds the date
        if head is not None:
            head.drop_tree()
        for el in list(root.iter()):
            if el.tag not in ("html", "body") and el.getparent() is not None and self._dropped(el):
                el.drop_tree()
        if self.chrome_heading is not None:
            self._drop_chrome_headed(root)
        body = root.find("body")
        body = root if body is None else body
        main = max((el for el in body.iter() if isinstance(el.tag, str) and self.main(el)), key=_text_len, default=None)
        if main is None or _text_len(main) == 0:
            main = body
        # The main content's own <h1> is the title (a site header may hold a logo <h1>); else the page's first.
        title_el = next((el for el in main.iter() if el.tag in self.title_tags), None)
        title_el = (
            title_el if title_el is not None else next((el for el in body.iter() if el.tag in self.title_tags), None)
        )
        out = _Lines()
        if title_el is not None and not _inside(title_el, main):
            self._walk(title_el, out, top=True)  # a title outside the main content goes first
        elif title_el is None:
            title = next((meta[k] for k in self.settings.title_meta if meta.get(k)), None)
            shown = _element_saying(main, title) if title else None
            if shown is not None:  # the page shows its title in an element of its own: that element is the title
                self._title_el = shown
            elif title:
                rule = next((r for r, _ in self.rules if r.role == "title"), None)
                mark = out.open()
                out.data(title)
                out.newline()
                if rule is not None:
                    out.block(rule, mark, {})
        self._walk(main, out, top=True)
        self._title_el = None
        text, hints = out.finish()
        page = Page(text, Markup(tuple(hints), day, url, tuple(claimreview), tuple(warnings)))
        if not text.strip() and _TEXT_BETWEEN_TAGS.search(markup) and sum(1 for _ in root.iter()) >= _PARSER_DEPTH:
            page.unreadable = f"nested deeper than the HTML parser reads ({_PARSER_DEPTH} elements)"
        return page

    def _drop_chrome_headed(self, root) -> None:
        """Drop a box headed like chrome ("Related articles", "Most read"): the heading's container
        when the heading opens it, else the heading and the element after it."""
        for h in list(root.iter(*_HEADINGS)):
            parent = h.getparent()
            if parent is None or not self.chrome_heading.fullmatch(" ".join(h.text_content().split())):
                continue
            first = next((c for c in parent if isinstance(c.tag, str)), None)
            if first is h and parent.tag not in ("body", "html", "main") and not self.main(parent):
                parent.drop_tree()
                continue
            after = h.getnext()
            h.drop_tree()
            if after is not None and isinstance(after.tag, str) and after.tag not in _HEADINGS:
                after.drop_tree()

    def _dropped(self, el) -> bool:
        tag = el.tag
        if not isinstance(tag, str):  # comments and processing instructions
            return True
        if tag in _NEVER_TEXT:
            return True
        if el.get("hidden") is not None or (el.get("aria-hidden") or "").lower() == "true":
            return True
        style = el.get("style")
        if style and self.hidden_style is not None and self.hidden_style.search(style):
            return True
        # A main-content candidate is never chrome by its class names alone (an article tagged "social").
        if self.chrome(el, classes=not self.main(el)):
            # A header holding the title is the article's own when it sits in a main candidate or holds
            # no other chrome (a site header's menus); a site header with a logo <h1> is not.
            own = tag in self.unless_title and (
                any(self.main(a) for a in el.iterancestors())
                or not any(self.chrome(d, classes=False) for d in el.iterdescendants() if isinstance(d.tag, str))
            )
            return not (own and any(d.tag in self.title_tags for d in el.iter()))
        return False

    def _walk(self, root, out: _Lines, top: bool = False) -> None:
        """Write ``root`` and everything in it (its tail too, unless ``top``), with an explicit stack:
        a page nested thousands of elements deep is read, not a RecursionError."""
        stack: list[tuple[object, int | None, bool]] = [(root, None, top)]
        while stack:
            el, mark, is_top = stack.pop()
            tag = el.tag
            block = tag in _BLOCK
            if mark is None:  # entering the element
                if block:
                    out.newline()
                mark = out.open()
                if tag == "pre":
                    out.pre += 1
                stack.append((el, mark, is_top))  # its end, after its children
                note = self._note_number(el) if tag == "a" else None
                if note is not None:
                    out.data(self.settings.note_marker.format(number=note), raw=True)
                    continue
                if el.text:
                    out.data(el.text)
                stack.extend((child, None, False) for child in reversed(el))
                continue
            if tag == "pre":
                out.pre -= 1
            if block:
                out.newline()
            if tag == "a":
                href = el.get("href") or ""
                if href.startswith("#") and len(href) > 1:
                    out.link(mark, href[1:])
            if block and el is self._title_el:
                rule = next((r for r, _ in self.rules if r.role == "title"), None)
                if rule is not None:
                    out.block(rule, mark, {})
            elif block:
                for rule, select in self.rules:
                    if select(el):
                        out.block(rule, mark, _entry(el) if rule.role == "reference_entry" else {})
                        break
            if el.tail and not is_top:
                out.data(el.tail)

    def _note_number(self, el) -> int | None:
        """The number of a footnote reference written as a bare number (``<a href=#fn3>3</a>``), else None."""
        href = el.get("href") or ""
        if not href.startswith("#") or len(el):
            return None
        words = (el.text or "").strip()
        if not self.note_text.fullmatch(words):
            return None
        parent = el.getparent()
        if not (self.note_refs(el) or (parent is not None and (parent.tag == "sup" or self.note_refs(parent)))):
            return None
        if any(rule.role == "reference_entry" and select(a) for a in el.iterancestors() for rule, select in self.rules):
            return None  # a source entry's own number (a link back to the text), not a marker
        # Already written inside the marker's brackets ("<sup>[<a href=#fn3>3</a>]</sup>"): the text has the marker.
        prev = el.getprevious()
        before = (prev.tail if prev is not None else parent.text if parent is not None else None) or ""
        opening, closing = self.settings.note_marker.split("{number}")
        if opening and closing and before.rstrip().endswith(opening) and (el.tail or "").lstrip().startswith(closing):
            return None
        return int(words)

    def _date(self, root, meta: dict[str, str], linked: list) -> date | None:
        values = [meta[k] for k in self.settings.date_meta if meta.get(k)]
        values += [v for data in linked for v in _dates_published(data)]
        values += [t.get("datetime") for t in root.iter("time") if t.get("datetime") and not self._in_page_chrome(t)]
        for value in values:
            day = _iso_day(value)
            if day is not None:
                return day
        return None

    def _in_page_chrome(self, el) -> bool:
        """Inside chrome by tag or ARIA role (a sidebar's or footer's list of other stories), not by class:
        the date is read before the chrome goes, and a byline (chrome by class) holds the page's own date."""
        el = el.getparent()
        while el is not None:
            if el.tag not in self.unless_title and self.chrome(el, classes=False):
                return True
            el = el.getparent()
        return False

    def _json_ld(self, root, warnings: list[tuple[str, str]]) -> list:
        """The parsed JSON-LD blocks of the page, in order (a block that is not JSON: W003, skipped)."""
        found: list = []
        for n, script in enumerate(
            (s for s in root.iter("script") if (s.get("type") or "").strip().lower() == "application/ld+json"), 1
        ):
            try:
                data = json.loads(script.text or "")
            except json.JSONDecodeError as exc:
                from ..errors import Errors

                warnings.append(("W003", Errors.W003.format(number=n, message=exc.msg, line=exc.lineno)))
                continue
            found.append(data)
        return found


class _Lines:
    """Text being written as raw pieces; :meth:`finish` makes the lines and maps every mark onto them."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.pre = 0
        self.blocks: list[tuple[MarkupRule, int, int, dict]] = []
        self.links: list[tuple[int, int, str]] = []

    def data(self, value: str, raw: bool = False) -> None:
        if not raw and not self.pre:
            value = _SPACES.sub(" ", value)
        self.parts.append(value)
        self.size += len(value)

    def newline(self) -> None:
        self.parts.append("\n")
        self.size += 1

    def open(self) -> int:
        return self.size

    def block(self, rule: MarkupRule, start: int, extra: dict) -> None:
        self.blocks.append((rule, start, self.size, extra))

    def link(self, start: int, target: str) -> None:
        self.links.append((start, self.size, target))

    def finish(self) -> tuple[str, list[Hint]]:
        raw = "".join(self.parts)
        lines: list[str] = []
        raw_starts: list[int] = []  # raw offset of each raw line
        kept: list[tuple[int, int, int]] = []  # per raw line: (first kept raw offset, last, offset in text)
        pos = out = 0
        for line in raw.split("\n"):
            stripped = line.strip(" ")
            lead = len(line) - len(line.lstrip(" "))
            raw_starts.append(pos)
            kept.append((pos + lead, pos + lead + len(stripped), out))
            if stripped:
                lines.append(stripped)
                out += len(stripped) + 1
            pos += len(line) + 1
        text = "".join(f"{line}\n" for line in lines)

        def at(p: int) -> int:
            i = bisect.bisect_right(raw_starts, p) - 1
            first, last, offset = kept[i]
            return offset + min(max(p, first), last) - first

        hints: list[Hint] = []
        for rule, s, e, extra in self.blocks:
            start, end = at(s), at(e)
            while end > start and text[end - 1] in " \n":
                end -= 1
            if end > start:
                hints.append(Hint(rule.id, rule.role, start, end, kind=rule.kind, **extra))
        for s, e, target in self.links:
            start, end = at(s), at(e)
            if end > start:
                hints.append(Hint("", "link", start, end, target=target))
        hints.sort(key=lambda h: (h.start, -h.end, h.role))
        return text, hints


def _entry(el) -> dict:
    """An entry's number (its place in its list), first link and the ids inside it."""
    number = None
    parent = el.getparent()
    if parent is not None:
        try:
            count = int(parent.get("start") or 1) if parent.tag == "ol" else 1
        except ValueError:
            count = 1
        for item in parent:
            if item.tag != el.tag or (el.tag != "li" and item.get("class") != el.get("class")):
                continue  # its place among the entries like it (list items, or footnote blocks of one class)
            value = item.get("value")
            if value is not None and value.strip().lstrip("-").isdigit():
                count = int(value)
            if item is el:
                number = count
                break
            count += 1
    url = next((a.get("href") for a in el.iter("a") if (a.get("href") or "").startswith(("http://", "https://"))), None)
    anchors = tuple(x.get("id") for x in el.iter() if isinstance(x.tag, str) and x.get("id"))
    return {"number": number, "url": url, "anchors": anchors}


def _element_saying(root, words: str):
    """The first element under ``root`` whose whole text is ``words`` (white space aside), or None."""
    wanted = " ".join(words.split())
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag in _BLOCK and " ".join(el.text_content().split()) == wanted:
            return el
    return None


def _meta(root) -> dict[str, str]:
    """``<meta property|name|itemprop=... content=...>``, first value per key."""
    out: dict[str, str] = {}
    for m in root.iter("meta"):
        key = m.get("property") or m.get("name") or m.get("itemprop")
        content = m.get("content")
        if key and content and key not in out:
            out[key] = content.strip()
    return out


def _rel(link) -> str:
    return (link.get("rel") or "").strip().lower()


def _text_len(el) -> int:
    return len("".join(el.itertext()).split()) if el is not None else 0


def _inside(el, ancestor) -> bool:
    while el is not None:
        if el is ancestor:
            return True
        el = el.getparent()
    return False


_ISO_DAY = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})")


def _iso_day(value: str) -> date | None:
    m = _ISO_DAY.match(value)
    if m is None:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _dates_published(data) -> list[str]:
    """Every ``datePublished`` string in a JSON-LD value, in order."""
    if isinstance(data, list):
        return [v for item in data for v in _dates_published(item)]
    if isinstance(data, dict):
        own = [data["datePublished"]] if isinstance(data.get("datePublished"), str) else []
        return own + [v for value in data.values() if isinstance(value, (list, dict)) for v in _dates_published(value)]
    return []


def _typed(data, wanted: set[str]) -> list[dict]:
    """Objects of one of the ``wanted`` @types anywhere in a JSON-LD value (lists, @graph, nested), in order."""
    found: list[dict] = []
    if isinstance(data, list):
        for item in data:
            found.extend(_typed(item, wanted))
    elif isinstance(data, dict):
        kind = data.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(isinstance(k, str) and k in wanted for k in kinds):
            found.append(data)
            return found
        for value in data.values():
            if isinstance(value, (list, dict)):
                found.extend(_typed(value, wanted))
    return found


@lru_cache(maxsize=1)
def _parser():
    import lxml.html

    return lxml.html.HTMLParser(huge_tree=True)


@lru_cache(maxsize=4)
def _reader(settings_json: str) -> HtmlReader:
    return HtmlReader(HtmlSettings.model_validate_json(settings_json))


def read_html(markup: str, settings: HtmlSettings | None = None) -> Page:
    """The page's main text and what its markup says (see the module's docstring).

    ``settings`` defaults to the packaged ``input.html`` settings.
    """
    if settings is None:
        from ..config.settings import load_config

        settings = load_config().settings.input.html
    return _reader(settings.model_dump_json())(markup)


def html_to_text(markup: str, settings: HtmlSettings | None = None) -> str:
    """One line per block of visible main text, each stripped of ordinary spaces; no blank lines."""
    return read_html(markup, settings).text
