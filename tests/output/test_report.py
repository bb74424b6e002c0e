"""The HTML report (claimx.output.report, `claimx report`): counts, highlights, robustness, and a real browser.

Expected values are computed here from the records, never taken from the report code.
Pages are parsed with the standard library's html.parser; the browser test renders
them in headless Chromium and writes screenshots to outputs/.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import weakref
import zlib
from collections import Counter, defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimx.cli.main import app
from claimx.errors import ConfigError
from claimx.io.source import Source
from claimx.output.report.build import build_report
from claimx.output.report.stats import page_name
from claimx.records.io import read_records
from claimx.records.schema import Claim, ErrorRecord, Hedge, Mention, Quantity, Record, Section, dumps
from tests.conftest import ROOT

runner = CliRunner()
CORPUS = ROOT / "corpora"


# ------------------------------------------------------------------ an HTML tree


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        want = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
        return [
            n
            for n in self.iter()
            if (tag is None or n.tag == tag) and all(n.attrs.get(k) == v for k, v in want.items())
        ]

    def by_id(self, node_id: str) -> Node:
        (node,) = self.find_all(id=node_id)
        return node

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Builder(HTMLParser):
    """Builds a tree and fails on any end tag that does not close the open element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = self.cur = Node("#root", {}, None)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, dict(attrs), self.cur))

    def handle_endtag(self, tag):
        assert self.cur.tag == tag, f"</{tag}> closes <{self.cur.tag}>"
        self.cur = self.cur.parent

    def handle_data(self, data):
        self.cur.children.append(data)


def parse(source: str | Path) -> Node:
    builder = _Builder()
    builder.feed(source.read_text(encoding="utf-8") if isinstance(source, Path) else source)
    builder.close()
    assert builder.cur is builder.root, f"<{builder.cur.tag}> never closed"
    return builder.root


def count(root: Node, node_id: str) -> int:
    return int(root.by_id(node_id).attrs["data-count"])


def groups(article: Node, kind: str) -> dict[tuple, str]:
    """Highlighted elements of one kind, pieces joined: (data-start, data-end, label/rule...) -> text."""
    out: dict[tuple, list[Node]] = defaultdict(list)
    for n in article.find_all(data_kind=kind):
        key = (int(n.attrs["data-start"]), int(n.attrs["data-end"]), n.attrs.get("data-label"), n.attrs["data-rule"])
        out[key].append(n)
    for key, nodes in out.items():
        assert not any(p in nodes for n in nodes for p in _ancestors(n)), f"{key}: a piece inside its own span"
    return {key: "".join(n.text() for n in nodes) for key, nodes in out.items()}


def _ancestors(node: Node):
    while node.parent is not None:
        node = node.parent
        yield node


# -------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def records(corpus_records) -> list[Record]:
    return corpus_records


