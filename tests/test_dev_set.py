"""Tactic mentions on real fact-check pages (../shared/dev), scored against their hand annotations.

A regression floor, not a target: the figures reached when the packs were rebuilt,
minus 0.02. The pages are read from ../shared and never copied into the project;
the test is skipped where that folder is absent.
"""

from __future__ import annotations

import pytest

from claimx.evaluate import Split, doc_items, items_of, score
from claimx.goldio import load_docs
from claimx.readers import read_inputs
from claimx.records import Record

from .conftest import ROOT

DEV = ROOT.parent / "shared" / "dev"
# Measured on the whole dev set (36 pages, 430 mentions) when this floor was set; see the README.
FLOOR = {"overlap": 0.909 - 0.02, "exact": 0.767 - 0.02}

pytestmark = pytest.mark.skipif(not (DEV / "pages").is_dir(), reason="../shared/dev is not here")


@pytest.fixture(scope="module")
def scored(extractor):
    records = {r.doc_id: r for r in extractor(read_inputs([str(DEV / "pages")], extractor.config.settings.input))}
    assert all(isinstance(r, Record) for r in records.values())
    gold = load_docs(DEV / "mentions.jsonl")
    assert set(gold) == set(records)
    pred = [i for r in records.values() for i in items_of(r, "tactics")]
    return pred, [i for d in gold.values() for i in doc_items(d, "tactics")]


@pytest.mark.parametrize("mode", ["overlap", "exact"])
def test_whole_dev_set_keeps_its_floor(scored, mode):
    pred, gold = scored
    f1 = score(pred, gold, mode).set_index("label").loc["ALL", "f1"]
    assert f1 >= FLOOR[mode], f"{mode} F1 {f1:.3f} fell below the floor {FLOOR[mode]:.3f}"


@pytest.mark.parametrize("part", ["tune=001-024", "check=025-036"])
def test_both_parts_are_scored(scored, part):
    split = Split(part)
    pred, gold = scored
    sel = [i for i in gold if i.doc_id in split]
    assert sel and score([i for i in pred if i.doc_id in split], sel, "overlap").set_index("label").loc["ALL", "f1"] > 0.5
