from __future__ import annotations

from pathlib import Path

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


def _widen_twice(doc, matches, bounds, is_marker):
    """Widening as it was first written, every match widened again in the second reading: (first, second)."""

    def mention(r) -> bool:
        return r.item.kind == "tactic" and not getattr(r.item.rule, "block", False)

    def run(starts):
        return [
            (start, end)
            if rule.extent is None
            else rule.extent.widen(doc, start, end, *bounds[k], is_marker, starts - {start})
            for rule, k, start, end in matches
        ]

    framed = [rule.extent is not None and rule.extent.object is not None for rule, *_ in matches]
    first = run(frozenset(s for (r, _, s, _), f in zip(matches, framed, strict=True) if mention(r) and not f))
    if not any(framed):
        return first, first
    again = frozenset(s for (r, _, s, _), sp in zip(matches, first, strict=True) if mention(r) and sp is not None)
    return first, run(again)


def _frame_texts(tmp_path_factory) -> list[str]:
    import sys

    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.pop(0)
    archive = tmp_path_factory.mktemp("frames") / "a"
    generate(archive, 80, 5)
    texts = [p.read_text(encoding="utf-8") for p in sorted((root / "corpora").rglob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted(archive.rglob("*.txt"))]
    # Frames side by side, so that a frame's window runs into another that survives.
    texts.append(
        "Scammers impersonate the bank and steal the username and password information of users.\n\n"
        "They pose as agents to steal your login details, then impersonate officials and confirm your account details."
    )
    return texts


def test_second_reading_widens_only_what_new_starts_reach(extractor, tmp_path_factory):
    """Frames are widened again only where a surviving frame starts inside their window: same spans as all again."""
    nlp = extractor.nlp
    rules = nlp.get_pipe("claimx_rules")
    names = [name for name, _ in nlp.pipeline]
    changed = 0  # documents where the second reading changes a span
    for text in _frame_texts(tmp_path_factory):
        doc = nlp.make_doc(text)
        for _name, proc in nlp.pipeline[: names.index("claimx_rules")]:
            doc = proc(doc)
        matches, bounds = rules._matches(doc)
        is_marker = rules._markers(doc)
        first, second = _widen_twice(doc, matches, bounds, is_marker)
        assert rules._widen(doc, matches, bounds, is_marker) == second
        changed += first != second
    assert changed  # the texts hold frames the second reading cuts short