@pytest.fixture(scope="module")
def site(records, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "report"
    summary = build_report(records, [], out, source="claims.jsonl")
    assert (summary.documents, summary.errors, summary.pages) == (len(records), 0, len(records))
    return out


@pytest.fixture(scope="module")
def index(site) -> Node:
    return parse(site / "index.html")


def doc_page(site: Path, index: Node, doc_id: str) -> Path:
    (row,) = index.by_id("documents").find_all("tr", data_doc=doc_id)
    (link,) = row.find_all("a")
    return site / link.attrs["href"]


# ------------------------------------------------------------------ index page


def test_index_counts_equal_record_counts(records, index):
    assert count(index, "count-records") == len(records)
    assert count(index, "count-errors") == 0
    assert count(index, "count-documents") == len(records)
    assert count(index, "count-citations") == sum(len(r.citations) for r in records)
    assert count(index, "count-claims") == sum(len(r.claims) for r in records)
    assert count(index, "count-sections") == sum(len(r.sections) for r in records)
    kinds = Counter(s.kind for r in records for s in r.sections)
    shown_kinds = {
        n.attrs["data-kind"]: int(n.attrs["data-count"])
        for n in index.by_id("sections-by-kind").find_all("tr")
        if "data-kind" in n.attrs
    }
    assert {k: v for k, v in shown_kinds.items() if v} == dict(kinds)
    certainty = Counter(k.certainty for r in records for k in r.claims)
    assert set(certainty) <= {"asserted", "hedged", "negated"}
    for c in ("asserted", "hedged", "negated"):
        row = index.by_id(f"certainty-{c}")
        assert int(row.attrs["data-count"]) == certainty[c]
        assert str(certainty[c]) in row.text()


def test_tactic_chart_bars_equal_label_totals(records, index):
    totals = Counter(m.label for r in records for k in r.claims for m in k.tactics)
    assert totals, "the corpus names tactics"
    bars = index.by_id("tactic-chart").find_all("g", class_="bar")
    shown = {b.attrs["data-label"]: int(b.attrs["data-count"]) for b in bars}
    assert shown == dict(totals)
    for b in bars:  # the label and the number are written next to the bar
        assert b.attrs["data-label"] in b.text() and b.attrs["data-count"] in b.text()
    widths = [float(b.find_all("rect")[0].attrs["width"]) for b in bars]
    counts = [int(b.attrs["data-count"]) for b in bars]
    assert counts == sorted(counts, reverse=True)
    assert widths == sorted(widths, reverse=True)


def test_verdict_chart_counts_documents_per_class(records, index):
    totals = Counter(r.verdict.label if r.verdict else "not read" for r in records)
    assert len(totals) >= 5, "the corpus covers the verdict classes"
    bars = index.by_id("verdict-chart").find_all("g", class_="bar")
    shown = {b.attrs["data-verdict"]: int(b.attrs["data-count"]) for b in bars}
    assert {k: n for k, n in shown.items() if n} == dict(totals)
    assert list(shown) == ["true", "partly_true", "misleading", "false", "unsupported", "none", "not read"]
    months = Counter(
        (r.checked_on.isoformat()[:7] if r.checked_on else "undated", r.verdict.label if r.verdict else "not read")
        for r in records
    )
    rows = [row for row in index.by_id("verdicts-by-month").find_all("tr") if "data-month" in row.attrs]
    cells = {}
    for row in rows:
        for v, td in zip(shown, row.find_all("td")[1:], strict=True):
            if td.text():
                cells[row.attrs["data-month"], v] = int(td.text())
    assert cells == dict(months)


def test_document_page_outlines_its_verdict_phrase(records, site, index):
    rated = [r for r in records if r.verdict is not None]
    assert rated
    for rec in rated:
        page = parse(doc_page(site, index, rec.doc_id))
        (span,) = [n for n in page.by_id("text").find_all("span") if "verdict" in n.classes()]
        assert span.text() == rec.verdict.text and span.attrs["data-verdict"] == rec.verdict.label
        assert page.by_id("doc-verdict").attrs["data-verdict"] == rec.verdict.label


def test_timeline_cells_add_up_per_label_and_month(records, index):
    chart = index.by_id("timeline-chart")
    assert chart.attrs["data-by"] == "month"  # the corpus has checked_on dates
    cells = Counter()
    for cell in chart.find_all("rect", class_="cell"):
        cells[(cell.attrs["data-col"], cell.attrs["data-label"])] += int(cell.attrs["data-count"])
    expected = Counter()
    for r in records:
        month = f"{r.checked_on.year:04d}-{r.checked_on.month:02d}" if r.checked_on else "undated"
        for k in r.claims:
            for m in k.tactics:
                expected[(month, m.label)] += 1
    assert +cells == expected


def test_timeline_falls_back_to_documents_without_dates(records, tmp_path):
    undated = [r.model_copy(update={"checked_on": None}) for r in records[:3]]
    build_report(undated, [], tmp_path / "r")
    chart = parse(tmp_path / "r" / "index.html").by_id("timeline-chart")
    assert chart.attrs["data-by"] == "document"
    cols = {c.attrs["data-col"] for c in chart.find_all("rect", class_="cell")}
    assert cols == {r.doc_id for r in undated}


def test_top_rules_table(records, index):
    hits = Counter((m.rule_id, m.label) for r in records for k in r.claims for m in k.tactics)
    docs = Counter(key for r in records for key in {(m.rule_id, m.label) for k in r.claims for m in k.tactics})
    rows = [n for n in index.by_id("top-rules").find_all("tr") if "data-rule" in n.attrs]
    assert rows
    shown = [
        (n.attrs["data-rule"], n.attrs["data-label"], int(n.attrs["data-hits"]), int(n.attrs["data-docs"]))
        for n in rows
    ]
    for rule, label, n_hits, n_docs in shown:
        assert (n_hits, n_docs) == (hits[(rule, label)], docs[(rule, label)])
    assert [s[2] for s in shown] == sorted((s[2] for s in shown), reverse=True)
    assert shown[0][2] == max(hits.values())


def test_document_list_has_a_row_and_a_page_per_record(records, site, index):
    table = index.by_id("documents")
    assert "sortable" in table.classes()
    rows = [n for n in table.find_all("tr") if "data-doc" in n.attrs]
    assert sorted(n.attrs["data-doc"] for n in rows) == sorted(r.doc_id for r in records)
    by_id = {r.doc_id: r for r in records}
    pages = set()
    for row in rows:
        rec = by_id[row.attrs["data-doc"]]
        cells = [c for c in row.children if isinstance(c, Node)]
        assert cells[0].text() == rec.doc_id
        numbers = [int(c.attrs["data-sort"]) for c in cells if "data-sort" in c.attrs]
        assert numbers == [
            len(rec.sections),
            len(rec.citations),
            len(rec.claims),
            sum(len(k.tactics) for k in rec.claims),
            len(rec.warnings),
        ]
        page = doc_page(site, index, rec.doc_id)
        assert page.is_file() and page.parent == site / "docs"
        pages.add(page.name)
    assert len(pages) == len(records)
    assert sorted(p.name for p in (site / "docs").iterdir()) == sorted(pages)


# ------------------------------------------------------------------ document pages


def test_every_span_of_every_record_is_highlighted(records, site, index):
    for rec in records:
        page = parse(doc_page(site, index, rec.doc_id))
        article = page.by_id("text")
        mentions = {(m.start, m.end, m.label, m.rule_id): m.text for k in rec.claims for m in k.tactics}
        assert groups(article, "tactic") == mentions, rec.doc_id
        for mark in article.find_all(data_kind="tactic"):
            assert mark.tag == "mark"
            assert mark.attrs["data-label"] in mark.attrs["title"] and mark.attrs["data-rule"] in mark.attrs["title"]
        markers = {(c.start, c.end, None, c.rule_id): c.text for c in rec.citations}
        assert groups(article, "citation") == markers, rec.doc_id
        for cue in ("hedge", "negation"):
            want = {(h.start, h.end, None, h.rule_id): h.text for k in rec.claims for h in k.hedges if h.cue == cue}
            assert groups(article, cue) == want, (rec.doc_id, cue)
        quantities = {(q.start, q.end, None, q.rule_id): q.text for k in rec.claims for q in k.quantities}
        assert groups(article, "quantity") == quantities, rec.doc_id
        # sections are blocks with their kind, and together show the text exactly once
        blocks = [n for n in article.find_all("section") if "data-section" in n.attrs]
        assert [(b.attrs["data-section"], b.attrs["data-kind"]) for b in blocks] == [
            (s.id, s.kind) for s in rec.sections
        ]
        for block, sec in zip(blocks, rec.sections, strict=False):
            (body,) = [n for n in block.find_all("div") if "sec-text" in n.classes()]
            assert body.text() == rec.text[sec.start : sec.end]
            assert sec.kind in block.text()[: 40 + len(sec.kind)]
        # claims table: one row per claim, with its labels and refs
        rows = [n for n in page.by_id("claims-table").find_all("tr") if "data-claim" in n.attrs] if rec.claims else []
        assert [r.attrs["data-claim"] for r in rows] == [k.id for k in rec.claims]
        for row, claim in zip(rows, rec.claims, strict=False):
            assert [c.attrs["data-label"] for c in row.iter() if "data-label" in c.attrs] == [
                m.label for m in claim.tactics
            ]
            assert row.attrs["data-certainty"] == claim.certainty
            assert claim.text in row.text()
        legend = {n.attrs["data-label"] for n in page.by_id("legend").find_all("li")}
        assert legend == {m.label for k in rec.claims for m in k.tactics}


def test_label_colours_are_consistent_and_distinct(records, site, index):
    labels = sorted({m.label for r in records for k in r.claims for m in k.tactics})
    css = (site / "index.html").read_text(encoding="utf-8")
    rules = dict(re.findall(r"\.(lab-\d+)\{(--c:#[0-9a-f]{6};--t:#[0-9a-f]{6})\}", css))
    assert len(rules) == len(labels) and len(set(rules.values())) == len(labels)
    seen: dict[str, str] = {}
    for rec in records:
        for mark in parse(doc_page(site, index, rec.doc_id)).by_id("text").find_all("mark"):
            cls = next(c for c in mark.classes() if c.startswith("lab-"))
            assert seen.setdefault(mark.attrs["data-label"], cls) == cls  # one class per label on every page
    assert len(set(seen.values())) == len(seen)


def test_pages_are_self_contained(site):
    for page in [site / "index.html", *sorted((site / "docs").iterdir())]:
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"\ssrc\s*=", html), page  # nothing is loaded: no images, scripts or frames
        assert "<link" not in html and "@import" not in html and "url(" not in html
        assert "Content-Security-Policy" in html


