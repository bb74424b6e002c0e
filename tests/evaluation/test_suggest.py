"""claimx rules suggest: misses grouped by shared lemma, each group measured; nothing written."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from claimx.cli.main import app
from claimx.gold.evaluate import Item
from claimx.gold.suggest import Suggester

runner = CliRunner()


@pytest.fixture(scope="module")
def suggester(extractor):
    return Suggester(extractor.nlp, extractor.config)


def test_groups_by_shared_head_then_modifier(suggester):
    misses = [
        Item("d", 0, 10, "DEEPFAKE", "", "bogus clips"),
        Item("d", 20, 30, "DEEPFAKE", "", "phoney clips"),
        Item("d", 40, 50, "DEEPFAKE", "", "phoney voices"),
        Item("d", 60, 70, "TIP_LINE", "", "the informants"),
    ]
    groups = suggester.groups(misses)
    assert [(g.label, g.group, len(g.misses)) for g in groups] == [
        ("DEEPFAKE", "head 'clip'", 2),
        ("DEEPFAKE", "head 'voice'", 1),
        ("TIP_LINE", "head 'informant'", 1),
    ]
    assert groups[0].pattern == [{"LEMMA": {"IN": ["bogus", "phoney"]}}, {"LEMMA": "clip"}]
    assert groups[2].pattern == "informant"  # a one-word mention gives a phrase ("the" is a function word)


def test_cli_measures_recovered_and_new_hits(tmp_path):
    text = "Fact check: q?\nExecutive Summary\nThe informants called. More informants wrote in.\n"
    doc = tmp_path / "a.txt"
    doc.write_text(text, encoding="utf-8")
    pred = tmp_path / "pred.jsonl"
    assert runner.invoke(app, ["extract", str(doc), "-o", str(pred), "-q"]).exit_code == 0
    start = text.index("informants")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        json.dumps(
            {
                "doc_id": "a.txt",
                "spans": [{"start": start, "end": start + 10, "label": "TIP_LINE", "text": "informants"}],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "c.txt").write_text(
        "Q?\nExecutive Summary\nInformants helped twice; an informant called.\n", encoding="utf-8"
    )
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    result = runner.invoke(app, ["rules", "suggest", str(pred), str(gold), "--corpus", str(corpus)])
    assert result.exit_code == 0, result.output
    # one miss recovered; the second "tipsters" on the page is outside gold; two hits in the corpus
    assert "TIP_LINE  head 'informant'  recovered 1  new_dev 1  new_corpus 2" in result.stdout
    assert '"pattern": "informant"' in result.stdout
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_cli_no_common_documents(tmp_path):
    pred, gold = tmp_path / "p.jsonl", tmp_path / "g.jsonl"
    pred.write_text("", encoding="utf-8")
    gold.write_text(json.dumps({"doc_id": "x", "spans": []}) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["rules", "suggest", str(pred), str(gold), "--corpus", str(tmp_path)])
    assert result.exit_code == 2 and "no doc_id is in both" in result.output
