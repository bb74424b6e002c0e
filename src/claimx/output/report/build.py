"""Building the report: reading the records, rendering the pages from the templates, staging the folder.

The pages are Jinja2 templates (``templates/*.html.j2``) with autoescaping on: every value
is escaped unless it is :class:`markupsafe.Markup`, and only HTML built from escaped parts
(the highlighted text, the SVG charts) or the package's own files (``static/report.css``,
``static/report.js``, inlined at render time) is Markup. The index page is streamed with
``Template.generate()``, a document row at a time; the records are read in two passes and
never held all at once (see :func:`build_report`). The same records give the same bytes.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import IO

from jinja2 import Environment, PackageLoader, StrictUndefined, Template, select_autoescape
from jinja2.ext import Extension
from markupsafe import Markup

from ...about import __version__
from ...errors import ConfigError, Errors
from ...records.io import error_files, jsonl_files, read_models, read_records
from ...records.schema import ErrorRecord, Record, dumps
from . import charts
from .highlight import Highlight, render_text, spans_of
from .palette import label_css, verdict_css
from .stats import CERTAINTIES, SECTION_KINDS, Stats, mentions, where

# Written into every report folder: only a folder holding it is ever replaced. Looking at
# the names in a folder is not enough (a user's docs/ is not a report's docs/).
MARKER = ".claimx-report"
# The document table's columns: (data-col, heading, numeric).
DOC_COLUMNS = [
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
        for _, err in read_models(path, ErrorRecord):
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


# ------------------------------------------------------------------------- templates


class _Continued(Extension):
    """A template line that starts with spaces or tabs, or with a closing tag, continues the line above:
    the line break and the indentation are dropped before Jinja reads the template. So a template is laid
    out as a tree while the page has no white space between tags (in the ``pre-wrap`` sections white space
    would be text); any other line at column 0 starts a line of the page, and ``{{ "\\n" }}`` writes a
    line break where a closing tag must start one (``</main>``)."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return re.sub(r"\n[ \t]+|\n(?=</)", "", source)


