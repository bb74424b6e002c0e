from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from claimx.cli.main import app

runner = CliRunner()
ARTICLE = "Fact check: q?\nExecutive Summary\nA cited sentence [1].\n1. Head\nMore [2] [3].\n"


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    (root / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (root / "b.jsonl").write_text(json.dumps({"id": "j1", "text": ARTICLE}) + "\n{broken\n", encoding="utf-8")
    (root / "c.md").write_text(ARTICLE, encoding="utf-8")
    return root


def test_extract_writes_records_and_errors(tree, tmp_path):
    out = tmp_path / "out" / "claims.jsonl"
    result = runner.invoke(app, ["extract", str(tree), "-o", str(out)])
    assert result.exit_code == 1, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["doc_id"] for r in records] == ["a.txt", "j1", "c.md"]
    errors = [json.loads(line) for line in (tmp_path / "out" / "claims.errors.jsonl").read_text().splitlines()]
    assert [(e["doc_id"], e["code"], e["source"]["line"]) for e in errors] == [("b.jsonl:2", "E102", 2)]
    assert "4 documents: 3 records, 1 errors" in result.stderr
    assert not list(out.parent.glob(".*.tmp")), "temporary files are renamed or removed"


def test_extract_is_byte_stable(tree, tmp_path):
    outs = []
    for n in (1, 2):
        out = tmp_path / f"o{n}.jsonl"
        runner.invoke(app, ["extract", str(tree), "-o", str(out), "-q"])
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_extract_stdin_to_stdout(tmp_path):
    result = runner.invoke(app, ["extract", "-", "--no-text", "--errors", str(tmp_path / "e.jsonl")], input=ARTICLE)
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["doc_id"] == "stdin" and record["text"] is None
    assert [c["refs"] for c in record["citations"]] == [[1], [2], [3]]


def test_missing_path_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["extract", str(tmp_path / "nope"), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 2
    assert "E004" in result.stderr
    assert not (tmp_path / "o.jsonl").exists()


def test_broken_config_is_a_usage_error(tmp_path):
    bad = tmp_path / "claimx.yaml"
    bad.write_text("layout: [", encoding="utf-8")
    result = runner.invoke(app, ["extract", "-", "-c", str(bad)], input="x")
    assert result.exit_code == 2
    assert "E002" in result.stderr


def test_schema_lists_record_fields():
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    props = json.loads(result.stdout)["properties"]
    assert list(props)[:4] == ["schema_version", "doc_id", "source", "title"]


def test_rules_list_shows_labels_and_counts():

    result = runner.invoke(app, ["rules", "list", "deception"])
    assert result.exit_code == 0, result.output
    assert "deception:" in result.stdout
    line = next(line for line in result.stdout.splitlines() if line.strip().startswith("DEEPFAKE"))
    assert int(line.split()[1]) > 5


def test_rules_check_clean_and_broken(tmp_path):

    from .conftest import ROOT

    assert runner.invoke(app, ["rules", "check", str(ROOT / "configs" / "rules")]).exit_code == 0
    pack = tmp_path / "broken"
    pack.mkdir()
    (pack / "pack.yaml").write_text("name: broken\ndescription: d\nlabels: {A_LABEL: def}\n", encoding="utf-8")
    (pack / "tactics.jsonl").write_text(
        json.dumps({"id": "b.ok.001", "label": "A_LABEL", "pattern": "ok"}) + "\n"
        + json.dumps({"id": "b.bad.001", "label": "A_LABEL", "pattern": [{"LOWER": {"IN": 3}}]}) + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["rules", "check", str(pack)])
    assert result.exit_code == 1
    assert f"{pack / 'tactics.jsonl'}:2: invalid token pattern" in result.stdout


def test_explain_shows_mentions_and_rule_ids(tmp_path):

    doc = tmp_path / "a.txt"
    doc.write_text("Fact check: q?\nExecutive Summary\nPolice often run sting operations in 14 countries [1].\n",
                   encoding="utf-8")
    result = runner.invoke(app, ["explain", str(doc), "--no-color"])
    assert result.exit_code == 0, result.output
    assert "[sting operations]" in result.stdout
    assert "STING_OPERATION" in result.stdout and "le.sting." in result.stdout
    assert "cue.hedge.often" in result.stdout and "14 countries" in result.stdout


@pytest.mark.parametrize("sentence,notes", [
    ("Police ran sting operations.", ["head @sting_head: 'operations'"]),
    ("They saw an AI-generated video.", ["@ai_prefix: 'AI'", "@ai_participle: 'generated'", "head @deepfake_head: 'video'"]),
    ("The clips were doctored.", ["@edit_strong: 'doctored'", "before @edit_before: 'were'"]),
])
def test_explain_shows_what_lexicons_and_extensions_contributed(tmp_path, sentence, notes):
    doc = tmp_path / "a.txt"
    doc.write_text(f"Fact check: q?\nExecutive Summary\n{sentence}\n", encoding="utf-8")
    result = runner.invoke(app, ["explain", str(doc), "--no-color"])
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.stdout.splitlines()]
    for note in notes:
        assert note in lines, result.stdout
