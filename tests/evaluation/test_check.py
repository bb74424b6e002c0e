from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from claimx.cli.main import app
from claimx.gold.check import compare, diff_records, summary_line
from claimx.records.schema import dumps, dumps_gold

TEXT = "Fact check: q?\nExecutive Summary\nPolice ran sting operations in 14 countries [1]. Nothing else [2].\n"


@pytest.fixture
def pair(extract):
    gold = extract(TEXT, doc_id="d1")
    return gold, gold.model_copy(deep=True)


def test_identical_records_have_no_changes(pair):
    gold, out = pair
    assert diff_records(out, gold, set()) == []
    assert summary_line(compare({"d1": out}, {"d1": gold}, set())) == "1 documents, 0 differ"


def test_lost_mention_and_relabel(pair):
    gold, out = pair
    claim = out.claims[0]
    sting = claim.tactics[0]
    claim.tactics[0] = sting.model_copy(update={"label": "UNDERCOVER_ONLINE"})
    changes = diff_records(out, gold, set())
    assert [(c.field, c.kind) for c in changes] == [("tactics", "changed")]
    assert "STING_OPERATION 'sting operations'" in changes[0].key and "UNDERCOVER_ONLINE" in changes[0].key
    claim.tactics.clear()
    changes = diff_records(out, gold, set())
    assert [(c.field, c.kind) for c in changes] == [("tactics", "lost")]
    assert changes[0].detail.startswith("Police ran sting operations")  # the sentence around it


def test_ignore_fields(pair):
    gold, out = pair
    out.warnings.append(type(gold).model_fields["warnings"].annotation.__args__[0](code="W999", message="x"))
    assert [c.field for c in diff_records(out, gold, set())] == ["warnings"]
    assert diff_records(out, gold, {"warnings"}) == []


def test_missing_and_extra_documents(pair):
    gold, out = pair
    diffs = compare({"d2": out}, {"d1": gold}, set())
    assert [(d.doc_id, d.status) for d in diffs] == [("d1", "missing"), ("d2", "extra")]
    assert summary_line(diffs) == "2 documents, 2 differ: 1 document extra, 1 document missing"


def test_cli_exit_codes_and_update(pair, tmp_path):
    gold, out = pair
    out.claims[0].tactics.clear()
    g, o = tmp_path / "gold.jsonl", tmp_path / "out.jsonl"
    g.write_text(dumps(gold) + "\n", encoding="utf-8")
    o.write_text(dumps(out) + "\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["check", str(o), str(g)])
    assert result.exit_code == 1
    assert "- tactics" in result.stdout and result.stdout.strip().endswith("1 documents, 1 differ: 1 mentions lost")
    as_json = json.loads(runner.invoke(app, ["check", str(o), str(g), "--format", "json"]).stdout)
    assert as_json["documents"][0]["changes"][0]["kind"] == "lost"
    assert runner.invoke(app, ["check", str(o), str(tmp_path / "nope.jsonl")]).exit_code == 2
    assert runner.invoke(app, ["check", str(o), str(g), "--update"]).exit_code == 0
    assert runner.invoke(app, ["check", str(o), str(g)]).exit_code == 0


def test_update_writes_gold_one_key_per_line(pair, tmp_path):
    gold, out = pair
    g, o = tmp_path / "gold.jsonl", tmp_path / "out.jsonl"
    g.write_text(dumps(gold) + "\n", encoding="utf-8")  # the old one-line form is read
    out.claims[0].tactics[0] = out.claims[0].tactics[0].model_copy(update={"end": out.claims[0].tactics[0].end - 1})
    o.write_text(dumps(out) + "\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["check", str(o), str(g), "--update"]).exit_code == 0
    lines = g.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "{" and lines[-1] == "}" and len(lines) > 50
    assert json.loads("\n".join(lines)) == json.loads(dumps(out)), "the same object as the one-line form"
    # A changed span is a changed line: only the mention's "end" differs from the old gold.
    before = dumps_gold(gold).splitlines()
    changed = [(a, b) for a, b in zip(before, lines, strict=False) if a != b]
    assert len(before) == len(lines) and changed == [
        (f'          "end": {gold.claims[0].tactics[0].end},', f'          "end": {gold.claims[0].tactics[0].end - 1},')
    ]
    assert runner.invoke(app, ["check", str(o), str(g)]).exit_code == 0
