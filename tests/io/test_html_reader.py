"""The HTML reader (io/html.py) and the hints the section splitter takes from markup."""

from __future__ import annotations

import json
from functools import cache

import pytest

from claimx.config.settings import load_config
from claimx.errors import ConfigError
from claimx.io.html import read_html
from claimx.io.readers import Input
from claimx.io.source import Source
from claimx.run.extractor import Extractor

PARAGRAPH = "<p>Police said the ring used a fake website to collect payments [1].</p>"


@cache
def extractor() -> Extractor:
    return Extractor()


def record(markup: str):
    page = read_html(markup)
    src = Source(
        path="page.html", format="html", url=page.markup.url, claimreview=list(page.markup.claimreview) or None
    )
    inp = Input("page", src, text=page.text, warnings=list(page.markup.warnings), markup=page.markup)
    (rec,) = list(extractor()([inp]))
    return rec


def test_hidden_elements_are_not_text():
    page = read_html(
        "<body><p>kept one</p><p hidden>gone one</p><span aria-hidden='true'>gone two</span>"
        "<div style='color: red; display : none'>gone three</div><p style='visibility:hidden'>gone four</p>"
        "<p style='display:block'>kept two</p></body>"
    )
    assert page.text == "kept one\nkept two\n"


def test_chrome_goes_and_the_largest_main_candidate_is_read():
    page = read_html(
        "<body><nav>Home | Fact checks | Donate</nav><div class='cookie-banner'>We use cookies</div>"
        "<article class='card'><h3>Another story</h3></article>"
        "<main><h1>Fact check: a claim</h1>" + PARAGRAPH + "<div class='share-buttons'>Share on X</div></main>"
        "<footer>© 2025 Someone · Privacy · Terms</footer></body>"
    )
    assert page.text.splitlines() == ["Fact check: a claim", PARAGRAPH[3:-4]]


def test_a_box_headed_like_chrome_goes_without_any_class():
    page = read_html(
        "<body><main><h1>A claim</h1>" + PARAGRAPH + "<section><h2>Related articles</h2><ul><li>Another story about "
        "scams</li></ul></section><h3>More from The Courier</h3><ul><li>Yet another story</li></ul>"
        "<h2>What police said</h2><p>They confirmed it [2].</p></main></body>"
    )
    assert page.text.splitlines() == ["A claim", PARAGRAPH[3:-4], "What police said", "They confirmed it [2]."]


def test_state_and_taxonomy_classes_do_not_make_chrome():
    page = read_html(
        "<body><article class='post has-post-thumbnail category-social-media'><h1>A title</h1>"
        + PARAGRAPH
        + "</article></body>"
    )
    assert "fake website" in page.text


def test_a_title_outside_the_main_content_comes_first_and_og_title_stands_in():
    outside = read_html("<body><header><h1>The title</h1></header><div class='entry-content'>" + PARAGRAPH + "</div>")
    assert outside.text.splitlines()[0] == "The title"
    no_h1 = read_html("<head><meta property='og:title' content='From og'></head><body>" + PARAGRAPH + "</body>")
    assert no_h1.text.splitlines()[0] == "From og"
    assert [h.rule_id for h in no_h1.markup.hints if h.role == "title"] == ["markup.title"]


def test_the_main_contents_h1_is_the_title_not_a_logo_h1_in_the_site_header():
    page = read_html(
        "<body><header><h1 class='logo'>Sitename</h1><nav>Home</nav></header>"
        "<main><article><h1>Fact check: a claim</h1>" + PARAGRAPH + "</article></main></body>"
    )
    assert page.text.splitlines()[0] == "Fact check: a claim"
    assert "Sitename" not in page.text


def test_an_og_title_the_page_shows_in_an_element_is_that_element_not_a_second_line():
    page = read_html(
        "<head><meta property='og:title' content='Fact check: a claim'></head><body><main>"
        "<div class='headline'>Fact check: a claim</div>" + PARAGRAPH + "</main></body>"
    )
    assert page.text.splitlines() == ["Fact check: a claim", PARAGRAPH[3:-4]]
    assert [(h.rule_id, page.text[h.start : h.end]) for h in page.markup.hints if h.role == "title"] == [
        ("markup.title", "Fact check: a claim")
    ]