# ------------------------------------------------------------------ determinism


def test_same_records_give_identical_bytes(records, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    build_report(records, [], a)
    build_report(list(reversed(records)), [], b)  # input order does not matter either
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert files_a == files_b
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_a_generator_of_records_is_read_once_and_no_record_is_kept(records, site, tmp_path):
    handed_out: list[weakref.ref] = []

    def one_by_one():
        for rec in records:
            held = sum(ref() is not None for ref in handed_out)
            assert held <= 2, f"{held} earlier records are still held"
            copy = rec.model_copy()
            handed_out.append(weakref.ref(copy))
            yield copy

    build_report(one_by_one(), iter([]), tmp_path / "r", source="claims.jsonl")
    files = sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(tmp_path / "r") for p in (tmp_path / "r").rglob("*") if p.is_file())
    for rel in files:
        assert (site / rel).read_bytes() == (tmp_path / "r" / rel).read_bytes(), rel


def test_page_names_are_safe_unique_and_stable():
    ids = ["a/b", "a_b", "a:b", "a b", "../../etc/passwd", "", "ü", "x" * 300, "CON", "A/B", ".hidden", "a\\b"]
    names = [page_name(d) for d in ids]
    assert len(set(names)) == len(ids)
    assert len({n.lower() for n in names}) == len(ids)  # also on case-insensitive file systems
    for n in names:
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*\.html", n) and len(n) < 100, n
    assert names == [page_name(d) for d in ids]


