"""The article the project was created from (skipped where ../shared is absent)."""

from __future__ import annotations

import pytest

from tests.conftest import SEED

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
    sentence = seed.text[first.sentence_start : first.sentence_end]
    assert sentence.startswith("Reporting from multiple operations")
    assert sentence.endswith("realities [1] [2] [3].")
    assert {c.sentence_start for c in seed.citations[:3]} == {first.sentence_start}


SEED_LABELS = [
    "UNDERCOVER_ONLINE",
    "STING_OPERATION",
    "INTERDICTION",
    "INTERNATIONAL_COOPERATION",
    "CYBER_FORENSICS",
    "INTELLIGENCE_SHARING",
    "PLATFORM_DISRUPTION",
    "BORDER_SCREENING",
    "MULTI_AGENCY_TASK_FORCE",
    "TIP_LINE",
    "VICTIM_SERVICES",
]


def mentions(record):
    return [(m.label, m.text) for k in record.claims for m in k.tactics]


@pytest.mark.parametrize("label", SEED_LABELS)
def test_seed_tactic_labels(seed, label):
    assert label in {lab for lab, _ in mentions(seed)}


@pytest.mark.parametrize(
    "label,text",
    [
        ("UNDERCOVER_ONLINE", "covert online investigations"),
        ("STING_OPERATION", "sting operations"),
        ("STING_OPERATION", "stings"),
        ("INTERDICTION", "traffic stops"),
        ("INTERDICTION", "checkpoints"),
        ("CYBER_FORENSICS", "cyber-forensics"),
        ("PLATFORM_DISRUPTION", "account shutdowns"),
        ("VICTIM_SERVICES", "victim support services"),
    ],
)
def test_seed_tactic_mentions(seed, label, text):
    assert (label, text) in mentions(seed)


def test_section_three_interdiction(seed):
    sec3 = next(s for s in seed.sections if s.number == 3)
    found = [m.text for k in seed.claims if k.section_id == sec3.id for m in k.tactics if m.label == "INTERDICTION"]
    assert {"traffic stops", "checkpoints"} <= set(found)
    assert any(t.startswith("stopping") for t in found) and any(t.startswith("intercept") for t in found)


def test_seed_quantities(seed):
    got = {(q.value, q.unit) for k in seed.claims for q in k.quantities}
    assert {(165, "children"), (188, "suspects"), (14, "countries")} <= got
    vague = [q for k in seed.claims for q in k.quantities if q.text == "dozens or hundreds of arrests"]
    assert vague and vague[0].value is None


def test_seed_heading_claim_names_a_tactic(seed):
    sec1 = next(s for s in seed.sections if s.number == 1)
    heading_claims = [k for k in seed.claims if k.start == sec1.heading_start]
    assert [m.text for m in heading_claims[0].tactics] == ["stings"]


def test_seed_hedged_claims(seed):
    last = [k for k in seed.claims if k.text.startswith("These caveats highlight that no single tactic suffices")]
    assert last and last[0].certainty == "hedged"