def test_footnote_blocks_are_entries_numbered_as_written_over_several_lines():
    rec = record(
        "<body><h1>A claim</h1><p>It was said<a class='footnote-anchor' href='#footnote-1'>1</a>.</p><h2>Sources</h2>"
        "<div class='footnote'><a class='footnote-number' href='#footnote-anchor-1'>1</a>"
        "<div class='footnote-content'><p>Agency release, <a href='https://example.org/a'>link</a></p></div></div>"
        "<div class='footnote'><a class='footnote-number' href='#footnote-anchor-2'>2</a>"
        "<div class='footnote-content'><p>Local paper</p></div></div></body>"
    )
    assert [(r.number, r.text, r.url) for r in rec.references] == [
        (1, "Agency release, link", "https://example.org/a"),
        (2, "Local paper", None),
    ]


def test_footnote_references_become_markers_and_links():
    page = read_html(
        "<body><p>Police said so <sup id='fnref:2'><a href='#fn:2' class='footnote-ref'>2</a></sup> "
        "and <a href='#ref-3'>[3]</a>; the area was 5 m<sup>2</sup>.</p></body>"
    )
    assert page.text == "Police said so [2] and [3]; the area was 5 m2.\n"
    links = [(page.text[h.start : h.end], h.target) for h in page.markup.hints if h.role == "link"]
    assert links == [("[2]", "fn:2"), ("[3]", "ref-3")]


def test_a_footnote_number_already_in_brackets_is_not_bracketed_again():
    page = read_html("<body><p>Police said so<sup>[<a href='#fn3'>3</a>]</sup>.</p></body>")
    assert page.text == "Police said so[3].\n"


def test_entries_numbered_by_list_position_with_start_and_value():
    page = read_html(
        "<body><h2>Sources</h2><ol start='4'><li id='a'>Four</li><li>Five</li><li value='9'>Nine</li>"
        "<li><a href='https://example.org/x'>Ten</a></li></ol></body>"
    )
    entries = [(page.text[h.start : h.end], h.number, h.url) for h in page.markup.hints if h.role == "reference_entry"]
    assert entries == [("Four", 4, None), ("Five", 5, None), ("Nine", 9, None), ("Ten", 10, "https://example.org/x")]


def test_unnumbered_h2_opens_a_section_and_h4_is_a_subhead():
    rec = record(
        "<body><h1>Fact check: did it happen?</h1><h2>What police said</h2>"
        + PARAGRAPH
        + "<h4>Timeline</h4><p>The site went up in May [2].</p></body>"
    )
    assert [(s.kind, s.heading, s.rule_id) for s in rec.sections] == [
        ("title", "did it happen?", "title.fact_check"),
        ("body", "What police said", "markup.heading"),
    ]
    assert [c.refs for c in rec.citations] == [[1], [2]]  # the sub-head stays inside its section


def test_a_footnotes_section_without_heading_is_the_source_list_and_markers_target_it():
    rec = record(
        "<body><h1>A claim</h1><p>It was said <sup><a href='#fn:1' role='doc-noteref'>1</a></sup>.</p>"
        "<section class='footnotes' role='doc-endnotes'><ol><li id='fn:1'><a href='https://example.org/a'>Agency "
        "release</a> <a href='#fnref:1' class='footnote-backref'>↩</a></li></ol></section></body>"
    )
    refs = [(r.number, r.text, r.url, r.rule_id) for r in rec.references]
    assert refs == [(1, "Agency release", "https://example.org/a", "markup.reference_entry")]
    assert [(s.kind, s.rule_id) for s in rec.sections][-1] == ("references", "markup.references")
    assert [(c.text, c.targets) for c in rec.citations] == [("[1]", ["r1"])]


def test_rules_first_markup_fills_gaps():
    # A numbered <h2> is read by the line rules (same id, number and heading as in plain text).
    rec = record("<body><h1>Fact check: x</h1><h2>1. What happened</h2>" + PARAGRAPH + "</body>")
    assert [(s.number, s.heading, s.rule_id) for s in rec.sections if s.kind == "body"] == [
        (1, "What happened", "heading.numbered")
    ]


