from __future__ import annotations

import pytest


def claim_of(extract, sentence):
    rec = extract(f"Q?\nExecutive Summary\n{sentence}\n")
    assert len(rec.claims) == 1, rec.claims
    return rec.claims[0]


@pytest.mark.parametrize(
    "sentence,expected",
    [
        ("Officers ran targeted sting operations.", [("STING_OPERATION", "sting operations")]),
        (
            "Police used traffic stops and checkpoints.",
            [("INTERDICTION", "traffic stops"), ("INTERDICTION", "checkpoints")],
        ),
        ("Analysts relied on cyber-forensics.", [("CYBER_FORENSICS", "cyber-forensics")]),
        ("Analysts relied on cyber\u2011forensics.", [("CYBER_FORENSICS", "cyber\u2011forensics")]),
        ("A multi\u2011agency task force met.", [("MULTI_AGENCY_TASK_FORCE", "multi\u2011agency task force")]),
        ("The clip was AI\u2011generated.", [("DEEPFAKE", "AI\u2011generated")]),
        ("Sting Operations were run.", [("STING_OPERATION", "Sting Operations")]),
        ("It was smishing, again.", [("PHISHING", "smishing")]),
    ],
)
def test_tactic_mentions(extract, sentence, expected):
    claim = claim_of(extract, sentence)
    assert claim.kind == "tactic"
    assert [(m.label, m.text) for m in claim.tactics] == expected
    for m in claim.tactics:
        assert m.rule_id.startswith(("le.", "dc."))


@pytest.mark.parametrize(
    "sentence,certainty",
    [
        ("Police often run stings.", "hedged"),
        ("Police did not use facial recognition.", "negated"),
        ("Not all reports mention stings.", "hedged"),
        ("Police ran stings.", "asserted"),
    ],
)
def test_certainty(extract, sentence, certainty):
    assert claim_of(extract, sentence).certainty == certainty


@pytest.mark.parametrize(
    "sentence,quantities",
    [
        ("The raid freed 165 children and 188 suspects were held [1].", [(165, "children"), (188, "suspects")]),
        ("Victims received $2,000 checks [1].", [(2000, "checks")]),
        ("Platforms removed 1.2 million accounts [2].", [(1200000, "accounts")]),
        ("There were dozens or hundreds of arrests [3].", [(None, "arrests")]),
        ("Six arrests followed [4].", [(6, "arrests")]),
    ],
)
def test_quantities(extract, sentence, quantities):
    claim = claim_of(extract, sentence)
    assert [(q.value, q.unit) for q in claim.quantities] == quantities


def test_sentence_without_tactic_or_marker_is_no_claim(extract):
    assert extract("Q?\nExecutive Summary\nThe weather was fine.\n").claims == []


def test_title_and_heading_claims(extract):
    rec = extract("Fact check: do police use stings?\nExecutive Summary\nx.\n1. How stings work\nx.\n")
    assert [(k.section_id, k.text) for k in rec.claims] == [("s1", "do police use stings?"), ("s3", "How stings work")]


def test_actors(extract):
    claim = claim_of(extract, "Interpol and the FBI ran stings.")
    assert [(a.label, a.text) for a in claim.actors][:2] == [("INTERNATIONAL_BODY", "Interpol"), ("AGENCY", "FBI")]
