"""Web pages (corpora/web/) read as their plain-text renderings are: same title, date, sections, markers, claims.

Each page in ``corpora/web/`` is one article of ``corpora/articles/`` (same stem) put in a
site template with its chrome. The page marks its chrome with ``data-chrome`` and what
must not be read with ``data-hidden-test`` — test annotations only: claimx never looks
at them (a test below checks that the reader's settings do not name them).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import lxml.html
import pytest

from claimx.config.settings import load_config
from claimx.io.readers import read_inputs
from claimx.run.extractor import Extractor

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "corpora" / "web"
PAGES = sorted(WEB.glob("*.html"))
SETTINGS = load_config().settings.input
CONTENT = {"title", "summary", "body", "references"}


@cache
def extractor() -> Extractor:
    return Extractor()


def record_of(path: Path):
    (inp,) = list(read_inputs([str(path)], SETTINGS))
    (record,) = list(extractor()([inp]))
    return record


def plain_of(page: Path) -> Path:
    stem = page.stem.split("-", 1)[1]
    (txt,) = [p for p in (ROOT / "corpora" / "articles").glob(stem + ".*") if p.suffix != ".html"]
    return txt


def squash(text: str) -> str:
    """White space made single; Markdown bold marks (``<strong>`` on a page) and links (``<a>``) as their text."""
    text = re.sub(r"\[([^\]]+)\]\((?:https?://[^)\s]+)\)", r"\1", text)  # a Markdown link is a link on a page
    return " ".join(text.replace("**", "").split())


def test_four_templates_at_least():
    assert len({p.stem.split("-", 1)[0] for p in PAGES}) >= 4


@pytest.fixture(params=PAGES, ids=lambda p: p.stem)
def pair(request):
    page = request.param
    return record_of(page), record_of(plain_of(page))


def test_title_and_date_as_the_plain_text(pair):
    html, plain = pair
    assert html.title == plain.title
    # A page without a "Checked on" line is dated by its markup (<time datetime>, article:published_time).
    assert html.checked_on == plain.checked_on or (plain.checked_on is None and html.checked_on is not None)
    assert html.claim_reviewed.text == plain.claim_reviewed.text
    assert (html.verdict.label, html.verdict.text) == (plain.verdict.label, plain.verdict.text)


def test_sections_as_the_plain_text(pair):
    html, plain = pair

    def content(rec):
        return [(s.kind, s.number, s.heading) for s in rec.sections if s.kind in CONTENT]

    assert content(html) == content(plain)
    assert all(s.rule_id for s in html.sections if s.kind in CONTENT)


def test_markers_and_claims_as_the_plain_text(pair):
    html, plain = pair
    assert [(c.text, c.refs) for c in html.citations] == [(c.text, c.refs) for c in plain.citations]

    def claims(rec):
        return [
            (k.kind, squash(k.text), k.citation_refs, [(m.label, m.text) for m in k.tactics], k.certainty)
            for k in rec.claims
        ]

    assert claims(html) == claims(plain)


def test_references_as_the_plain_text_with_links(pair):
    html, plain = pair
    assert [(r.number, squash(r.text)) for r in html.references] == [
        (r.number, re.sub(r"^(?:\[\d+\]|\d+[.)])\s*", "", squash(r.text))) for r in plain.references
    ]
    assert all(r.url and r.url.startswith("http") for r in html.references)
    numbers = {r.number: r.id for r in html.references}
    for c in html.citations:  # every marker points to the entries of its numbers
        assert c.targets == [numbers[n] for n in dict.fromkeys(c.refs) if n in numbers]


def _annotated_text(page: Path, attribute: str) -> list[str]:
    tree = lxml.html.fromstring(page.read_text(encoding="utf-8"))
    pieces = []
    for el in tree.xpath(f"//*[@{attribute}]"):
        for piece in el.itertext():
            piece = squash(piece)
            if len(piece) >= 12:
                pieces.append(piece)
    return pieces


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_chrome_and_hidden_text_never_read(page):
    text = squash(record_of(page).text)
    article = squash(plain_of(page).read_text(encoding="utf-8"))
    chrome = _annotated_text(page, "data-chrome")
    hidden = _annotated_text(page, "data-hidden-test")
    assert chrome and hidden  # the page has both, else the test proves nothing
    # A piece the article itself also says (a date, a source's name) proves nothing either way.
    assert [p for p in chrome + hidden if p in text and p not in article] == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_hints_and_spans_point_into_the_text(page):
    (inp,) = list(read_inputs([str(page)], SETTINGS))
    for hint in inp.markup.hints:
        assert 0 <= hint.start < hint.end <= len(inp.text)
        assert inp.text[hint.start : hint.end].strip() == inp.text[hint.start : hint.end]
    record = record_of(page)
    for r in record.references:
        assert record.text[r.start : r.end] == r.text
    for s in record.sections:
        if s.heading is not None:
            assert record.text[s.heading_start : s.heading_end] == s.heading


def test_test_annotations_are_not_read_by_claimx():
    settings = (ROOT / "src" / "claimx" / "configs" / "claimx.yaml").read_text(encoding="utf-8")
    source = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "src" / "claimx" / "io").glob("*.py"))
    for attribute in ("data-chrome", "data-hidden-test"):
        assert attribute not in settings and attribute not in source


def test_claimreview_export_lists_the_entries_links_and_uses_the_canonical_url():
    from claimx.output.claimreview import claim_review

    settings = load_config().settings
    reviewed = 0
    for page in PAGES:
        record = record_of(page)
        review = claim_review(
            record, url_pattern=settings.export.url_pattern, question_marks=settings.verdicts.question_marks
        )
        if review is None or not record.references:
            continue
        reviewed += 1
        appearance = review["itemReviewed"]["appearance"]
        assert [r.url for r in record.references if r.url][:1] == appearance[:1]
        assert {r.url for r in record.references} <= set(appearance)
        assert review["url"] == record.source.url and record.source.url.startswith("https://")
    assert reviewed >= 2
