from __future__ import annotations

import pytest


def kinds(record):
    return [(s.kind, s.number, s.heading) for s in record.sections]


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "Keep Factually independent\nWhether you agree or disagree with our analysis, a $5 donation helps.\n"
            "Fact check: is it true?\nExecutive Summary\nYes [1].\n1. First headline\nBody [2].\n",
            [("boilerplate", None, None), ("title", None, "is it true?"), ("summary", None, "Executive Summary"),
             ("body", 1, "First headline")],
        ),
        (
            "a bare claim in lower case\n\nExecutive summary \u2014 Mostly false [1].\n\n1. What it says: a subtitle\n\nText.\n",
            [("title", None, "a bare claim in lower case"), ("summary", None, "Executive summary"),
             ("body", 1, "What it says: a subtitle")],
        ),
        (
            "Fact check: X?\n1. Summary of the results\nText.\nWhat the posts claim:\n- Label: a bullet [1].\n"
            "2. Missing context/alternative viewpoints\n  \u2022 bullet\n3. Potential misinformation/bias in the original statement\nText.\n",
            [("title", None, "X?"), ("summary", 1, "Summary of the results"),
             ("body", 2, "Missing context/alternative viewpoints"),
             ("body", 3, "Potential misinformation/bias in the original statement")],
        ),
        (
            "# Fact check: md?\n## Executive Summary\n**Bold** text.\n## 1. **A heading**:\nText.\n",
            [("title", None, "md?"), ("summary", None, "Executive Summary"), ("body", 1, "A heading")],
        ),
        (
            "Q?\nExecutive Summary\nText [1].\n1. Head\nText [2].\nSources\n1. Agency release, 2025\n[2] Other source\n",
            [("title", None, "Q?"), ("summary", None, "Executive Summary"), ("body", 1, "Head"),
             ("references", None, "Sources")],
        ),
        (
            "Checked on August 31, 2025\nLoading...Goal: $500\nQ?\nExecutive Summary\nText.\n"
            "Disclaimer: tools make mistakes.\nWas this fact-check helpful?\n",
            [("meta", None, None), ("boilerplate", None, None), ("title", None, "Q?"),
             ("summary", None, "Executive Summary"), ("boilerplate", None, None)],
        ),
    ],
    ids=["seed-like", "inline-summary", "fixed-sections", "markdown", "references", "furniture"],
)
def test_layouts(extract, text, expected):
    assert kinds(extract(text)) == expected


@pytest.mark.parametrize("text,layout", [
    ("Q?\n1. Summary of the results\nx\n", "fixed_sections"),
    ("Q?\n1. A headline\nx\n", "headline_sections"),
    ("just one paragraph of prose that goes on and on. " * 10, "unsectioned"),
])
def test_layout_family(extract, text, layout):
    assert extract(text).layout == layout


def test_checked_on_is_parsed(extract):
    assert str(extract("Checked on August 31, 2025\nQ?\n").checked_on) == "2025-08-31"


def test_references_entries(extract):
    rec = extract("Q?\nExecutive Summary\nText [1].\nReferences\n[1] Agency release\n2. Other source\n")
    assert [(r.number, r.text) for r in rec.references] == [(1, "[1] Agency release"), (2, "2. Other source")]
    assert [c.text for c in rec.citations] == ["[1]"], "reference labels are not citations"


@pytest.mark.parametrize("text,code", [
    ("Q?\n1. One\nx\n3. Three\nx\n", "W101"),
    ("Q?\n1. One\nx\n2. Two\nx\n1. Again\n", "W102"),
    ("just prose with no title line at all, long enough to be a paragraph. " * 6, "W103"),
])
def test_numbering_warnings(extract, text, code):
    assert code in [w.code for w in extract(text).warnings]


def test_truncated_heading_is_a_section(extract):
    rec = extract("Q?\nExecutive Summary\nx [1].\n1. Head\ny.\n2. What the Evidence Does Not Yet Sh")
    assert rec.sections[-1].heading == "What the Evidence Does Not Yet Sh"


def test_bullets_and_subheads_belong_to_their_section(extract):
    rec = extract("Q?\n1. Summary of the results\nWhat the posts claim:\n- Label: a cited bullet [1].\n  \u2022 another [2].\n")
    assert [s.kind for s in rec.sections] == ["title", "summary"]
    assert [k.text for k in rec.claims] == ["Label: a cited bullet [1].", "another [2]."]


def test_long_numbered_line_is_prose(extract):
    long = "1. " + "word " * 60
    rec = extract(f"Q?\nExecutive Summary\nx.\n{long}\n")
    assert [s.kind for s in rec.sections] == ["title", "summary"]
