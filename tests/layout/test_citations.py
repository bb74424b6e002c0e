from __future__ import annotations

import pytest

from claimx.layout.markers import MarkerFinder


@pytest.fixture(scope="module")
def finder(config):
    return MarkerFinder(config)


@pytest.mark.parametrize(
    "text,refs",
    [
        ("a [3] b", [[3]]),
        ("a [1, 2] b", [[1, 2]]),
        ("a [1-3] b", [[1, 2, 3]]),
        ("a [1\u20133] b", [[1, 2, 3]]),
        ("works[1][2][3].", [[1], [2], [3]]),
        ("works.[3] Next", [[3]]),
        ("[7] [2] [8] [2] [2]", [[7], [2], [8], [2], [2]]),
        ("run [an officer] over [sic] [citation needed]", []),
        ("[Factually](https://example.org/x) and [1](https://example.org/y)", []),
        ("cut off at the end [3", []),
        ("[ 1 ]", [[1]]),
    ],
)
def test_marker_forms(finder, text, refs):
    markers, _ = finder.find(text)
    assert [list(m.refs) for m in markers] == refs
    for m in markers:
        assert text[m.start : m.end] == m.text


@pytest.mark.parametrize("text", ["[3-1]", "[0]", "[1-500]", "[99999999]"])
def test_invalid_markers_are_rejected(finder, text):
    markers, rejected = finder.find(f"x {text} y")
    assert markers == []
    assert [r.text for r in rejected] in ([text], [])


def test_rejected_marker_warns(extract):
    rec = extract("Q?\nExecutive Summary\nA range that runs backwards [3-1].\n")
    assert [w.code for w in rec.warnings] == ["W201"]
    assert rec.citations == []


@pytest.mark.parametrize(
    "text,sentences",
    [
        ("One ends here [1] [2] [3]. Two starts.", ["One ends here [1] [2] [3]."]),
        ("One ends here.[3] Two starts.", ["One ends here.[3]"]),
        ("One ends here[4]. Two starts.", ["One ends here[4]."]),
        ("One ends here. [2] suggests another.", ["[2] suggests another."]),
        ("According to [1], it rained. Then it stopped.", ["According to [1], it rained."]),
        ("Sources (AP, Oct. 16, 2025) [1] [2] agree. Next.", ["Sources (AP, Oct. 16, 2025) [1] [2] agree."]),
        ("He said \u201cno.\u201d [5] Then more.", ["He said \u201cno.\u201d [5]"]),
    ],
)
def test_markers_stay_with_their_sentence(extract, text, sentences):
    rec = extract(f"Q?\nExecutive Summary\n{text}\n")
    assert [k.text for k in rec.claims] == sentences
    for k in rec.claims:
        assert k.text.strip("[]0-9 ,") != "", "no sentence consists of markers alone"


def test_claims_collect_refs_in_order(extract):
    rec = extract("Q?\nExecutive Summary\nA claim [7] [2] [8]. Plain sentence. Another [1, 2].\n")
    assert [k.citation_refs for k in rec.claims] == [[7, 2, 8], [1, 2]]
    assert rec.claims[0].citation_ids == ["c1", "c2", "c3"]
