"""Offsets are truth, as a property over generated documents."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimx.records.schema import dumps

WORDS = st.sampled_from(
    "police stings rescued children fact\u2011check multi-agency caf\u00e9 \u00bd \u201cquoted\u201d \u2014 \u2013 "
    "U.S. Oct. (AP, 2025) [1] [2] [1, 2] [1-3] [3 works[4]. done.[5] [sic] \u00a0 \u200b \u2022 ** x".split(" ")
)
SENTENCE = st.lists(WORDS, min_size=1, max_size=12).map(" ".join).map(lambda s: s + ".")
PARAGRAPH = st.lists(SENTENCE, min_size=1, max_size=4).map(" ".join)
LINE = st.one_of(
    PARAGRAPH,
    st.sampled_from(
        [
            "Keep Factually independent",
            "Checked on August 31, 2025",
            "Loading...",
            "Executive Summary",
            "Sources",
            "Disclaimer: x",
            "Was this fact-check helpful?",
            "What the posts claim:",
            "",
        ]
    ),
    st.builds(lambda n, p: f"{n}. {p}", st.integers(0, 12), SENTENCE),
    PARAGRAPH.map(lambda p: f"Executive summary \u2014 {p}"),
    PARAGRAPH.map(lambda p: f"Fact check: {p}"),
    PARAGRAPH.map(lambda p: f"  \u2022 {p}"),
    PARAGRAPH.map(lambda p: f"- Label: {p}"),
)
DOCUMENT = st.tuples(st.lists(LINE, max_size=14), st.sampled_from(["\n", "\n\n"]), st.integers(0, 400)).map(
    lambda t: t[1].join(t[0])[: len(t[1].join(t[0])) - t[2]] if t[2] else t[1].join(t[0])
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENT)
def test_every_span_matches_the_text(extract, text):
    extract(text)  # the fixture checks every span


@settings(max_examples=40, deadline=None)
@given(DOCUMENT)
def test_extraction_is_deterministic(extract, text):
    assert dumps(extract(text)) == dumps(extract(text))


ODD = st.lists(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)
    | st.sampled_from(
        ["\n", "\r\n", "[1]", "[2-3]", "\u00a0", "\u2011", "\u200b", "1. ", "Executive Summary\n", "Fact check: "]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ODD)
def test_arbitrary_unicode_never_breaks_offsets(extractor, text):
    from claimx.io.readers import Input
    from claimx.io.source import Source
    from claimx.records.schema import Record
    from tests.conftest import assert_offsets

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    (record,) = extractor([Input("u", Source(path="-", format="txt"), text=text)])
    assert isinstance(record, Record), record  # never an internal error
    assert_offsets(record)
