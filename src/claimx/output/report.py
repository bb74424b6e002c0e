"""A static HTML report of a claimx output file: one index page and one page per document.

Everything shown comes from the records: labels, rule ids and section kinds are read
from the data, and label colours are picked by the position of the label in the
sorted list of labels found in the archive. The pages need no network (inline CSS,
inline SVG charts, a few lines of inline script to sort the document table), and the
same records always give the same bytes. The records are read in two passes and never
held all at once (see :func:`build_report`).
"""

from __future__ import annotations

import hashlib
import html
import math
import os
import re
import shutil
import sys
import tempfile
from bisect import bisect_left, insort
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from pathlib import Path
from typing import IO, get_args

from ..about import __version__
from ..config.settings import SectionKind
from ..errors import ConfigError, Errors
from ..io.source import Source
from ..records.io import error_files, jsonl_files, read_jsonl, read_records
from ..records.schema import Claim, ErrorRecord, Mention, Record, Verdict, dumps

CERTAINTIES: tuple[str, ...] = get_args(Claim.model_fields["certainty"].annotation)
SECTION_KINDS: tuple[str, ...] = get_args(SectionKind)
# Written into every report folder: only a folder holding it is ever replaced. Looking at
# the names in a folder is not enough (a user's docs/ is not a report's docs/).
MARKER = ".claimx-report"
# Verdict classes in scale order, then records with no verdict; a fixed colour each (background, text).
VERDICTS: tuple[str, ...] = (*get_args(Verdict.model_fields["label"].annotation), "not read")
VERDICT_COLOURS = {
    "true": ("#2e8b57", "#fff"),
    "partly_true": ("#7fb77e", "#10311a"),
    "misleading": ("#e0a21b", "#3b2600"),
    "false": ("#d04545", "#fff"),
    "unsupported": ("#8a6fb0", "#fff"),
    "none": ("#b8c0cc", "#1f2430"),
    "not read": ("#e4e7ed", "#3a4252"),
}
TIMELINE_DOCS = 80  # columns of the timeline when it shows documents (no record has a date)


class ReportError(ConfigError):
    """The report cannot be written where it was asked to go, or its records changed (exit 2)."""

    def __init__(self, reason: str, *, path: object = "report") -> None:
        super().__init__(Errors.E052, path=path, reason=reason)


@dataclass(frozen=True)
class ReportSummary:
    out_dir: Path
    documents: int  # records
    errors: int  # error records
    pages: int  # document pages written


# --------------------------------------------------------------------------- reading


def read_errors(path: Path) -> Iterator[ErrorRecord]:
    """The error records of ``path``, one at a time; none if there is no such file."""
    if path.exists():
        for _, err in read_jsonl(path, ErrorRecord):
            yield err


def read_outputs(path: Path) -> Iterator[Record]:
    """The records of an output file, or of every output in a folder (as ``table`` and ``check`` read
    them), one at a time; a doc_id met twice, even in two files, raises ConfigError."""
    seen: dict[str, tuple[Path, int]] = {}
    for file in jsonl_files(path):
        yield from read_records(file, seen=seen)


def read_output_errors(path: Path) -> Iterator[ErrorRecord]:
    """The error records beside the outputs of a folder (``*.errors.jsonl``)."""
    for file in error_files(path):
        yield from read_errors(file)


# ----------------------------------------------------------------------- small helpers


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def tag(name: str, content: str = "", **attrs: object) -> str:
    """``<name a="v">content</name>``; ``class_`` -> class, ``data_x`` -> data-x, None values dropped."""
    names = {key.rstrip("_").replace("_", "-"): value for key, value in attrs.items()}
    return f"<{name}{attr_text(names)}>{content}</{name}>"


def attr_text(attrs: dict[str, object]) -> str:
    return "".join(f' {key}="{esc(value)}"' for key, value in attrs.items() if value is not None)


