"""The article the project was created from (skipped where ../shared is absent)."""

from __future__ import annotations

import pytest

from .conftest import SEED

pytestmark = pytest.mark.skipif(not SEED.exists(), reason=f"{SEED} is not present")

HEADINGS = [
    "How high-profile stings reveal a playbook for rescue and arrest",
    "International cyber-led campaigns show coordinated cross-border tactics",
    "Rapid interdiction: stopping vehicles and intercepting victim movements",
    "The role of immigration and border control in trafficking pathways",
    "Evidence collection and cyber-forensics as foundations for sustainable rescue",
    "Multi-agency coordination and expertise exchange multiply impact",
    "Limitations, gaps, and operational caveats in reported tactics",
]


@pytest.fixture(scope="module")
def seed(extract):
    return extract(SEED.read_text(encoding="utf-8"), doc_id="seed")


def test_seed_title(seed):
    assert seed.title == (
        "What are the most common tactics used by law enforcement to rescue children from trafficking situations?"
    )


def test_seed_sections(seed):
    kinds = [s.kind for s in seed.sections]
    assert kinds.count("boilerplate") == 1
    summary = [s for s in seed.sections if s.kind == "summary"]
    assert [s.heading for s in summary] == ["Executive Summary"]
    body = [s for s in seed.sections if s.kind == "body"]
    assert [s.number for s in body] == list(range(1, 8))
    assert [s.heading for s in body] == HEADINGS
    assert seed.layout == "headline_sections"


def test_seed_citations(seed):
    refs = [r for c in seed.citations for r in c.refs]
    assert len(seed.citations) == 17
    assert refs == [1, 2, 3, 4, 5, 2, 3, 6, 7, 2, 2, 1, 4, 5, 1, 7, 3]


def test_seed_markers_close_their_sentence(seed):
    first = seed.citations[0]
    sentence = seed.text[first.sentence_start:first.sentence_end]
    assert sentence.startswith("Reporting from multiple operations")
    assert sentence.endswith("realities [1] [2] [3].")
    assert {c.sentence_start for c in seed.citations[:3]} == {first.sentence_start}