def test_date_from_markup_only_without_a_checked_on_line():
    head = "<head><meta property='article:published_time' content='2025-03-04T10:00:00Z'></head>"
    dated = record(head + "<body><h1>A claim</h1>" + PARAGRAPH + "</body>")
    assert str(dated.checked_on) == "2025-03-04"
    checked = record(head + "<body><h1>A claim</h1><p>Checked on May 1, 2025</p>" + PARAGRAPH + "</body>")
    assert str(checked.checked_on) == "2025-05-01"
    timed = record("<body><h1>A claim</h1><time datetime='2024-12-31'>New Year's Eve</time>" + PARAGRAPH + "</body>")
    assert str(timed.checked_on) == "2024-12-31"


def test_json_ld_date_published_dates_a_page_without_meta_or_time():
    graph = {
        "@context": "https://schema.org",
        "@graph": [{"@type": "BlogPosting", "datePublished": "2025-10-14T08:00Z"}],
    }
    rec = record(
        f"<head><script type='application/ld+json'>{json.dumps(graph)}</script></head><body><h1>A claim</h1>"
        + PARAGRAPH
        + "</body>"
    )
    assert str(rec.checked_on) == "2025-10-14"


def test_a_sidebars_dates_are_not_the_pages_date():
    rec = record(
        "<body><aside><ul><li><time datetime='2020-01-01'>Old story</time></li></ul></aside>"
        "<main><h1>A claim</h1><div class='byline'><time datetime='2025-06-07'>7 June</time></div>"
        + PARAGRAPH
        + "</main></body>"
    )
    assert str(rec.checked_on) == "2025-06-07"


def test_claimreview_json_ld_and_canonical_url_land_in_source():
    review = {
        "@type": "ClaimReview",
        "claimReviewed": "X",
        "reviewRating": {"@type": "Rating", "alternateName": "False"},
    }
    graph = {"@context": "https://schema.org", "@graph": [{"@type": "WebPage"}, review]}
    rec = record(
        "<head><link rel='canonical' href='https://example.org/check'>"
        f"<script type='application/ld+json'>{json.dumps(graph)}</script>"
        "<script type='application/ld+json'>{not json</script></head><body><h1>A claim</h1>" + PARAGRAPH + "</body>"
    )
    assert rec.source.url == "https://example.org/check"
    assert rec.source.claimreview == [review]
    assert [w.code for w in rec.warnings][:1] == ["W003"]


def test_a_deeply_nested_page_is_read_and_one_past_the_parser_is_a_clear_error(tmp_path):
    from claimx.io.readers import read_inputs

    deep = read_html("<body>" + "<div>" * 1500 + "<p>deep text</p>" + "</div>" * 1500 + "<p>after</p></body>")
    assert deep.text == "deep text\nafter\n"  # past libxml2's default 256 levels, and no RecursionError
    page = tmp_path / "deep.html"
    page.write_text("<body>" + "<div>" * 5000 + "<p>deep text</p>" + "</div>" * 5000 + "</body>", encoding="utf-8")
    (inp,) = list(read_inputs([str(page)], load_config().settings.input))
    assert inp.error is not None and inp.error.code == "E120"
    assert "nested deeper than the HTML parser reads" in str(inp.error)


def test_no_element_or_empty_markup_is_empty_text():
    assert read_html("").text == ""
    assert read_html("<!-- only a comment -->").text == ""


def test_a_bad_markup_rule_names_file_and_line(tmp_path):
    rules = tmp_path / "markup.jsonl"
    rules.write_text('{"id": "markup.ok", "role": "heading", "tags": ["h2"]}\n{"id": "markup.bad", "role": "title"}\n')
    settings = tmp_path / "claimx.yaml"
    settings.write_text(f"input:\n  html:\n    markup: {rules.name}\n")
    with pytest.raises(ConfigError) as err:
        load_config(settings)
    assert f"{rules}:2" in str(err.value) and "at least one of tags" in str(err.value)