def page_name(doc_id: str, digits: int | None = 12) -> str:
    """A safe, stable file name for a document page: the id's safe characters plus ``digits`` of its hash."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", doc_id).strip("-.")[:60] or "doc"
    return f"{base}-{hashlib.sha1(doc_id.encode('utf-8')).hexdigest()[:digits]}.html"


def _where(source: Source) -> str:
    return source.path + (f":{source.line}" if source.line else "")


def mentions(record: Record) -> Iterator[Mention]:
    for claim in record.claims:
        yield from claim.tactics


@dataclass(frozen=True)
class Colour:
    index: int
    strong: str  # bars, underlines, chips
    tint: str  # highlight background
    rgb: tuple[float, float, float]  # of ``strong``, 0..1


def palette(labels: Iterable[str]) -> dict[str, Colour]:
    """A colour per label, by its position in the sorted label list.

    Hues are evenly spaced in OKLCH (perceptually even, unlike HSL). Up to 12 labels
    get a hue each; with more, the second half of the list takes the hues half-way
    between those of the first half, in a darker band. Neighbours in the list are
    spread round the wheel, so labels that sort together do not look alike.
    """
    names = sorted(set(labels))
    hues = len(names) if len(names) <= 12 else -(-len(names) // 2)
    coprime = [k for k in range(1, hues) if math.gcd(k, hues) == 1]
    step = min(coprime, key=lambda k: (abs(k - 0.382 * hues), k), default=1)  # about a golden angle
    out = {}
    for i, label in enumerate(names):
        band = i // hues
        hue = (((i * step) % hues + band / 2) / hues * 360 + 250) % 360  # the first label is blue
        strong = _oklch(0.45 if band else 0.60, 0.16, hue)
        tint = _oklch(0.84 if band else 0.90, 0.09 if band else 0.08, hue)
        out[label] = Colour(i, _hex(strong), _hex(tint), strong)
    return out


def _oklch(lightness: float, chroma: float, hue: float) -> tuple[float, float, float]:
    """sRGB (0..1) of an OKLCH colour, chroma reduced until it fits the sRGB gamut."""
    a, b = chroma * math.cos(math.radians(hue)), chroma * math.sin(math.radians(hue))
    lms = [
        (lightness + 0.3963377774 * a + 0.2158037573 * b) ** 3,
        (lightness - 0.1055613458 * a - 0.0638541728 * b) ** 3,
        (lightness - 0.0894841775 * a - 1.2914855480 * b) ** 3,
    ]
    rgb = [
        4.0767416621 * lms[0] - 3.3077115913 * lms[1] + 0.2309699292 * lms[2],
        -1.2684380046 * lms[0] + 2.6097574011 * lms[1] - 0.3413193965 * lms[2],
        -0.0041960863 * lms[0] - 0.7034186147 * lms[1] + 1.7076147010 * lms[2],
    ]
    if chroma > 0.005 and not all(-1e-6 <= c <= 1 + 1e-6 for c in rgb):
        return _oklch(lightness, chroma * 0.95, hue)
    clipped = [min(1.0, max(0.0, c)) for c in rgb]
    r, g, b = (12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055 for c in clipped)
    return (r, g, b)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb)


def _label_css(colours: dict[str, Colour]) -> str:
    return "".join(f".lab-{c.index}{{--c:{c.strong};--t:{c.tint}}}\n" for c in colours.values())


def chip(label: str, colours: dict[str, Colour]) -> str:
    return tag("span", esc(label), class_=f"chip lab-{colours[label].index}", data_label=label)


# ------------------------------------------------------------------------ statistics


@dataclass(frozen=True, slots=True)
class DocSummary:
    """What the index page needs of one record; never its text, sections or claims."""

    doc_id: str
    title: str | None
    layout: str
    checked_on: date | None
    counts: tuple[int, ...]  # sections, citations, claims, tactic mentions, warnings
    warnings: str | None  # the warning codes, for a tooltip

    @property
    def month(self) -> str:
        return self.checked_on.isoformat()[:7] if self.checked_on else "undated"


class Stats:
    """Archive-wide counts, label colours, page names and a :class:`DocSummary` per record (in doc_id order).

    ``records`` is read once, and no record is kept.
    """

    def __init__(self, records: Iterable[Record], errors: Iterable[ErrorRecord]) -> None:
        self.kinds, self.kind_docs, self.certainty, self.totals = Counter(), Counter(), Counter(), Counter()
        self.labels, self.label_docs, self.rules, self.rule_docs = Counter(), Counter(), Counter(), Counter()
        self.months: Counter[tuple[str, str]] = Counter()  # (DocSummary.month, label) -> mentions
        self.verdicts: Counter[str] = Counter()  # verdict class ("not read": no verdict) -> documents
        self.verdict_months: Counter[tuple[str, str]] = Counter()  # (DocSummary.month, verdict class) -> documents
        self.first_docs: list[tuple[str, Counter[str]]] = []  # (doc_id, mentions per label), TIMELINE_DOCS of them
        self.schemas: set[str] = set()
        self.docs = sorted(map(self._add, records), key=lambda d: d.doc_id)
        dup = next((a.doc_id for a, b in zip(self.docs, self.docs[1:], strict=False) if a.doc_id == b.doc_id), None)
        if dup is not None:
            raise ReportError(f"duplicate doc_id {dup!r}: each document needs its own page")
        self.errors = sorted(errors, key=lambda e: (e.doc_id, e.source.path, e.source.line or 0, e.code))
        self.colours = palette(self.labels)
        self.dated = any(d.checked_on for d in self.docs)
        unique = len({page_name(d.doc_id) for d in self.docs}) == len(self.docs)
        self.digits = 12 if unique else None  # a 48-bit hash clash: use the whole hash

    def _add(self, r: Record) -> DocSummary:
        kinds = [s.kind for s in r.sections]
        labels = Counter(m.label for m in mentions(r))
        rules = Counter((m.rule_id, m.label) for m in mentions(r))
        self.kinds.update(kinds)
        self.kind_docs.update(set(kinds))
        self.certainty.update(k.certainty for k in r.claims)
        self.labels.update(labels)
        self.label_docs.update(labels.keys())
        self.rules.update(rules)
        self.rule_docs.update(rules.keys())
        self.totals.update(
            sections=len(r.sections),
            citations=len(r.citations),
            references=len(r.references),
            claims=len(r.claims),
            warnings=len(r.warnings),
            refs=sum(len(c.refs) for c in r.citations),
            uncited=not r.citations,
        )
        self.schemas.add(r.schema_version)
        counts = (len(r.sections), len(r.citations), len(r.claims), labels.total(), len(r.warnings))
        doc = DocSummary(
            r.doc_id, r.title, sys.intern(r.layout), r.checked_on, counts, ", ".join(w.code for w in r.warnings) or None
        )
        self.months.update({(doc.month, lab): n for lab, n in labels.items()})
        verdict = r.verdict.label if r.verdict else "not read"
        self.verdicts[verdict] += 1
        self.verdict_months[doc.month, verdict] += 1
        insort(self.first_docs, (doc.doc_id, labels), key=itemgetter(0))
        del self.first_docs[TIMELINE_DOCS:]
        return doc

    def label_order(self) -> list[str]:
        return sorted(self.labels, key=lambda lab: (-self.labels[lab], lab))

    def page(self, doc_id: str) -> str:
        return page_name(doc_id, self.digits)

    def neighbours(self, doc_id: str) -> tuple[str | None, str | None]:
        """The doc_ids before and after ``doc_id``, in doc_id order."""
        i = bisect_left(self.docs, doc_id, key=lambda d: d.doc_id)
        if i == len(self.docs) or self.docs[i].doc_id != doc_id:
            raise ReportError(f"doc_id {doc_id!r} was not there on the first reading: the records changed")
        return (self.docs[i - 1].doc_id if i else None, self.docs[i + 1].doc_id if i + 1 < len(self.docs) else None)


# ----------------------------------------------------------------------------- pages

CSS = """
:root{--ink:#1f2430;--muted:#5f6878;--line:#d9dde5;--soft:#f4f6f9;--accent:#2f5bd3}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI","DejaVu Sans",Roboto,sans-serif;
 color:var(--ink);background:#fff}
header.top{background:#1f2a44;color:#fff;padding:18px 0 16px}
header.top a{color:#c9d6ff}
.wrap{max-width:1200px;margin:0 auto;padding:0 24px}
h1{font-size:22px;margin:0 0 4px;line-height:1.3}
h2{font-size:17px;margin:30px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
.sub{color:#b8c2d8;font-size:13px;margin:0}
.muted{color:var(--muted)}
code,.mono{font-family:"DejaVu Sans Mono",ui-monospace,Menlo,Consolas,monospace;font-size:.86em}
a{color:var(--accent)}
.stats{display:grid;grid-template-columns:repeat(auto-fill,minmax(128px,1fr));gap:10px;margin:20px 0 0;padding:0}
.stat{background:var(--soft);border:1px solid var(--line);border-radius:8px;padding:8px 12px}
.stat dt{font-size:11px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
.stat dd{margin:0;font-size:22px;font-weight:650}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:0 32px}
table{border-collapse:collapse;width:100%;font-size:13.5px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--soft);font-weight:600;white-space:nowrap}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
table.sortable th[data-col]{cursor:pointer;user-select:none}
table.sortable th[data-col]::after{content:" \\2195";color:#9aa3b2;font-size:11px}
table.sortable th[aria-sort=ascending]::after{content:" \\25B2";color:var(--ink)}
table.sortable th[aria-sort=descending]::after{content:" \\25BC";color:var(--ink)}
tbody tr:hover{background:#f8f9fc}
.chip{display:inline-block;font:600 11px/1.6 "DejaVu Sans Mono",ui-monospace,Menlo,monospace;padding:0 6px;
 margin:1px 2px 1px 0;border-radius:4px;background:var(--t);color:#111;border-left:4px solid var(--c);white-space:nowrap}
.badge{display:inline-block;font-size:11px;line-height:1.6;padding:0 7px;border-radius:9px;background:#e8ebf1;
 color:#3a4252;white-space:nowrap}
.cert-asserted{background:#dcefe3;color:#1d5c35}
.cert-hedged{background:#fbeccb;color:#7a4b00}
.cert-negated{background:#f8d9d9;color:#8c1c1c}

svg text{font-family:"DejaVu Sans Mono",ui-monospace,Menlo,Consolas,monospace;font-size:12px;fill:#2b3140}
svg{max-width:100%;height:auto}
.chart{overflow-x:auto}
.note{color:var(--muted);font-size:13px}
.notice{background:#fff6dd;border:1px solid #efd58a;border-radius:6px;padding:10px 14px}
footer{margin:40px 0 30px;color:var(--muted);font-size:12px}
/* document pages */
.doc-grid{display:grid;grid-template-columns:minmax(0,1fr) 330px;gap:28px;align-items:start;margin-top:22px}
aside{position:sticky;top:12px;font-size:13px}
aside h3{font-size:13px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);margin:16px 0 6px}
aside dl{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:0}
aside dt{color:var(--muted)}aside dd{margin:0;overflow-wrap:anywhere}
.legend{list-style:none;margin:0;padding:0}
.legend li{margin:3px 0;display:flex;align-items:center;gap:6px}
.legend .cnt{margin-left:auto;color:var(--muted);font-variant-numeric:tabular-nums}
.sec{border:1px solid var(--line);border-radius:8px;margin:0 0 12px;background:#fff}
.sec-head{display:flex;gap:8px;align-items:center;padding:4px 12px;background:var(--soft);
 border-bottom:1px solid var(--line);border-radius:8px 8px 0 0;font-size:12px;color:var(--muted)}
.sec-head .kind{font-weight:700;text-transform:uppercase;letter-spacing:.05em;color:#33405a}
.sec-head .rule{margin-left:auto}
.sec-text{padding:10px 14px;white-space:pre-wrap;overflow-wrap:anywhere;line-height:1.95;font-size:15.5px}
.sec.k-boilerplate .sec-text,.sec.k-meta .sec-text,.sec.k-none .sec-text{color:#6b7384;font-size:13.5px}
.sec.k-title .sec-text{font-size:19px;font-weight:600;line-height:1.6}
.hd{font-weight:700}
mark{background:none;color:inherit}
mark.tac{background:var(--t);border-bottom:3px solid var(--c);border-radius:2px;padding:1px 0}
mark.tac:hover{outline:2px solid var(--c)}
.hedge{font-style:italic;text-decoration:underline wavy #d08700;text-decoration-thickness:1.5px;
 text-underline-offset:4px}
.negation{font-style:italic;text-decoration:underline double #c62828;text-underline-offset:4px}
.qty{border:1.5px solid #0f766e;border-radius:4px;padding:0 2px;color:#0b4f4a;font-weight:600}
.cite{color:#fff;background:#3457c8;border-radius:4px;padding:0 3px;font-size:.82em;font-weight:600;
 white-space:nowrap}
.claim:target{background:#fff2a8;box-shadow:0 0 0 3px #fff2a8}
.sw{display:inline-block;min-width:64px;text-align:center;font-size:13px}
.outline{padding:8px 14px;margin:0}
td.claim-text{min-width:300px}
td.tactics{min-width:240px}
.nowrap{white-space:nowrap}
@media (max-width:900px){.doc-grid{grid-template-columns:1fr}aside{position:static}}
"""
# Verdict badges and the verdict phrase's outline, in the colours of VERDICT_COLOURS.
CSS += "".join(f".v-{v.replace(' ', '-')}{{background:{bg};color:{fg}}}\n" for v, (bg, fg) in VERDICT_COLOURS.items())
CSS += ".verdict{background:none;color:inherit;outline:2.5px solid #1f2430;outline-offset:1px;border-radius:3px}\n"
CSS += "".join(f".verdict.v-{v}{{outline-color:{bg}}}\n" for v, (bg, _) in VERDICT_COLOURS.items() if v != "not read")


SORT_JS = """(function(){
function key(td){var v=td.getAttribute('data-sort');return v===null?td.textContent.trim().toLowerCase():v;}
function sort(table,col,desc){
 var th=table.querySelector('th[data-col="'+col+'"]');if(!th)return;
 var i=Array.prototype.indexOf.call(th.parentNode.children,th),num=th.hasAttribute('data-num');
 var body=table.tBodies[0],rows=Array.prototype.slice.call(body.rows);
 rows.sort(function(a,b){var x=key(a.cells[i]),y=key(b.cells[i]);if(num){x=+x;y=+y;}
  var c=x<y?-1:x>y?1:0;return desc?-c:c;});
 rows.forEach(function(r){body.appendChild(r);});
 table.querySelectorAll('th').forEach(function(h){h.removeAttribute('aria-sort');});
 th.setAttribute('aria-sort',desc?'descending':'ascending');
}
document.querySelectorAll('table.sortable th[data-col]').forEach(function(th){
 th.tabIndex=0;
 function go(){sort(th.closest('table'),th.getAttribute('data-col'),th.getAttribute('aria-sort')==='ascending');}
 th.addEventListener('click',go);
 th.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();go();}});
});
var m=/^#sort=(-?)([A-Za-z0-9_-]+)$/.exec(location.hash);
if(m)document.querySelectorAll('table.sortable').forEach(function(t){sort(t,m[2],m[1]==='-');});
})();
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"


def _page(title: str, body: str, stats: Stats, *, script: bool = False) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="claimx {esc(__version__)}">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}{_label_css(stats.colours)}</style>\n</head>\n<body>\n"
        f"{body}\n" + (f"<script>\n{SORT_JS}</script>\n" if script else "") + "</body>\n</html>\n"
    )


def _stat(key: str, label: str, count: int, hint: str | None = None) -> str:
    return tag(
        "div",
        tag("dt", esc(label)) + tag("dd", str(count)),
        class_="stat",
        id=f"count-{key}",
        data_count=count,
        title=hint,
    )


# ------------------------------------------------------------------------ SVG charts

_CHAR = 7.3  # width of a 12px monospace character in the SVG charts


def _svg(width: float, height: float, content: str, **attrs: object) -> str:
    return tag(
        "svg",
        content,
        xmlns="http://www.w3.org/2000/svg",
        width=round(width),
        height=round(height),
        viewBox=f"0 0 {round(width)} {round(height)}",
        role="img",
        **attrs,
    )


def tactic_chart(stats: Stats) -> str:
    """Horizontal bars: mentions per label across the archive."""
    order = stats.label_order()
    if not order:
        return tag("p", "No tactic mentions in these records.", class_="note", id="tactic-chart")
    label_w = 16 + _CHAR * max(len(lab) for lab in order)
    bar_w, row = 560, 24
    top = max(stats.labels.values())
    rows = []
    for i, lab in enumerate(order):
        n, y = stats.labels[lab], i * row
        w = max(2.0, bar_w * n / top)
        rows.append(
            tag(
                "g",
                tag("title", esc(f"{lab}: {n} mentions in {stats.label_docs[lab]} documents"))
                + tag("text", esc(lab), x=round(label_w - 10), y=y + 16, text_anchor="end")
                + tag(
                    "rect", x=round(label_w), y=y + 4, width=f"{w:.1f}", height=16, rx=2, fill=stats.colours[lab].strong
                )
                + tag("text", str(n), x=f"{label_w + w + 6:.1f}", y=y + 16),
                class_="bar",
                data_label=lab,
                data_count=n,
            )
        )
    return tag(
        "div",
        _svg(label_w + bar_w + 50, row * len(order) + 6, "".join(rows), aria_label="tactic mentions per label"),
        class_="chart",
        id="tactic-chart",
    )


def verdict_chart(stats: Stats) -> str:
    """Documents per verdict class (bars, in scale order) and, when records are dated, per month (a table)."""
    top = max(stats.verdicts.values(), default=0)
    if not top:
        return tag("p", "No records.", class_="note", id="verdict-chart")
    label_w, bar_w, row = 16 + _CHAR * max(map(len, VERDICTS)), 420, 24
    rows = []
    for i, v in enumerate(VERDICTS):
        n, y = stats.verdicts.get(v, 0), i * row
        w = bar_w * n / top
        rows.append(
            tag(
                "g",
                tag("title", esc(f"{v}: {n} documents"))
                + tag("text", esc(v), x=round(label_w - 10), y=y + 16, text_anchor="end")
                + tag("rect", x=round(label_w), y=y + 4, width=f"{w:.1f}", height=16, rx=2, fill=VERDICT_COLOURS[v][0])
                + tag("text", str(n), x=f"{label_w + w + 6:.1f}", y=y + 16),
                class_="bar",
                data_verdict=v,
                data_count=n,
            )
        )
    chart = tag(
        "div",
        _svg(label_w + bar_w + 50, row * len(VERDICTS) + 6, "".join(rows), aria_label="documents per verdict"),
        class_="chart",
        id="verdict-chart",
    )
    if not stats.dated:
        return chart
    months = sorted({m for m, _ in stats.verdict_months})
    head = tag(
        "tr",
        "<th>month</th>"
        + "".join(
            tag("th", tag("span", esc(v), class_=f"badge v-{v.replace(' ', '-')}"), class_="n") for v in VERDICTS
        ),
    )
    body = "".join(
        tag(
            "tr",
            tag("td", esc(m))
            + "".join(tag("td", str(stats.verdict_months.get((m, v), 0) or ""), class_="n") for v in VERDICTS),
            data_month=m,
        )
        for m in months
    )
    return chart + tag("table", tag("thead", head) + tag("tbody", body), id="verdicts-by-month")


def timeline_chart(stats: Stats) -> str:
    """A heat map of mentions per label by month of checked_on.

    When no record has a date, by document instead (the first ``TIMELINE_DOCS`` documents).
    """
    order = stats.label_order()
    if not order:
        return tag("p", "No tactic mentions in these records.", class_="note", id="timeline-chart")
    dated = stats.dated
    if dated:  # "YYYY-MM" columns in order, then "undated" (which sorts after digits)
        cols = sorted({d.month for d in stats.docs})
        heads = cols
        cells = stats.months
    else:
        cols = [doc_id for doc_id, _ in stats.first_docs]
        heads = [d if len(d) <= 26 else "\u2026" + d[-25:] for d in cols]
        cells = Counter({(doc_id, lab): n for doc_id, labels in stats.first_docs for lab, n in labels.items()})
    top = max(cells[(col, lab)] for col in cols for lab in order) or 1
    label_w = 16 + _CHAR * max(len(lab) for lab in order)
    cw, ch = (58, 22) if dated else (30, 22)
    head_h = 30 if dated else 16 + _CHAR * max(len(h) for h in heads) * 0.75
    parts = []
    for j, (col, head) in enumerate(zip(cols, heads, strict=False)):
        x = label_w + j * cw + cw / 2
        if dated:
            parts.append(tag("text", esc(head), x=f"{x:.1f}", y=round(head_h - 10), text_anchor="middle", font_size=11))
        else:
            parts.append(
                tag(
                    "text",
                    tag("title", esc(col)) + esc(head),
                    x=f"{x + 4:.1f}",
                    y=round(head_h - 6),
                    transform=f"rotate(-45 {x + 4:.1f} {round(head_h - 6)})",
                    font_size=11,
                )
            )
    for i, lab in enumerate(order):
        y = head_h + i * ch
        parts.append(tag("text", esc(lab), x=round(label_w - 10), y=f"{y + 15:.1f}", text_anchor="end"))
        for j, col in enumerate(cols):
            n = cells.get((col, lab), 0)
            x = label_w + j * cw
            fill = stats.colours[lab].strong if n else "#eef0f4"
            opacity = f"{0.18 + 0.82 * n / top:.3f}" if n else "1"
            cell = tag(
                "rect",
                tag("title", esc(f"{lab} / {col}: {n}")),
                x=round(x + 1),
                y=f"{y + 1:.1f}",
                width=cw - 2,
                height=ch - 2,
                rx=2,
                fill=fill,
                fill_opacity=opacity,
                class_="cell",
                data_label=lab,
                data_col=col,
                data_count=n,
            )
            if n:
                alpha = 0.18 + 0.82 * n / top
                ink = "#fff" if _luminance(stats.colours[lab].rgb, alpha) < 0.18 else "#1f2430"
                cell += tag(
                    "text",
                    str(n),
                    x=f"{x + cw / 2:.1f}",
                    y=f"{y + 15:.1f}",
                    text_anchor="middle",
                    font_size=11,
                    style=f"fill:{ink}",
                )
            parts.append(cell)
    width = label_w + cw * len(cols) + (10 if dated else 120)
    what = "month of checked_on" if dated else "document (no record has a checked_on date)"
    chart = tag(
        "div",
        _svg(width, head_h + ch * len(order) + 6, "".join(parts), aria_label=f"tactic mentions per label by {what}"),
        class_="chart",
        id="timeline-chart",
        data_by="month" if dated else "document",
    )
    if len(cols) < len(stats.docs) and not dated:
        chart += tag("p", f"The first {len(cols)} of {len(stats.docs)} documents, by doc_id.", class_="note")
    return chart


def _luminance(rgb: tuple[float, float, float], alpha: float) -> float:
    """Relative luminance of ``rgb`` laid over white with opacity ``alpha``."""
    shade = [alpha * c + 1 - alpha for c in rgb]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in shade]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def certainty_bar(stats: Stats) -> str:
    total = sum(stats.certainty.values())
    colours = {"asserted": "#3f9a63", "hedged": "#e0a21b", "negated": "#d04545"}
    x, rects = 0.0, []
    for c in CERTAINTIES:
        n = stats.certainty.get(c, 0)
        w = 600 * n / total if total else 0
        rects.append(
            tag(
                "rect",
                tag("title", esc(f"{c}: {n}")),
                x=f"{x:.1f}",
                y=0,
                width=f"{w:.1f}",
                height=14,
                fill=colours.get(c, "#8894a8"),
                data_certainty=c,
                data_count=n,
            )
        )
        x += w
    return _svg(600, 14, "".join(rects), aria_label="claims by certainty", preserveAspectRatio="none")


# ------------------------------------------------------------------------ index page


def index_page(stats: Stats, source: str | None, errors_source: str | None) -> Iterator[str]:
    """The index page in pieces: the rows of the document table one by one, so the page is never whole in memory."""
    n_docs, totals = len(stats.docs), stats.totals
    cards = "".join(
        [
            _stat("documents", "documents processed", n_docs + len(stats.errors), "records + error records"),
            _stat("records", "records", n_docs),
            _stat("errors", "error records", len(stats.errors)),
            _stat("sections", "sections", totals["sections"]),
            _stat("citations", "citation markers", totals["citations"]),
            _stat("claims", "claims", totals["claims"]),
            _stat("mentions", "tactic mentions", sum(stats.labels.values())),
            _stat("warnings", "warnings", totals["warnings"]),
        ]
    )
    kind_rows = "".join(
        tag(
            "tr",
            tag("td", tag("span", esc(k), class_="badge"))
            + tag("td", str(stats.kinds.get(k, 0)), class_="n")
            + tag("td", str(stats.kind_docs.get(k, 0)), class_="n"),
            id=f"sections-{k}",
            data_kind=k,
            data_count=stats.kinds.get(k, 0),
        )
        for k in [*SECTION_KINDS, *sorted(set(stats.kinds) - set(SECTION_KINDS))]
    )
    kinds = tag(
        "table",
        tag("thead", tag("tr", '<th>kind</th><th class="n">sections</th><th class="n">documents</th>'))
        + tag("tbody", kind_rows),
        id="sections-by-kind",
    )
    n_claims = sum(stats.certainty.values())
    cert_rows = "".join(
        tag(
            "tr",
            tag("td", tag("span", esc(c), class_=f"badge cert-{c}"))
            + tag("td", str(stats.certainty.get(c, 0)), class_="n")
            + tag("td", f"{100 * stats.certainty.get(c, 0) / n_claims:.0f}%" if n_claims else "", class_="n"),
            id=f"certainty-{c}",
            data_certainty=c,
            data_count=stats.certainty.get(c, 0),
        )
        for c in CERTAINTIES
    )
    certainty = tag(
        "table",
        tag("thead", tag("tr", '<th>certainty</th><th class="n">claims</th><th class="n">share</th>'))
        + tag("tbody", cert_rows),
        id="claims-by-certainty",
    ) + tag("div", certainty_bar(stats), style="margin-top:10px")
    citations = tag(
        "p",
        f"{totals['citations']} citation markers citing {totals['refs']} reference numbers; "
        f"{totals['references']} reference-list entries. "
        f"{totals['uncited']} documents have no marker.",
        class_="note",
    )
    body = [
        tag(
            "header",
            tag(
                "div",
                tag("h1", "claimx report")
                + tag(
                    "p",
                    esc(f"{source or 'records'} \u00b7 {n_docs} documents \u00b7 claimx {__version__}"),
                    class_="sub",
                ),
                class_="wrap",
            ),
            class_="top",
        ),
        '<main class="wrap">',
        tag("dl", cards, class_="stats"),
        tag(
            "div",
            tag("section", tag("h2", "Sections by kind") + kinds)
            + tag("section", tag("h2", "Claims by certainty") + certainty + citations),
            class_="grid",
        ),
        tag("h2", "Verdicts"),
        tag(
            "p",
            "What each article concludes about the claim it checks (<code>verdict.label</code>); "
            "<em>none</em>: it rates no claim, <em>not read</em>: no verdict phrase was found.",
            class_="note",
        ),
        verdict_chart(stats),
        tag("h2", "Tactic mentions per label"),
        tag(
            "p",
            "Every tactic mention in every claim of the archive, by label. Hover a bar for the number of documents.",
            class_="note",
        ),
        tactic_chart(stats),
        tag("h2", "Tactic labels over time"),
        tag(
            "p",
            "Mentions per label by the month of the article's <code>checked_on</code> date; darker is more."
            if stats.dated
            else "No record has a <code>checked_on</code> date, so mentions are shown per document.",
            class_="note",
        ),
        timeline_chart(stats),
        tag("h2", "Top rules by hits"),
        _rules_table(stats),
        tag("h2", "Documents"),
        tag(
            "p",
            "Click a column heading to sort (or open this page with <code>#sort=claims</code>, "
            "<code>#sort=-claims</code>); the document id opens its page.",
            class_="note",
        ),
        _documents_table(stats),
        tag("h2", f"Error records ({len(stats.errors)})", id="errors"),
        _errors_table(stats, errors_source),
        tag(
            "footer",
            esc(
                f"claimx {__version__} \u00b7 schema "
                f"{', '.join(sorted(stats.schemas)) or '-'} \u00b7 "
                f"{len(stats.colours)} labels, {len(stats.rules)} rules"
            ),
        ),
        "</main>",
    ]
    page = _page(f"claimx report \u2013 {source or 'records'}", "\n".join(body), stats, script=True)
    before, _, after = page.partition(_ROWS)
    yield before
    for i, d in enumerate(stats.docs):
        yield ("\n" if i else "") + _document_row(d, stats)
    yield after


def _rules_table(stats: Stats, limit: int = 25) -> str:
    if not stats.rules:
        return tag("p", "No rule fired.", class_="note", id="top-rules")
    top = sorted(stats.rules, key=lambda k: (-stats.rules[k], k))[:limit]
    rows = []
    for rule, lab in top:
        hits, docs = stats.rules[(rule, lab)], stats.rule_docs[(rule, lab)]
        cells = (
            tag("td", tag("code", esc(rule)))
            + tag("td", chip(lab, stats.colours))
            + tag("td", str(hits), class_="n")
            + tag("td", str(docs), class_="n")
        )
        rows.append(tag("tr", cells, data_rule=rule, data_label=lab, data_hits=hits, data_docs=docs))
    note = tag("p", f"The {len(top)} tactic rules with most mentions, of {len(stats.rules)} that fired.", class_="note")
    head = '<th>rule_id</th><th>label</th><th class="n">hits</th><th class="n">documents</th>'
    return note + tag("table", tag("thead", tag("tr", head)) + tag("tbody", "".join(rows)), id="top-rules")


_ROWS = "<!--rows-->"  # where the document rows go; escaped text never holds a "<"
_DOC_COLUMNS = [
    ("doc_id", "doc_id", False),
    ("title", "title", False),
    ("layout", "layout", False),
    ("checked_on", "checked_on", False),
    ("sections", "sections", True),
    ("citations", "citations", True),
    ("claims", "claims", True),
    ("mentions", "tactic mentions", True),
    ("warnings", "warnings", True),
]


def _documents_table(stats: Stats) -> str:
    head = "".join(
        tag("th", esc(name), data_col=col, data_num="" if num else None, class_="n" if num else None, scope="col")
        for col, name, num in _DOC_COLUMNS
    )
    return tag("table", tag("thead", tag("tr", head)) + tag("tbody", _ROWS), class_="sortable", id="documents")


def _document_row(d: DocSummary, stats: Stats) -> str:
    cells = [
        tag("td", tag("a", esc(d.doc_id), href=f"docs/{stats.page(d.doc_id)}"), class_="mono"),
        tag("td", esc(d.title or "")),
        tag("td", esc(d.layout)),
        tag("td", esc(d.checked_on.isoformat() if d.checked_on else ""), class_="mono"),
        *[tag("td", str(n), class_="n", data_sort=n) for n in d.counts[:-1]],
        tag("td", str(d.counts[-1]), class_="n", data_sort=d.counts[-1], title=d.warnings),
    ]
    return tag("tr", "".join(cells), data_doc=d.doc_id)


def _errors_table(stats: Stats, errors_source: str | None) -> str:
    where = f"from {errors_source}" if errors_source else "no errors file was read"
    if not stats.errors:
        return tag("p", esc(f"No error records ({where})."), class_="note")
    rows = "".join(
        tag(
            "tr",
            tag("td", esc(e.doc_id), class_="mono")
            + tag("td", tag("code", esc(e.code)))
            + tag("td", esc(e.message))
            + tag("td", esc(_where(e.source)), class_="mono"),
            data_code=e.code,
        )
        for e in stats.errors
    )
    head = "<th>doc_id</th><th>code</th><th>message</th><th>source</th>"
    return tag("p", esc(f"Documents that gave no record ({where})."), class_="note") + tag(
        "table", tag("thead", tag("tr", head)) + tag("tbody", rows), id="error-records"
    )


# --------------------------------------------------------------------- document text


@dataclass(frozen=True)
class Highlight:
    """A highlight: one element wrapped around text[start:end]; ``rank`` orders spans that start and end together."""

    start: int
    end: int
    rank: int
    name: str
    attrs: tuple[tuple[str, object], ...]
    label: str | None = None
    title: str | None = None


def spans_of(record: Record, colours: dict[str, Colour]) -> list[Highlight]:
    """Every highlight of a record: claims, headings, tactic mentions, quantities, cues and markers."""
    out: set[Highlight] = set()
    for s in record.sections:
        if s.heading_start is not None and s.heading_end is not None and s.heading_end > s.heading_start:
            out.add(Highlight(s.heading_start, s.heading_end, 1, "span", (("class", "hd"),)))
    for k in record.claims:
        out.add(
            Highlight(
                k.start,
                k.end,
                0,
                "span",
                (
                    ("class", "claim"),
                    ("id", k.id),
                    ("data-kind", "claim"),
                    ("data-claim", k.id),
                    ("data-certainty", k.certainty),
                ),
            )
        )
        for m in k.tactics:
            out.add(
                Highlight(
                    m.start,
                    m.end,
                    2,
                    "mark",
                    (
                        ("class", f"tac lab-{colours[m.label].index}"),
                        ("data-kind", "tactic"),
                        ("data-label", m.label),
                        ("data-rule", m.rule_id),
                        ("data-start", m.start),
                        ("data-end", m.end),
                    ),
                    label=m.label,
                    title=f"{m.label} \u00b7 {m.rule_id}",
                )
            )
        for q in k.quantities:
            value = "" if q.value is None else q.value
            out.add(
                Highlight(
                    q.start,
                    q.end,
                    3,
                    "span",
                    (
                        ("class", "qty"),
                        ("data-kind", "quantity"),
                        ("data-value", value),
                        ("data-unit", q.unit),
                        ("data-rule", q.rule_id),
                        ("data-start", q.start),
                        ("data-end", q.end),
                    ),
                    title=f"quantity {value if value != '' else '(vague)'} {q.unit} \u00b7 {q.rule_id}",
                )
            )
        for h in k.hedges:
            out.add(
                Highlight(
                    h.start,
                    h.end,
                    4,
                    "span",
                    (
                        ("class", h.cue),
                        ("data-kind", h.cue),
                        ("data-rule", h.rule_id),
                        ("data-start", h.start),
                        ("data-end", h.end),
                    ),
                    title=f"{h.cue} \u00b7 {h.rule_id}",
                )
            )
    v = record.verdict
    if v is not None and v.end > v.start:
        out.add(
            Highlight(
                v.start,
                v.end,
                6,
                "span",
                (
                    ("class", f"verdict v-{v.label}"),
                    ("id", "verdict"),
                    ("data-kind", "verdict"),
                    ("data-verdict", v.label),
                    ("data-rule", v.rule_id),
                    ("data-start", v.start),
                    ("data-end", v.end),
                ),
                title=f"verdict: {v.label} \u00b7 {v.rule_id}",
            )
        )
    for c in record.citations:
        refs = ", ".join(map(str, c.refs))
        out.add(
            Highlight(
                c.start,
                c.end,
                5,
                "span",
                (
                    ("class", "cite"),
                    ("data-kind", "citation"),
                    ("data-refs", " ".join(map(str, c.refs))),
                    ("data-rule", c.rule_id),
                    ("data-start", c.start),
                    ("data-end", c.end),
                ),
                title=f"cites {refs} \u00b7 {c.rule_id}",
            )
        )
    return sorted(out, key=lambda s: (s.start, -s.end, s.rank, repr(s.attrs)))


def render_text(
    text: str, spans: list[Highlight], colours: dict[str, Colour], lo: int = 0, hi: int | None = None
) -> str:
    """``text[lo:hi]`` as HTML with every span wrapped around its characters.

    Spans nest where they can; a span that crosses another is closed at the boundary
    and opened again after it (the pieces share their data-* attributes, only the
    first piece carries the ``id``), so overlapping spans all stay visible. A tactic
    mark inside a mark of another label gets that label's colour as an extra
    underline below its own.
    """
    hi = len(text) if hi is None else hi
    inside = [(max(s.start, lo), min(s.end, hi), s) for s in spans if s.start < hi and s.end > lo and s.end > s.start]
    starts: dict[int, list[tuple[int, int, Highlight]]] = defaultdict(list)
    for item in inside:
        starts[item[0]].append(item)
    cuts = sorted({lo, hi, *(a for a, _, _ in inside), *(b for _, b, _ in inside)})
    out: list[str] = []
    stack: list[tuple[int, int, Highlight]] = []
    for p, q in zip(cuts, [*cuts[1:], None], strict=False):
        ending = [i for i, (_, b, _) in enumerate(stack) if b <= p]
        reopen: list[tuple[int, int, Highlight]] = []
        if ending:
            cut = ending[0]
            out.extend(f"</{s.name}>" for _, _, s in reversed(stack[cut:]))
            reopen = [item for item in stack[cut:] if item[1] > p]
            del stack[cut:]
        for item in sorted(reopen + starts.get(p, []), key=lambda it: (-it[1], it[2].rank, repr(it[2].attrs))):
            out.append(_open(item[2], first=p == item[2].start, stack=stack, colours=colours))
            stack.append(item)
        if q is not None:
            out.append(esc(text[p:q]))
    return "".join(out)


def _open(span: Highlight, *, first: bool, stack: list, colours: dict[str, Colour]) -> str:
    attrs = {k: v for k, v in span.attrs if first or k != "id"}
    if span.label is not None:
        outer = []
        for _, _, s in stack:
            if s.label is not None and s.label != span.label and s.label not in outer:
                outer.append(s.label)
        if outer:
            attrs["style"] = "box-shadow:" + ",".join(
                f"0 {3 * (i + 1)}px 0 {colours[lab].strong}" for i, lab in enumerate(reversed(outer))
            )
        titles = [span.title] + [f"within {lab}" for lab in outer]
        attrs["title"] = "\n".join(titles)
    elif span.title is not None:
        attrs["title"] = span.title
    return f"<{span.name}{attr_text(attrs)}>"


# ------------------------------------------------------------------------ document page


def document_page(record: Record, stats: Stats, prev_id: str | None, next_id: str | None) -> str:
    colours = stats.colours
    doc_mentions = Counter(m.label for m in mentions(record))
    nav = [tag("a", "\u2190 index", href="../index.html")]
    if prev_id is not None:
        nav.append(tag("a", "\u2039 previous", href=stats.page(prev_id), title=prev_id))
    if next_id is not None:
        nav.append(tag("a", "next \u203a", href=stats.page(next_id), title=next_id))
    header = tag(
        "header",
        tag(
            "div",
            tag("p", " \u00b7 ".join(nav), class_="sub")
            + tag("h1", esc(record.title or record.doc_id))
            + tag("p", esc(record.doc_id), class_="sub mono"),
            class_="wrap",
        ),
        class_="top",
    )
    src = record.source
    meta = [
        ("doc_id", tag("code", esc(record.doc_id))),
        ("source", tag("code", esc(_where(src))) + f" ({esc(src.format)})"),
        ("url", _link(src.url)),
        ("checked_on", esc(record.checked_on.isoformat() if record.checked_on else "\u2013")),
        ("layout", esc(record.layout)),
        ("claim", esc(record.claim_reviewed.text) if record.claim_reviewed else "\u2013"),
        ("verdict", _verdict_badge(record)),
        ("schema", esc(record.schema_version)),
    ]
    counts = [
        ("sections", len(record.sections)),
        ("citations", len(record.citations)),
        ("references", len(record.references)),
        ("claims", len(record.claims)),
        ("mentions", sum(doc_mentions.values())),
        ("warnings", len(record.warnings)),
    ]
    meta_html = "".join(tag("dt", k) + tag("dd", v) for k, v in meta)
    meta_html += "".join(tag("dt", k) + tag("dd", str(n), id=f"doc-{k}", data_count=n) for k, n in counts)
    legend_items = [
        tag("li", chip(lab, colours) + tag("span", str(n), class_="cnt"), data_label=lab)
        for lab, n in sorted(doc_mentions.items())
    ]
    styles = [
        ("hedge", tag("span", "hedge", class_="hedge sw")),
        ("negation", tag("span", "negation", class_="negation sw")),
        ("quantity", tag("span", "quantity", class_="qty")),
        ("citation marker", tag("span", "[1]", class_="cite")),
        ("verdict phrase", tag("span", "verdict", class_="verdict sw")),
    ]
    legend = (
        tag("h3", "Tactic labels")
        + (
            tag("ul", "".join(legend_items), class_="legend", id="legend")
            if legend_items
            else tag("p", "none in this document", class_="note", id="legend")
        )
        + tag("h3", "Other highlights")
        + tag(
            "ul",
            "".join(tag("li", sw + tag("span", esc(name), class_="muted")) for name, sw in styles),
            class_="legend",
        )
        + tag(
            "p",
            "Hover a highlight for its label and rule id. A mark inside a mark of another label "
            "shows that label as a second underline.",
            class_="note",
        )
    )
    warnings = ""
    if record.warnings:
        warnings = tag("h3", "Warnings") + tag(
            "ul",
            "".join(tag("li", tag("code", esc(w.code)) + " " + esc(w.message)) for w in record.warnings),
            id="warnings",
        )
    aside = tag("aside", tag("h3", "Record") + tag("dl", meta_html) + legend + warnings)
    main = tag("div", _document_text(record, stats) + aside, class_="doc-grid")
    claims = tag("h2", f"Claims ({len(record.claims)})", id="claims") + _claims_table(record, stats)
    footer = tag("footer", esc(f"claimx {__version__} \u00b7 {record.doc_id}"))
    body = "\n".join([header, '<main class="wrap">', main, claims, footer, "</main>"])
    return _page(f"{record.title or record.doc_id} \u2013 claimx", body, stats)


def _verdict_badge(record: Record) -> str:
    """The verdict class as a badge linking to its phrase in the text, with the phrase and its rule."""
    v = record.verdict
    if v is None:
        return tag("span", "not read", class_="badge v-not-read", id="doc-verdict", data_verdict="not read")
    return (
        tag(
            "a",
            tag("span", esc(v.label), class_=f"badge v-{v.label}"),
            href="#verdict",
            id="doc-verdict",
            data_verdict=v.label,
        )
        + " "
        + esc(f"\u201c{v.text}\u201d")
        + " "
        + tag("code", esc(v.rule_id), class_="muted")
    )


def _link(url: str | None) -> str:
    """A web address as a link; anything but http(s) (say ``javascript:``) stays plain text."""
    if not url:
        return "\u2013"
    if re.match(r"https?://", url, re.IGNORECASE):
        return tag("a", esc(url), href=url, rel="noopener noreferrer")
    return esc(url)


def _document_text(record: Record, stats: Stats) -> str:
    text = record.text
    blocks = []
    if text is None:
        blocks.append(
            tag(
                "p",
                "This record has no text (it was extracted with <code>--no-text</code>), so the "
                "document cannot be shown with its highlights. Its sections are outlined below and "
                "its claims are listed after them.",
                class_="notice",
                id="no-text",
            )
        )
        for s in record.sections:
            heading = " ".join(x for x in [f"{s.number}." if s.number is not None else "", s.heading or ""] if x)
            blocks.append(
                tag(
                    "section",
                    _section_head(s.kind, s.id, s.rule_id)
                    + (tag("p", esc(heading), class_="outline hd") if heading else ""),
                    class_=f"sec k-{s.kind}",
                    data_kind=s.kind,
                    data_section=s.id,
                )
            )
        return tag("article", "\n".join(blocks), id="text", data_text="none")
    spans = spans_of(record, stats.colours)
    pos = 0
    for s in record.sections:
        if text[pos : s.start].strip():
            blocks.append(_gap_block(text, spans, stats, pos, s.start))
        blocks.append(
            tag(
                "section",
                _section_head(s.kind, s.id, s.rule_id)
                + tag("div", render_text(text, spans, stats.colours, s.start, s.end), class_="sec-text"),
                class_=f"sec k-{s.kind}",
                data_kind=s.kind,
                data_section=s.id,
            )
        )
        pos = max(pos, s.end)
    if text[pos:].strip():
        blocks.append(_gap_block(text, spans, stats, pos, len(text)))
    return tag("article", "\n".join(blocks), id="text")


def _gap_block(text: str, spans: list[Highlight], stats: Stats, lo: int, hi: int) -> str:
    while lo < hi and text[lo].isspace():
        lo += 1
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    return tag(
        "section",
        _section_head("no section", None, None)
        + tag("div", render_text(text, spans, stats.colours, lo, hi), class_="sec-text"),
        class_="sec k-none",
        data_kind="none",
    )


def _section_head(kind: str, sid: str | None, rule: str | None) -> str:
    parts = tag("span", esc(kind), class_="kind") + (tag("span", esc(sid)) if sid else "")
    return tag("div", parts + (tag("code", esc(rule), class_="rule") if rule else ""), class_="sec-head")


def _claims_table(record: Record, stats: Stats) -> str:
    if not record.claims:
        return tag("p", "No claims in this document.", class_="note", id="claims-table")
    kinds = {s.id: s.kind for s in record.sections}
    rows = []
    for k in record.claims:
        claim_id = tag("a", esc(k.id), href=f"#{k.id}") if record.text is not None else esc(k.id)
        tactics = "".join(
            tag(
                "div",
                chip(m.label, stats.colours) + " " + tag("span", esc(m.text), class_="muted"),
                title=f"{m.label} \u00b7 {m.rule_id}",
            )
            for m in k.tactics
        )
        quantities = "".join(
            tag(
                "div",
                esc(q.text) + tag("span", esc(f" = {q.value}" if q.value is not None else " (vague)"), class_="muted"),
                title=f"unit: {q.unit} \u00b7 {q.rule_id}",
            )
            for q in k.quantities
        )
        cells = [
            tag("td", claim_id, class_="mono"),
            tag("td", esc(k.section_id) + " " + tag("span", esc(kinds.get(k.section_id, "?")), class_="muted")),
            tag("td", esc(k.kind)),
            tag("td", tag("span", esc(k.certainty), class_=f"badge cert-{k.certainty}")),
            tag("td", tactics, class_="tactics"),
            tag("td", esc(", ".join(map(str, k.citation_refs))), class_="mono nowrap"),
            tag("td", quantities),
            tag("td", esc(k.text), class_="claim-text"),
        ]
        rows.append(
            tag(
                "tr",
                "".join(cells),
                data_claim=k.id,
                data_certainty=k.certainty,
                data_kind=k.kind,
                data_section=k.section_id,
            )
        )
    head = "".join(
        f"<th>{h}</th>" for h in ["id", "section", "kind", "certainty", "tactics", "cites", "quantities", "text"]
    )
    return tag("table", tag("thead", tag("tr", head)) + tag("tbody", "\n".join(rows)), id="claims-table")


# ----------------------------------------------------------------------------- build


def build_report(
    records: Iterable[Record],
    errors: Iterable[ErrorRecord],
    out_dir: Path,
    *,
    source: str | None = None,
    errors_source: str | None = None,
    again: Callable[[], Iterable[Record]] | None = None,
) -> ReportSummary:
    """Write ``index.html`` and ``docs/*.html`` to ``out_dir``, replacing an earlier report there.

    Two passes, and memory that does not grow with the text of the archive: the first
    reads every record (so a broken input writes nothing) and keeps the archive's counts
    and a small :class:`DocSummary` per record; the second writes the document pages.
    ``records`` is read once. ``again`` gives the same records for the second pass (an
    output file is simply read again); without it, the first pass keeps a copy of each
    record in a temporary file. The site is written to a temporary folder beside
    ``out_dir`` and renamed into place, so a reader never sees half a report.
    ``source`` and ``errors_source`` name the inputs on the index page.
    """
    with tempfile.TemporaryFile("w+", encoding="utf-8") as copy:
        if again is None:
            records, again = _copied(records, copy)
        stats = Stats(records, errors)
        with _staged(Path(out_dir)) as site:
            _write(site / MARKER, [f"claimx {__version__} report\n"])
            _write(site / "index.html", index_page(stats, source, errors_source))
            pages = 0
            for pages, rec in enumerate(again(), 1):  # noqa: B007 - the count is read after the loop
                page = document_page(rec, stats, *stats.neighbours(rec.doc_id))
                _write(site / "docs" / stats.page(rec.doc_id), [page])
            if pages != len(stats.docs):
                raise ReportError(
                    f"{len(stats.docs)} records on the first reading, {pages} on the second: the records changed"
                )
    return ReportSummary(Path(out_dir), len(stats.docs), len(stats.errors), pages)


def _copied(records: Iterable[Record], fh: IO[str]) -> tuple[Iterator[Record], Callable[[], Iterator[Record]]]:
    """``records``, each written to ``fh`` as it is read, and a function that reads them back."""

    def first() -> Iterator[Record]:
        for rec in records:
            fh.write(dumps(rec) + "\n")
            yield rec

    def again() -> Iterator[Record]:
        fh.seek(0)
        return map(Record.model_validate_json, fh)

    return first(), again


def _write(path: Path, pieces: Iterable[str]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.writelines(pieces)


def is_report(folder: Path) -> bool:
    """Whether ``folder`` is a report claimx wrote: it holds the :data:`MARKER` file (a plain file, not a link)."""
    marker = folder / MARKER
    if marker.is_symlink() or not marker.is_file():
        return False
    with marker.open("rb") as fh:
        return fh.read(64).startswith(b"claimx ")


@contextmanager
def _staged(out_dir: Path) -> Iterator[Path]:
    """A fresh folder to fill; on success it replaces ``out_dir`` (only ever an earlier report, or nothing)."""
    out_dir = Path(os.path.abspath(out_dir))
    if out_dir.is_symlink():
        raise ReportError("is a symbolic link; give the folder itself", path=out_dir)
    if out_dir.exists():
        if not out_dir.is_dir():
            raise ReportError("exists and is not a folder", path=out_dir)
        held = sorted(p.name for p in out_dir.iterdir())
        if held and not is_report(out_dir):
            raise ReportError(
                f"not a claimx report folder (no {MARKER} in it; holds {', '.join(held[:3])}"
                f"{', ...' if len(held) > 3 else ''}); refusing to replace it",
                path=out_dir,
            )
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    holder = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".tmp", dir=out_dir.parent))
    try:
        site = holder / "site"
        (site / "docs").mkdir(parents=True)  # mkdir, not mkdtemp: the usual permissions
        yield site
        if out_dir.exists():
            os.replace(out_dir, holder / "old")
        try:
            os.replace(site, out_dir)
        except OSError:
            if (holder / "old").exists():
                os.replace(holder / "old", out_dir)  # the earlier report stays
            raise
    finally:
        shutil.rmtree(holder, ignore_errors=True)