def _finalize(value: object) -> object:
    """Every ``{{ value }}`` before autoescaping: plain values are escaped here with :func:`html.escape`, the
    spelling of :func:`.markup.esc` (``&quot;``, ``&#x27;``; markupsafe writes ``&#34;``, ``&#39;``), so the
    pages have one spelling whichever side wrote a value. None is refused: a template tests for it."""
    if type(value) is str:
        return Markup(html.escape(value, quote=True))  # Markup: escaped just now
    if type(value) is int or hasattr(value, "__html__"):
        return value  # a number needs no escaping
    if value is None:
        raise TypeError("None in a report template; test for it (is none) instead")
    return Markup(html.escape(str(value), quote=True))


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("claimx.output.report", "templates"),
        autoescape=select_autoescape(["html.j2"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        finalize=_finalize,
        keep_trailing_newline=True,  # base.html.j2 ends the page with a line break
        extensions=[_Continued],
    )
    env.globals.update(version=__version__, where=where, is_web=_is_web)
    return env


def _template(name: str) -> Template:
    return environment().get_template(name)


@cache
def _static(name: str) -> Markup:
    """A file of ``static/``, to inline in a page. Markup: the package's own CSS or script, not HTML text
    (escaping would break it); it holds no ``</style>`` or ``</script>``."""
    return Markup(files("claimx.output.report").joinpath("static", name).read_text(encoding="utf-8"))


def _is_web(url: str) -> bool:
    """Whether a web address is shown as a link; anything but http(s) (say ``javascript:``) stays plain text."""
    return re.match(r"https?://", url, re.IGNORECASE) is not None


def _page_context(stats: Stats, title: str, *, script: bool = False) -> dict[str, object]:
    return {
        "title": title,
        "stats": stats,
        "colours": stats.colours,
        "css": _static("report.css"),
        "js": _static("report.js") if script else "",
        "script": script,
        # Markup: CSS rules written from the code's colour tables (hex colours, class names, numbers).
        "verdict_css": Markup(verdict_css()),
        "label_css": Markup(label_css(stats.colours)),
    }


# ----------------------------------------------------------------------------- pages


def index_page(stats: Stats, source: str | None, errors_source: str | None) -> Iterator[str]:
    """The index page in pieces: the rows of the document table one by one, so the page is never whole in memory."""
    n_docs, totals = len(stats.docs), stats.totals
    cards = [
        ("documents", "documents processed", n_docs + len(stats.errors), "records + error records"),
        ("records", "records", n_docs, None),
        ("errors", "error records", len(stats.errors), None),
        ("sections", "sections", totals["sections"], None),
        ("citations", "citation markers", totals["citations"], None),
        ("claims", "claims", totals["claims"], None),
        ("mentions", "tactic mentions", sum(stats.labels.values()), None),
        ("warnings", "warnings", totals["warnings"], None),
    ]
    return _template("index.html.j2").generate(
        **_page_context(stats, f"claimx report \u2013 {source or 'records'}", script=True),
        source=source or "records",
        cards=cards,
        kinds=[*SECTION_KINDS, *sorted(set(stats.kinds) - set(SECTION_KINDS))],
        certainties=CERTAINTIES,
        n_claims=sum(stats.certainty.values()),
        totals=totals,
        certainty_bar=charts.certainty_bar(stats),
        verdict_chart=charts.verdict_chart(stats),
        tactic_chart=charts.tactic_chart(stats),
        timeline_chart=charts.timeline_chart(stats),
        top_rules=stats.top_rules(),
        doc_columns=DOC_COLUMNS,
        errors_where=f"from {errors_source}" if errors_source else "no errors file was read",
        schemas=", ".join(sorted(stats.schemas)) or "-",
    )


@dataclass(frozen=True)
class _Block:
    """A piece of a document page's text: a section, or text outside every section (``section`` None)."""

    section: object
    html: Markup


def document_page(record: Record, stats: Stats, prev_id: str | None, next_id: str | None) -> str:
    doc_mentions = Counter(m.label for m in mentions(record))
    counts = [
        ("sections", len(record.sections)),
        ("citations", len(record.citations)),
        ("references", len(record.references)),
        ("claims", len(record.claims)),
        ("mentions", sum(doc_mentions.values())),
        ("warnings", len(record.warnings)),
    ]
    return _template("document.html.j2").render(
        **_page_context(stats, f"{record.title or record.doc_id} \u2013 claimx"),
        record=record,
        prev_id=prev_id,
        next_id=next_id,
        blocks=_blocks(record, stats) if record.text is not None else [],
        counts=counts,
        doc_mentions=sorted(doc_mentions.items()),
        kinds={s.id: s.kind for s in record.sections},
    )


def _blocks(record: Record, stats: Stats) -> list[_Block]:
    """The text in its sections, highlighted, with the text between or after sections as blocks of their own."""
    text = record.text
    assert text is not None
    spans = spans_of(record, stats.colours)
    blocks, pos = [], 0
    for s in record.sections:
        if text[pos : s.start].strip():
            blocks.append(_gap_block(text, spans, stats, pos, s.start))
        blocks.append(_Block(s, render_text(text, spans, stats.colours, s.start, s.end)))
        pos = max(pos, s.end)
    if text[pos:].strip():
        blocks.append(_gap_block(text, spans, stats, pos, len(text)))
    return blocks


def _gap_block(text: str, spans: list[Highlight], stats: Stats, lo: int, hi: int) -> _Block:
    while lo < hi and text[lo].isspace():
        lo += 1
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    return _Block(None, render_text(text, spans, stats.colours, lo, hi))


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
        if stats.duplicate is not None:
            raise ReportError(f"duplicate doc_id {stats.duplicate!r}: each document needs its own page")
        with _staged(Path(out_dir)) as site:
            _write(site / MARKER, [f"claimx {__version__} report\n"])
            _write(site / "index.html", _buffered(index_page(stats, source, errors_source)))
            pages = 0
            for pages, rec in enumerate(again(), 1):  # noqa: B007 - the count is read after the loop
                try:
                    neighbours = stats.neighbours(rec.doc_id)
                except KeyError:
                    raise ReportError(
                        f"doc_id {rec.doc_id!r} was not there on the first reading: the records changed"
                    ) from None
                page = document_page(rec, stats, *neighbours)
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


def _buffered(pieces: Iterable[str], size: int = 1 << 16) -> Iterator[str]:
    """``pieces`` (Jinja's many small strings) joined into strings of about ``size`` characters."""
    buf: list[str] = []
    held = 0
    for piece in pieces:
        buf.append(piece)
        held += len(piece)
        if held >= size:
            yield "".join(buf)
            buf, held = [], 0
    if buf:
        yield "".join(buf)


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
