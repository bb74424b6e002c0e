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
            [
                ("boilerplate", None, None),
                ("title", None, "is it true?"),
                ("summary", None, "Executive Summary"),
                ("body", 1, "First headline"),
            ],
        ),
        (
            "a bare claim in lower case\n\nExecutive summary \u2014 Mostly false [1].\n\n1. What it says: a subtitle\n\nText.\n",  # noqa: E501
            [
                ("title", None, "a bare claim in lower case"),
                ("summary", None, "Executive summary"),
                ("body", 1, "What it says: a subtitle"),
            ],
        ),
        (
            "Fact check: X?\n1. Summary of the results\nText.\nWhat the posts claim:\n- Label: a bullet [1].\n"
            "2. Missing context/alternative viewpoints\n  \u2022 bullet\n3. Potential misinformation/bias in the original statement\nText.\n",  # noqa: E501
            [
                ("title", None, "X?"),
                ("summary", 1, "Summary of the results"),
                ("body", 2, "Missing context/alternative viewpoints"),
                ("body", 3, "Potential misinformation/bias in the original statement"),
            ],
        ),
        (
            "# Fact check: md?\n## Executive Summary\n**Bold** text.\n## 1. **A heading**:\nText.\n",
            [("title", None, "md?"), ("summary", None, "Executive Summary"), ("body", 1, "A heading")],
        ),
        (
            "Q?\nExecutive Summary\nText [1].\n1. Head\nText [2].\nSources\n1. Agency release, 2025\n[2] Other source\n",  # noqa: E501
            [
                ("title", None, "Q?"),
                ("summary", None, "Executive Summary"),
                ("body", 1, "Head"),
                ("references", None, "Sources"),
            ],
        ),
        (
            "Checked on August 31, 2025\nLoading...Goal: $500\nQ?\nExecutive Summary\nText.\n"
            "Disclaimer: tools make mistakes.\nWas this fact-check helpful?\n",
            [
                ("meta", None, None),
                ("boilerplate", None, None),
                ("title", None, "Q?"),
                ("summary", None, "Executive Summary"),
                ("boilerplate", None, None),
            ],
        ),
    ],
    ids=["seed-like", "inline-summary", "fixed-sections", "markdown", "references", "furniture"],
)
def test_layouts(extract, text, expected):
    assert kinds(extract(text)) == expected


@pytest.mark.parametrize(
    "text,layout",
    [
        ("Q?\n1. Summary of the results\nx\n", "fixed_sections"),
        ("Q?\n1. A headline\nx\n", "headline_sections"),
        ("just one paragraph of prose that goes on and on. " * 10, "unsectioned"),
    ],
)
def test_layout_family(extract, text, layout):
    assert extract(text).layout == layout


def test_checked_on_is_parsed(extract):
    assert str(extract("Checked on August 31, 2025\nQ?\n").checked_on) == "2025-08-31"


def test_references_entries(extract):
    rec = extract("Q?\nExecutive Summary\nText [1].\nReferences\n[1] Agency release\n2. Other source\n")
    assert [(r.number, r.text) for r in rec.references] == [(1, "[1] Agency release"), (2, "2. Other source")]
    assert [c.text for c in rec.citations] == ["[1]"], "reference labels are not citations"


@pytest.mark.parametrize(
    "text,code",
    [
        ("Q?\n1. One\nx\n3. Three\nx\n", "W101"),
        ("Q?\n1. One\nx\n2. Two\nx\n1. Again\n", "W102"),
        ("just prose with no title line at all, long enough to be a paragraph. " * 6, "W103"),
    ],
)
def test_numbering_warnings(extract, text, code):
    assert code in [w.code for w in extract(text).warnings]


def test_truncated_heading_is_a_section(extract):
    rec = extract("Q?\nExecutive Summary\nx [1].\n1. Head\ny.\n2. What the Evidence Does Not Yet Sh")
    assert rec.sections[-1].heading == "What the Evidence Does Not Yet Sh"


def test_bullets_and_subheads_belong_to_their_section(extract):
    rec = extract(
        "Q?\n1. Summary of the results\nWhat the posts claim:\n- Label: a cited bullet [1].\n  \u2022 another [2].\n"
    )
    assert [s.kind for s in rec.sections] == ["title", "summary"]
    assert [k.text for k in rec.claims] == ["Label: a cited bullet [1].", "another [2]."]