# ------------------------------------------------------------------ robustness


def test_record_without_text_gets_a_row_and_a_page(records, tmp_path):
    rec = next(r for r in records if r.claims and r.citations)
    bare = rec.model_copy(update={"text": None})
    build_report([bare], [], tmp_path / "r")
    index = parse(tmp_path / "r" / "index.html")
    assert [n.attrs["data-doc"] for n in index.by_id("documents").find_all("tr") if "data-doc" in n.attrs] == [
        rec.doc_id
    ]
    page = parse(doc_page(tmp_path / "r", index, rec.doc_id))
    assert "--no-text" in page.by_id("no-text").text()
    assert page.by_id("text").attrs["data-text"] == "none"
    assert not page.find_all("mark") and not page.find_all(data_kind="citation")
    assert [b.attrs["data-section"] for b in page.find_all("section") if "data-section" in b.attrs] == [
        s.id for s in rec.sections
    ]
    rows = [n for n in page.by_id("claims-table").find_all("tr") if "data-claim" in n.attrs]
    assert len(rows) == len(rec.claims)


def _tiny_record() -> Record:
    """Spans that cross: two labels overlapping without nesting, a quantity across a mention's end,
    a hedge right after a mention, and a marker."""
    text = "Officers ran joint sting raids on 12 sites, reportedly [1].\n"
    sentence = text.rstrip("\n")

    def at(phrase: str, nth: int = 0) -> tuple[int, int]:
        start = -1
        for _ in range(nth + 1):
            start = text.index(phrase, start + 1)
        return start, start + len(phrase)

    def mention(label: str, phrase: str, rule: str) -> Mention:
        s, e = at(phrase)
        return Mention(label=label, text=phrase, start=s, end=e, rule_id=rule)

    tactics = [
        mention("ALPHA", "joint sting", "t.alpha.001"),
        mention("BETA", "sting raids on 12", "t.beta.001"),
        mention("GAMMA", "raids", "t.gamma.001"),
    ]
    qs, qe = at("12 sites")
    hs, he = at("reportedly")
    cs, ce = at("[1]")
    claim = Claim(
        id="k1",
        section_id="s1",
        kind="tactic",
        text=sentence,
        start=0,
        end=len(sentence),
        citation_ids=["c1"],
        citation_refs=[1],
        tactics=tactics,
        quantities=[Quantity(text="12 sites", value=12, unit="sites", start=qs, end=qe, rule_id="q.count")],
        hedges=[Hedge(cue="hedge", text="reportedly", start=hs, end=he, rule_id="cue.h")],
        certainty="hedged",
        actors=[],
    )
    return Record.model_validate(
        {
            "doc_id": "odd/id: with spaces & <tags>",
            "source": {"path": "<test>", "format": "txt", "url": "javascript:alert(1)"},
            "title": "A <b>title</b> & more",
            "checked_on": None,
            "layout": "unsectioned",
            "text": text,
            "sections": [
                Section(
                    id="s1",
                    kind="body",
                    number=None,
                    heading=None,
                    start=0,
                    end=len(sentence),
                    heading_start=None,
                    heading_end=None,
                    rule_id=None,
                ).model_dump()
            ],
            "citations": [
                {
                    "id": "c1",
                    "text": "[1]",
                    "refs": [1],
                    "start": cs,
                    "end": ce,
                    "section_id": "s1",
                    "sentence_start": 0,
                    "sentence_end": len(sentence),
                    "rule_id": "marker.bracket",
                }
            ],
            "references": [],
            "claims": [claim.model_dump()],
            "warnings": [],
        }
    )


