from __future__ import annotations

import json

from typer.testing import CliRunner

from claimx.cli.main import app
from claimx.gold.spans import export_spans, load_docs
from claimx.output.rulestats import rule_stats
from claimx.records.schema import dumps

runner = CliRunner()
TEXT = "Fact check: q?\nExecutive Summary\nPolice ran sting operations and raids [1]. The weather was fine.\n"


def test_export_import_round_trip(extract, tmp_path):
    rec = extract(TEXT, doc_id="d1")
    spans = export_spans(rec)
    assert [(s["label"], s["text"]) for s in spans["spans"]] == [
        ("STING_OPERATION", "sting operations"),
        ("COORDINATED_ARRESTS", "raids"),
    ]
    (tmp_path / "r.jsonl").write_text(dumps(rec) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["gold", "export", str(tmp_path / "r.jsonl"), "-o", str(tmp_path / "s.jsonl")])
    assert result.exit_code == 0
    result = runner.invoke(app, ["gold", "import", str(tmp_path / "s.jsonl"), "-o", str(tmp_path / "g.jsonl")])
    assert result.exit_code == 0, result.output
    assert (
        runner.invoke(
            app, ["check", str(tmp_path / "g.jsonl"), str(tmp_path / "r.jsonl"), "--ignore", "source"]
        ).exit_code
        == 0
    )


def test_import_uses_annotated_spans(extract, tmp_path):
    start = TEXT.index("The weather")
    ann = {
        "doc_id": "d1",
        "text": TEXT,
        "spans": [
            {"start": start + 4, "end": start + 11, "label": "SURVEILLANCE"},
            {"start": 0, "end": 4, "label": "X"},
        ],
    }
    (tmp_path / "a.jsonl").write_text(json.dumps(ann) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["gold", "import", str(tmp_path / "a.jsonl"), "-o", str(tmp_path / "g.jsonl")])
    assert result.exit_code == 0, result.output
    (rec,) = load_docs(tmp_path / "g.jsonl").values()
    # The rule mentions are gone; the annotated one makes its sentence a tactic claim.
    assert [(k.text, [m.text for m in k.tactics]) for k in rec.claims] == [
        ("Police ran sting operations and raids [1].", []),
        ("The weather was fine.", ["weather"]),
    ]
    assert [w.code for w in rec.warnings] == ["W301"]  # the span on the title prefix lies in no unit


def test_rule_stats_counts(extract):
    recs = [extract(TEXT, doc_id="a"), extract("Q?\nExecutive Summary\nNothing here.\n", doc_id="b")]
    table = rule_stats(recs).set_index("rule_id")
    sting = table[table["label"] == "STING_OPERATION"].iloc[0]
    # fired once, in 1 of 2 documents, in 1 of 1 claims
    assert (sting.hits, sting.doc_coverage, sting.claim_coverage) == (1, 0.5, 1.0)


def test_eval_cli(extract, tmp_path):
    rec = extract(TEXT, doc_id="d1")
    (tmp_path / "p.jsonl").write_text(dumps(rec) + "\n", encoding="utf-8")
    start = TEXT.index("sting operations")
    gold = {"doc_id": "d1", "spans": [{"start": start, "end": start + 4, "label": "STING_OPERATION"}]}
    (tmp_path / "g.jsonl").write_text(json.dumps(gold) + "\n", encoding="utf-8")
    out = tmp_path / "e.json"
    result = runner.invoke(
        app, ["eval", str(tmp_path / "p.jsonl"), str(tmp_path / "g.jsonl"), "-o", str(out), "--missed"]
    )
    assert result.exit_code == 0, result.output
    rows = {(r["label"], r["mode"]): r for r in json.loads(out.read_text())["labels"]}
    # "sting" vs predicted "sting operations": not exact, but overlapping; raids is a false positive.
    assert rows[("STING_OPERATION", "exact")]["tp"] == 0
    assert rows[("STING_OPERATION", "overlap")]["recall"] == 1.0
    assert rows[("ALL", "overlap")]["precision"] == 0.5
    again = runner.invoke(app, ["eval", str(tmp_path / "p.jsonl"), str(tmp_path / "g.jsonl"), "--baseline", str(out)])
    assert "changes against the baseline:\n  none" in again.stdout


def test_records_read_in_both_gold_forms(extract, tmp_path):
    """A file may hold one-line records and pretty-printed ones (as tests/gold/ stores them), mixed."""
    from claimx.records.io import read_records
    from claimx.records.schema import dumps_gold

    a, b = extract(TEXT, doc_id="a"), extract(TEXT, doc_id="b")
    path = tmp_path / "g.jsonl"
    path.write_text(dumps(a) + "\n\n" + dumps_gold(b) + "\n", encoding="utf-8")
    docs = load_docs(path)
    assert list(docs) == ["a", "b"] and docs["a"] == a and docs["b"] == b
    assert [r.doc_id for r in read_records(path)] == ["a", "b"]  # the report's and table's reader too


def test_broken_pretty_record_names_its_line(extract, tmp_path):
    import pytest

    from claimx.errors import ConfigError
    from claimx.records.schema import dumps_gold

    lines = dumps_gold(extract(TEXT, doc_id="a")).splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith('"layout"'))
    lines[at] = lines[at].replace(":", "", 1)  # "layout" "headline_sections",
    path = tmp_path / "g.jsonl"
    path.write_text(dumps(extract(TEXT, doc_id="z")) + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_docs(path)
    assert err.value.message.startswith(f"{path}:{at + 2}: invalid JSON")  # line 1 is the one-line record
    path.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # never closed
    with pytest.raises(ConfigError, match="invalid JSON"):
        load_docs(path)


def test_import_writes_gold_form(extract, tmp_path):
    rec = extract(TEXT, doc_id="d1")
    (tmp_path / "s.jsonl").write_text(json.dumps(export_spans(rec)) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["gold", "import", str(tmp_path / "s.jsonl"), "-o", str(tmp_path / "g.jsonl")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "g.jsonl").read_text(encoding="utf-8")
    assert text.startswith('{\n  "schema_version"') and text.endswith("\n}\n")