@pytest.mark.parametrize(
    "long",
    [
        "1. " + "word " * 60,
        # a heading and a body on one line whose first sentence alone is longer than layout.max_heading_chars
        f"1. {'word ' * 45}end. Then the body goes on for long enough here.",
    ],
)
def test_long_numbered_line_is_prose(extract, long):
    rec = extract(f"Q?\nExecutive Summary\nx.\n{long}\n")
    assert [s.kind for s in rec.sections] == ["title", "summary"]


# --- The two rare forms of FORMATS.md ("Two rare forms") -------------------------------------

INLINE = (
    "Fact check: the rent slogan\n\n"
    "Executive summary \u2014 Short answer: the slogan cannot be checked as written [1].\n\n"
    "1. What the slogan leaves out \u2014 a year to compare with. It names no starting year and no source, "
    "so nobody can say what doubled [2].\n\n"
    "2. Did rents double? Council figures show a rise of about a third in five years, not a doubling [3].\n\n"
    "3. What the U.S. comparison shows\n\n"
    "Cities abroad saw similar rises [4].\n"
)


def test_heading_and_body_on_one_line(extract, config):
    from claimx.layout.sections import SectionSplitter

    rec = extract(INLINE)
    assert kinds(rec) == [
        ("title", None, "the rent slogan"),
        ("summary", None, "Executive summary"),
        ("body", 1, "What the slogan leaves out \u2014 a year to compare with"),
        ("body", 2, "Did rents double?"),
        ("body", 3, "What the U.S. comparison shows"),
    ]
    assert [s.rule_id for s in rec.sections[2:]] == ["heading.numbered.inline_body"] * 2 + ["heading.numbered"]
    assert rec.layout == "headline_sections" and rec.warnings == []
    # The body is the rest of the line: a paragraph unit starting right after the heading's sentence.
    layout = SectionSplitter(config)(INLINE)
    paragraphs = [INLINE[u.start : u.end] for u in layout.units if u.role == "paragraph"]
    assert paragraphs[1].startswith("It names no starting year") and paragraphs[1].endswith("doubled [2].")
    assert paragraphs[2].startswith("Council figures")
    one = rec.sections[2]
    assert INLINE[one.heading_end : one.heading_end + 2] == ". "
    assert (
        INLINE[one.start : one.end].startswith("1. What the slogan")
        and INLINE[one.end - 12 : one.end] == "doubled [2]."
    )
    by_ref = {c.refs[0]: c for c in rec.citations}
    assert by_ref[2].section_id == one.id and INLINE[by_ref[2].sentence_start :].startswith("It names")
    assert INLINE[by_ref[3].sentence_start :].startswith("Council figures")


@pytest.mark.parametrize(
    "line,heading",
    [
        ("1. Short headline. Too short a body.", "Short headline. Too short a body."),  # a body has 40+ characters
        ("1. U.S. agents at the border and what they check", "U.S. agents at the border and what they check"),
        ("1. Why it spread \u2014 and why it matters", "Why it spread \u2014 and why it matters"),
    ],
)
def test_one_line_heading_without_a_body_stays_whole(extract, line, heading):
    rec = extract(f"Q?\nExecutive Summary\nx.\n{line}\ny.\n")
    assert (rec.sections[-1].heading, rec.sections[-1].rule_id) == (heading, "heading.numbered")


def test_long_line_with_a_short_heading_is_a_section(extract):
    body = "The figures come from the council's own rent register and cover every district. " * 4
    rec = extract(f"Q?\nExecutive Summary\nx.\n1. The register tells another story. {body.strip()}\n")
    assert len(rec.text.splitlines()[3]) > 200  # longer than layout.max_heading_chars: once all prose
    assert kinds(rec)[-1] == ("body", 1, "The register tells another story")


REPEATED = (
    "Fact check: did the city ban cash at markets?\n\n"
    "1. Summary of the results\n\n"
    "Here\u2019s my analysis based on the provided information:\n\n"
    "1. Summary of the results:\n\n"
    "The council did not ban cash [1].\n\n"
    "2. Missing context/alternative viewpoints\n"
    "2. Missing context/alternative viewpoints:\n"
    "Two stalls chose card-only payment [2].\n\n"
    "3. Potential misinformation/bias:\n\n"
    "The post cropped a sign [3].\n"
)