def test_overlapping_spans_all_stay_visible(tmp_path):
    rec = _tiny_record()
    build_report([rec], [], tmp_path / "r")
    index = parse(tmp_path / "r" / "index.html")
    page_path = doc_page(tmp_path / "r", index, rec.doc_id)
    raw = page_path.read_text(encoding="utf-8")
    assert "<b>" not in raw and "&lt;b&gt;title&lt;/b&gt; &amp; more" in raw  # escaped, never markup
    assert 'href="javascript' not in raw.lower() and "javascript:alert(1)" in raw  # shown, not linked
    article = parse(page_path).by_id("text")
    want = {(m.start, m.end, m.label, m.rule_id): m.text for m in rec.claims[0].tactics}
    assert groups(article, "tactic") == want
    beta = [n for n in article.find_all("mark") if n.attrs["data-label"] == "BETA"]
    assert len(beta) > 1, "a mark crossing another is split into pieces"
    assert groups(article, "quantity") == {(*_span(rec, "12 sites"), None, "q.count"): "12 sites"}
    assert groups(article, "hedge") == {(*_span(rec, "reportedly"), None, "cue.h"): "reportedly"}
    assert groups(article, "citation") == {(*_span(rec, "[1]"), None, "marker.bracket"): "[1]"}
    # a mark inside a mark of another label carries the outer label in its title and a second underline
    inner = [n for n in article.find_all("mark") if any(a.tag == "mark" for a in _ancestors(n))]
    assert inner and all("within" in n.attrs["title"] and "box-shadow" in n.attrs["style"] for n in inner)
    (block,) = [n for n in article.find_all("div") if "sec-text" in n.classes()]
    assert block.text() == rec.text[: rec.sections[0].end]


