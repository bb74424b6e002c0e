"""tests/annotations/mentions.jsonl: hand annotations of the corpus, following the span convention.

The annotations were made by reading (not by running the rules). They must sit on
the corpus text exactly, and the shipped packs must keep their score on them.
"""

from __future__ import annotations

import pytest

from claimx.gold.evaluate import doc_items, items_of, score
from claimx.gold.spans import load_docs
from tests.conftest import ROOT

ANNOTATIONS = ROOT / "tests" / "annotations" / "mentions.jsonl"
# Measured when the packs were rebuilt on lexicons (17 documents, 438 mentions: 0.819 / 0.681); a floor, not a
# target. Articles 13 and 14 (29 mentions, not tuned on) brought the corpus to 0.814 / 0.668; articles 15-18
# (58 mentions, written for the verdicts and not tuned on beyond three surveillance word forms) to 0.800 / 0.650,
# the figures the floor now follows (23 documents, 525 mentions).
FLOOR = {"overlap": 0.800 - 0.02, "exact": 0.650 - 0.02}


@pytest.fixture(scope="module")
def annotations():
    return load_docs(ANNOTATIONS)


def test_every_corpus_document_is_annotated(annotations, annotated_records):
    assert set(annotations) == {r.doc_id for r in annotated_records}


def test_spans_sit_on_the_text(annotations, annotated_records):
    labels = {
        "UNDERCOVER_ONLINE",
        "STING_OPERATION",
        "COORDINATED_ARRESTS",
        "INTERDICTION",
        "BORDER_SCREENING",
        "CYBER_FORENSICS",
        "PLATFORM_DISRUPTION",
        "INTELLIGENCE_SHARING",
        "INTERNATIONAL_COOPERATION",
        "MULTI_AGENCY_TASK_FORCE",
        "TIP_LINE",
        "FINANCIAL_INVESTIGATION",
        "VICTIM_SERVICES",
        "SURVEILLANCE",
        "PHISHING",
        "IMPERSONATION",
        "DEEPFAKE",
        "MANIPULATED_MEDIA",
        "BOT_NETWORK",
        "FAKE_WEBSITE",
        "FABRICATED_QUOTE",
        "MISLEADING_STATISTICS",
    }
    for record in annotated_records:
        spans = sorted(annotations[record.doc_id].spans, key=lambda s: s["start"])
        for s in spans:
            assert record.text[s["start"] : s["end"]] == s["text"], (record.doc_id, s)
            assert s["text"] == s["text"].strip() and s["label"] in labels, (record.doc_id, s)
        for a, b in zip(spans, spans[1:], strict=False):
            assert a["end"] <= b["start"], f"{record.doc_id}: one label per span, {a} overlaps {b}"


@pytest.mark.parametrize("mode", ["overlap", "exact"])
def test_shipped_packs_keep_their_score(annotations, annotated_records, mode):
    pred = [i for r in annotated_records for i in items_of(r, "tactics")]
    gold = [i for d in annotations.values() for i in doc_items(d, "tactics")]
    f1 = score(pred, gold, mode).set_index("label").loc["ALL", "f1"]
    assert f1 >= FLOOR[mode], f"{mode} F1 {f1:.3f} fell below the floor {FLOOR[mode]:.3f}"