def test_repeated_fixed_heading_is_one_section(extract, config):
    from claimx.layout.sections import SectionSplitter

    rec = extract(REPEATED)
    assert kinds(rec) == [
        ("title", None, "did the city ban cash at markets?"),
        ("summary", 1, "Summary of the results"),
        ("body", 2, "Missing context/alternative viewpoints"),
        ("body", 3, "Potential misinformation/bias"),
    ]
    assert rec.warnings == [] and rec.layout == "fixed_sections"
    summary = rec.sections[1]
    assert REPEATED[summary.heading_start : summary.heading_end] == "Summary of the results"
    assert REPEATED.index("1. Summary of the results\n") == summary.start
    assert REPEATED[summary.start : summary.end].endswith("ban cash [1].")
    # Neither the aside nor the repeated heading is read: only the first heading and the body are units.
    layout = SectionSplitter(config)(REPEATED)
    assert [(u.role, REPEATED[u.start : u.end]) for u in layout.units if u.section == 1] == [
        ("heading", "Summary of the results"),
        ("paragraph", "The council did not ban cash [1]."),
    ]
    assert [k.text for k in rec.claims] == [
        "The council did not ban cash [1].",
        "Two stalls chose card-only payment [2].",
        "The post cropped a sign [3].",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Q?\n1. Summary of the results\nThe council did not ban cash.\n1. Summary of the results:\nx.\n",  # noqa: E501 - body between
        "Q?\n1. Summary of the results\n1. Missing context\nx.\n",  # the number repeats, the heading does not
        "Q?\n1. A headline of its own\n1. A headline of its own:\nx.\n",  # headline sections are not repeated
    ],
)
def test_heading_going_back_is_still_w102(extract, text):
    rec = extract(text)
    assert [w.code for w in rec.warnings] == ["W102"]
    assert len([s for s in rec.sections if s.number is not None]) == 1


def test_aside_inside_a_section_is_not_read(extract):
    rec = extract("Q?\n1. Summary of the results\nHere is the analysis of the posts:\nPolice ran a sting [1].\n")
    assert [k.text for k in rec.claims] == ["Police ran a sting [1]."]
    assert [s.kind for s in rec.sections] == ["title", "summary"]


def test_splitter_trace_says_why(config):
    from claimx.layout.sections import SectionSplitter

    trace: list = []
    text = "Q?\n\n1. One\nx\n3. Three\nx\n1. Again\n" + REPEATED.split("\n\n", 1)[1]
    layout = SectionSplitter(config)(text, trace)
    rows = [(t.line, t.role, t.rule_id, t.section) for t in trace]
    assert rows[:6] == [
        (1, "title", "title.first_line", 0),
        (3, "heading", "heading.numbered", 1),
        (4, "paragraph", None, 1),
        (5, "heading", "heading.numbered", 2),
        (6, "paragraph", None, 2),
        (7, "paragraph", None, 2),
    ]
    assert trace[3].notes == (f"W101 section numbering jumps from 1 to 3 at offset {text.index('3. Three')}",)
    assert trace[5].notes[0].startswith("not a heading (heading.numbered): W102 numbered line 1.")
    # 1. Summary of the results after 3.: going back, so no repeat can follow (it goes back too).
    assert [t.role for t in trace[6:9]] == ["paragraph", "aside", "paragraph"]
    assert all(text[t.start : t.end] == text.splitlines()[t.line - 1].strip() for t in trace)
    assert len(layout.warnings) == sum("W10" in n for t in trace for n in t.notes)


def test_numbered_sections_of_the_corpus(corpus_records):
    """The structural check of the dev pages' numbered sections (tests/evaluation/test_dev_set.py), on the
    corpus, where articles 13 and 14 carry both rare forms."""
    from tests.evaluation.test_dev_set import check_numbered_sections

    checked = {r.doc_id for r in corpus_records if check_numbered_sections(r)}
    assert {"articles/13_bank_scam_calls_slogan.txt", "articles/14_marketplace_bike_buyers.txt"} <= checked
    assert len(checked) >= 15