def _span(rec: Record, phrase: str) -> tuple[int, int]:
    start = rec.text.index(phrase)
    return start, start + len(phrase)


# ------------------------------------------------------------------ CLI


@pytest.fixture
def claims_file(records, tmp_path) -> Path:
    path = tmp_path / "claims.jsonl"
    path.write_text("".join(dumps(r) + "\n" for r in records[:4]), encoding="utf-8")
    return path


def test_cli_reads_the_errors_file_beside_the_output(claims_file, tmp_path):
    err = ErrorRecord(
        doc_id="bad.bin",
        source=Source(path="in/bad.bin", format="txt"),
        code="E101",
        message="in/bad.bin: not a text document (NUL bytes)",
    )
    (tmp_path / "claims.errors.jsonl").write_text(dumps(err) + "\n", encoding="utf-8")
    out = tmp_path / "site"
    result = runner.invoke(app, ["report", str(claims_file), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "4 documents, 1 error records" in result.stderr
    index = parse(out / "index.html")
    assert (count(index, "count-records"), count(index, "count-errors"), count(index, "count-documents")) == (4, 1, 5)
    (row,) = index.by_id("error-records").find_all("tr", data_code="E101")
    assert "bad.bin" in row.text() and "NUL bytes" in row.text()
    assert len(list((out / "docs").iterdir())) == 4


def test_cli_empty_output_file(tmp_path):
    empty = tmp_path / "claims.jsonl"
    empty.write_text("", encoding="utf-8")
    result = runner.invoke(app, ["report", str(empty), "-o", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    index = parse(tmp_path / "site" / "index.html")
    assert count(index, "count-records") == count(index, "count-claims") == 0
    assert index.by_id("tactic-chart").tag == "p"  # a note instead of an empty chart
    assert list((tmp_path / "site" / "docs").iterdir()) == []


def test_cli_input_errors_name_the_file_and_line(claims_file, tmp_path):
    missing = runner.invoke(app, ["report", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "s")])
    assert missing.exit_code == 2 and "nope.jsonl" in missing.stderr and "E004" in missing.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text(claims_file.read_text(encoding="utf-8").splitlines()[0] + "\n{not json\n", encoding="utf-8")
    result = runner.invoke(app, ["report", str(bad), "-o", str(tmp_path / "s")])
    assert result.exit_code == 2 and f"{bad}:2: invalid JSON" in result.stderr
    wrong = tmp_path / "wrong.jsonl"
    wrong.write_text('{"doc_id": "x"}\n', encoding="utf-8")
    result = runner.invoke(app, ["report", str(wrong), "-o", str(tmp_path / "s")])
    assert result.exit_code == 2 and f"{wrong}:1: not a claimx Record" in result.stderr
    dup = tmp_path / "dup.jsonl"
    line = claims_file.read_text(encoding="utf-8").splitlines()[0]
    dup.write_text(f"{line}\n\n{line}\n", encoding="utf-8")
    result = runner.invoke(app, ["report", str(dup), "-o", str(tmp_path / "s")])
    assert result.exit_code == 2 and f"{dup}:3: duplicate doc_id" in result.stderr and "line 1" in result.stderr
    no_errors = runner.invoke(
        app, ["report", str(claims_file), "--errors", str(tmp_path / "e.jsonl"), "-o", str(tmp_path / "s")]
    )
    assert (
        no_errors.exit_code == 2
        and f"{tmp_path / 'e.jsonl'}: errors file (--errors) does not exist" in no_errors.stderr
    )
    folder = runner.invoke(app, ["report", str(tmp_path), "-o", str(tmp_path / "s")])  # a folder is read whole
    assert folder.exit_code == 2 and f"{bad}:2: invalid JSON" in folder.stderr
    assert not (tmp_path / "s").exists(), "nothing is written on an input error"


def test_the_output_file_is_read_lazily(claims_file, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(claims_file.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    reader = read_records(bad)
    assert iter(reader) is reader, "an iterator, not a list"
    assert [next(reader) for _ in range(4)], "records come before the broken line is read"
    with pytest.raises(ConfigError, match=f"{re.escape(str(bad))}:5: invalid JSON"):
        next(reader)


def test_cli_a_bad_last_line_writes_nothing(claims_file, tmp_path):
    out = tmp_path / "site"
    assert runner.invoke(app, ["report", str(claims_file), "-o", str(out), "-q"]).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    lines = claims_file.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([*lines, lines[0][:200]]) + "\n", encoding="utf-8")  # the last line cut short
    for target in (out, tmp_path / "new" / "site"):
        result = runner.invoke(app, ["report", str(bad), "-o", str(target)])
        assert result.exit_code == 2 and f"{bad}:5: invalid JSON" in result.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before, "the earlier report is kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl", "claims.jsonl", "site"], (
        "no temporary folder is left and no new folder is made"
    )


def test_cli_replaces_a_report_but_no_other_folder(claims_file, tmp_path):
    out = tmp_path / "site"
    assert runner.invoke(app, ["report", str(claims_file), "-o", str(out), "-q"]).exit_code == 0
    stale = out / "docs" / "stale.html"
    stale.write_text("old", encoding="utf-8")
    first = (out / "index.html").read_bytes()
    result = runner.invoke(app, ["report", str(claims_file), "-o", str(out)])
    assert result.exit_code == 0 and not stale.exists() and (out / "index.html").read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims.jsonl", "site"], "temporary folders are removed"
    result = runner.invoke(app, ["report", str(claims_file), "-o", str(tmp_path)])  # holds claims.jsonl
    assert result.exit_code == 2 and "not a claimx report folder" in result.stderr
    assert claims_file.exists()


# ------------------------------------------------------------------ a real browser

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]
WIDTH, HEIGHT = 1280, 2000


def _find_chromium() -> str | None:
    return shutil.which("chromium") or ("/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None)


@pytest.fixture(scope="session")
def chromium() -> str:
    exe = _find_chromium()
    if exe is None and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "--no-install-recommends", "chromium"]
        try:
            if subprocess.run(install, capture_output=True, env=env, timeout=900).returncode != 0:
                subprocess.run(["apt-get", "update"], capture_output=True, env=env, timeout=600)
                subprocess.run(install, capture_output=True, env=env, timeout=900)
        except (OSError, subprocess.TimeoutExpired):
            pass
        exe = _find_chromium()
    if exe is None:
        pytest.skip(
            "headless Chromium is not installed and could not be installed "
            "(needs root and apt-get: apt-get install -y chromium)"
        )
    return exe


def _browse(exe: str, tmp: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    result = subprocess.run(
        [exe, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def _png_check(path: Path, *, width: int, height: int, colours: set[tuple[int, int, int]]) -> set:
    """Check the PNG header and size, then decode rows (stdlib zlib) until every colour in ``colours``
    and at least 16 distinct colours have been seen; return the expected colours seen."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, ihdr = 8, bytearray(), None
    while pos < len(data):
        (size,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + size]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + size
    w, h, depth, ctype, _, _, interlace = ihdr
    assert (w, h) == (width, height)
    assert depth == 8 and ctype in (2, 6) and interlace == 0, ihdr
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompressobj()
    buf, stride = bytearray(), w * bpp + 1
    prev = bytearray(w * bpp)
    seen_all, found = set(), set()
    chunks = (bytes(idat[i : i + 65536]) for i in range(0, len(idat), 65536))
    for chunk in chunks:
        buf += raw.decompress(chunk)
        while len(buf) >= stride:
            ftype, row = buf[0], bytearray(buf[1:stride])
            del buf[:stride]
            for i in range(len(row)):
                left = row[i - bpp] if i >= bpp else 0
                up = prev[i]
                if ftype == 1:
                    row[i] = (row[i] + left) & 255
                elif ftype == 2:
                    row[i] = (row[i] + up) & 255
                elif ftype == 3:
                    row[i] = (row[i] + ((left + up) >> 1)) & 255
                elif ftype == 4:
                    ul = prev[i - bpp] if i >= bpp else 0
                    p = left + up - ul
                    pa, pb, pc = abs(p - left), abs(p - up), abs(p - ul)
                    row[i] = (row[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else ul)) & 255
            pixels = {tuple(row[i : i + 3]) for i in range(0, len(row), bpp)}
            seen_all |= pixels
            found |= pixels & colours
            prev = row
            if found == colours and len(seen_all) >= 16:
                return found
    assert len(seen_all) >= 16, f"{path.name}: only {len(seen_all)} colours, the page looks blank"
    return found


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


def test_report_in_headless_chromium(chromium, records, site, index, tmp_path):
    # the index after its script ran: #sort=-claims sorts the document table by claims, descending
    dom = parse(_browse(chromium, tmp_path, "--dump-dom", (site / "index.html").as_uri() + "#sort=-claims").stdout)
    table = dom.by_id("documents")
    (th,) = table.find_all("th", data_col="claims")
    assert th.attrs.get("aria-sort") == "descending", "the sort script ran"
    order = [n.attrs["data-doc"] for n in table.find_all("tr") if "data-doc" in n.attrs]
    assert order == [r.doc_id for r in sorted(records, key=lambda r: (-len(r.claims), r.doc_id))]
    assert count(dom, "count-records") == len(records)
    bars = {
        b.attrs["data-label"]: int(b.attrs["data-count"])
        for b in dom.by_id("tactic-chart").find_all("g")
        if "data-label" in b.attrs
    }
    assert bars == dict(Counter(m.label for r in records for k in r.claims for m in k.tactics))

    # a document page as the browser built it: every mention is still one highlighted run of its text
    rec = max(records, key=lambda r: (len({m.label for k in r.claims for m in k.tactics}), r.doc_id))
    page = doc_page(site, index, rec.doc_id)
    dom = parse(_browse(chromium, tmp_path, "--dump-dom", page.as_uri()).stdout)
    want = {(m.start, m.end, m.label, m.rule_id): m.text for k in rec.claims for m in k.tactics}
    assert groups(dom.by_id("text"), "tactic") == want
    assert groups(dom.by_id("text"), "citation") == {(c.start, c.end, None, c.rule_id): c.text for c in rec.citations}

    # screenshots for people (outputs/ is not tracked); each must be a real, coloured page
    outputs = ROOT / "outputs"
    outputs.mkdir(exist_ok=True)
    css = (site / "index.html").read_text(encoding="utf-8")
    strong = dict(re.findall(r"\.(lab-\d+)\{--c:(#[0-9a-f]{6});", css))
    tint = dict(re.findall(r"\.(lab-\d+)\{--c:#[0-9a-f]{6};--t:(#[0-9a-f]{6})\}", css))
    top_bars = [b for b in index.by_id("tactic-chart").find_all("g") if "data-label" in b.attrs][:3]
    bar_colours = {_rgb(b.find_all("rect")[0].attrs["fill"]) for b in top_bars}
    shots = [(site / "index.html", outputs / "report-index.png", bar_colours)]
    marks = parse(page).by_id("text").find_all("mark")
    first_labels = list(dict.fromkeys(next(c for c in m.classes() if c.startswith("lab-")) for m in marks))[:2]
    shots.append((page, outputs / "report-doc.png", {_rgb(tint[c]) for c in first_labels}))
    assert strong and len(first_labels) == 2
    for html_file, png, colours in shots:
        png.unlink(missing_ok=True)
        _browse(chromium, tmp_path, f"--screenshot={png}", f"--window-size={WIDTH},{HEIGHT}", html_file.as_uri())
        found = _png_check(png, width=WIDTH, height=HEIGHT, colours=colours)
        assert found == colours, f"{png.name}: label colours {colours - found} not on screen"
