from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


@pytest.fixture(scope="module")
def nlp(extractor):
    return extractor.nlp


@pytest.mark.parametrize(
    "text,tokens",
    [
        ("works[1].", ["works", "[1]", "."]),
        ("[1][2][3] x", ["[1]", "[2]", "[3]", "x"]),
        ("works.[3] Next", ["works", ".", "[3]", "Next"]),
        ("range [1\u20133] and [1, 2].", ["range", "[1\u20133]", "and", "[1, 2]", "."]),
        ("multi\u2011agency task", ["multi", "\u2011", "agency", "task"]),
    ],
)
def test_markers_are_single_tokens(nlp, text, tokens):
    assert [t.text for t in nlp.make_doc(text)] == tokens


CHARS = st.sampled_from(
    list("ab .,;[]()-\u2013\u2011\u00a0\u200b\u2022\u201c\u201d\t") + ["[1]", "[2, 3]", "[1-2]", "  ", "x[4]."]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(CHARS, max_size=40).map("".join))
def test_doc_text_round_trips(nlp, text):
    doc = nlp(text)
    assert doc.text == text
    for span in doc.spans["citations"]:
        assert text[span.start_char : span.end_char] == span.text


@pytest.mark.parametrize(
    "text,tokens",
    [
        ("\u201cnews\u201d-style ads", ["\u201c", "news", "\u201d", "-", "style", "ads"]),
        ("A.I.-generated clips", ["A.I.", "-", "generated", "clips"]),
        ("fact\u2011check, e.g. this", ["fact", "\u2011", "check", ",", "e.g.", "this"]),
    ],
)
def test_extra_infixes_split_hyphens_after_quotes_and_abbreviations(nlp, text, tokens):
    assert [t.text for t in nlp.make_doc(text)] == tokens
