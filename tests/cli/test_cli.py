from __future__ import annotations

import json
import subprocess
import sys

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


def test_rules_list_verbose_shows_sequences_and_open_patterns(tmp_path):
    pack = tmp_path / "tiny"
    pack.mkdir()
    (pack / "pack.yaml").write_text("name: tiny\ndescription: d\nlabels: {A_LABEL: def}\n", encoding="utf-8")
    (pack / "tactics.jsonl").write_text(
        json.dumps({"id": "t.finite", "label": "A_LABEL", "pattern": [{"LOWER": "fake"}, {"LOWER": "news", "OP": "?"}]})
        + "\n"
        + json.dumps(
            {"id": "t.open", "label": "A_LABEL", "pattern": [{"LOWER": "sting"}, {"IS_ALPHA": True, "OP": "+"}]}
        )
        + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["rules", "list", str(pack), "-v"])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line.strip().startswith("t.")}
    # "fake news?" is two fixed-length sequences; "sting IS_ALPHA+" is open: no sequence, one open pattern
    assert rows["t.finite"][2:6] == ["1", "patterns", "2", "sequences"]
    assert rows["t.open"][2:7] == ["1", "patterns", "0", "sequences", "1"]
    assert "open patterns on the indexed Matcher" in result.stdout


def test_rules_check_clean_and_broken(tmp_path):

    from tests.conftest import ROOT

    assert runner.invoke(app, ["rules", "check", str(ROOT / "configs" / "rules")]).exit_code == 0
    pack = tmp_path / "broken"
    pack.mkdir()
    (pack / "pack.yaml").write_text("name: broken\ndescription: d\nlabels: {A_LABEL: def}\n", encoding="utf-8")
    (pack / "tactics.jsonl").write_text(
        json.dumps({"id": "b.ok.001", "label": "A_LABEL", "pattern": "ok"})
        + "\n"
        + json.dumps({"id": "b.bad.001", "label": "A_LABEL", "pattern": [{"LOWER": {"IN": 3}}]})
        + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["rules", "check", str(pack)])
    assert result.exit_code == 1
    assert f"{pack / 'tactics.jsonl'}:2: invalid token pattern" in result.stdout


@pytest.mark.parametrize(
    "lexicons,tactic,where,message",
    [
        (
            [],
            {"pattern": "@media_nouns"},
            "tactics.jsonl:1",
            "unknown lexicon 'media_nouns' (did you mean 'media_noun'",
        ),
        (
            [{"id": "my_words", "words": ["x"], "include": ["nope"]}],
            {"pattern": "ok"},
            "lexicons.jsonl:1",
            "includes an unknown lexicon 'nope'",
        ),
        (
            [{"id": "my_words", "words": ["x"]}],
            {"pattern": "ok", "head": "nope"},
            "tactics.jsonl:1",
            "unknown lexicon 'nope'",
        ),
    ],
)
def test_rules_check_names_the_line_of_a_broken_lexicon_reference(tmp_path, lexicons, tactic, where, message):
    pack = tmp_path / "broken"
    pack.mkdir()
    (pack / "pack.yaml").write_text("name: broken\ndescription: d\nlabels: {A_LABEL: def}\n", encoding="utf-8")
    (pack / "lexicons.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lexicons), encoding="utf-8")
    (pack / "tactics.jsonl").write_text(
        json.dumps({"id": "b.x.001", "label": "A_LABEL", **tactic}) + "\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["rules", "check", str(pack)])
    assert result.exit_code == 1
    assert f"{pack / where}" in result.stdout and message in result.stdout, result.output


def test_explain_shows_mentions_and_rule_ids(tmp_path):

    doc = tmp_path / "a.txt"
    doc.write_text(
        "Fact check: q?\nExecutive Summary\nPolice often run sting operations in 14 countries [1].\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["explain", str(doc), "--no-color"])
    assert result.exit_code == 0, result.output
    assert "[sting operations]" in result.stdout
    assert "STING_OPERATION" in result.stdout and "le.sting." in result.stdout
    assert "cue.hedge.often" in result.stdout and "14 countries" in result.stdout


@pytest.mark.parametrize(
    "sentence,notes",
    [
        ("Police ran sting operations.", ["head @sting_head: 'operations'"]),
        (
            "They saw an AI-generated video.",
            ["@ai_prefix: 'AI'", "@ai_participle: 'generated'", "head @deepfake_head: 'video'"],
        ),
        ("The clips were doctored.", ["@edit_strong: 'doctored'", "before @edit_before: 'were'"]),
    ],
)
def test_explain_shows_what_lexicons_and_extensions_contributed(tmp_path, sentence, notes):
    doc = tmp_path / "a.txt"
    doc.write_text(f"Fact check: q?\nExecutive Summary\n{sentence}\n", encoding="utf-8")
    result = runner.invoke(app, ["explain", str(doc), "--no-color"])
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.stdout.splitlines()]
    for note in notes:
        assert note in lines, result.stdout


def test_eval_split_and_missed_by_label(tmp_path):
    text = "Q?\nExecutive Summary\nPolice ran stings. Informants called.\n"
    doc = tmp_path / "007.txt"
    doc.write_text(text, encoding="utf-8")
    pred = tmp_path / "pred.jsonl"
    assert runner.invoke(app, ["extract", str(doc), "-o", str(pred), "-q"]).exit_code == 0
    s1, s2 = text.index("stings"), text.index("Informants")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        json.dumps(
            {
                "doc_id": "007.txt",
                "spans": [
                    {"start": s1, "end": s1 + 6, "label": "STING_OPERATION", "text": "stings"},
                    {"start": s2, "end": s2 + 10, "label": "TIP_LINE", "text": "Informants"},
                ],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        [
            "eval",
            str(pred),
            str(gold),
            "--split",
            "first=001-010",
            "--split",
            "later=011-020",
            "--missed",
            "-o",
            str(tmp_path / "e.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "split first: 1 documents (001-010)" in result.stdout and "split later: 0 documents" in result.stdout
    assert "TIP_LINE (1)" in result.stdout and "[Informants] called." in result.stdout
    saved = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))
    first = {(r["label"], r["mode"]): r for r in saved["splits"]["first"]}
    assert first[("ALL", "exact")]["recall"] == 0.5  # stings found, Informants missed
    assert runner.invoke(app, ["eval", str(pred), str(gold), "--split", "nonsense"]).exit_code == 2


SPLIT = (
    "Fact check: did the city ban cash?\n\n1. Summary of the results\n\n"
    "Here's my analysis based on the provided information:\n\n1. Summary of the results:\n\n"
    "The council did not ban cash [1].\n\n2. Missing context/alternative viewpoints\nText [2].\n"
    "1. Summary of the results\n"
    "3. Potential misinformation/bias: what the post leaves out. The post cropped the sign so that only "
    "half of it shows [3].\n"
)


def _rows(stdout: str) -> dict[int, list[str]]:
    """line number -> [section, role, rule, text...] of `explain --sections` output."""
    rows = {}
    for line in stdout.splitlines():
        parts = line.split()
        if parts and parts[0].isdigit():
            rows[int(parts[0])] = parts[1:]
    return rows


def test_explain_sections_shows_each_line_role_rule_and_why(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text(SPLIT, encoding="utf-8")
    result = runner.invoke(app, ["explain", str(doc), "--sections", "--no-color", "--width", "200"])
    assert result.exit_code == 0, result.output
    rows = _rows(result.stdout)
    assert {n: r[:3] for n, r in rows.items()} == {
        1: ["s1", "title", "title.fact_check"],
        3: ["s2", "heading", "heading.fixed.summary"],
        5: ["s2", "aside", "line.aside.analysis"],
        7: ["s2", "heading_repeat", "heading.repeat.fixed"],
        9: ["s2", "paragraph", "-"],
        11: ["s3", "heading", "heading.fixed.context"],
        12: ["s3", "paragraph", "-"],
        13: ["s3", "paragraph", "-"],
        14: ["s4", "heading", "heading.numbered.inline_body"],
    }
    assert " ".join(rows[7][3:]) == "1. Summary of the results:"
    out = result.stdout
    assert "\u21b3 repeats the heading of s2 (heading.fixed.summary)" in out
    w102 = SPLIT.index("1. Summary of the results\n3.")
    assert (
        f"\u21b3 not a heading (heading.fixed.summary): W102 numbered line 1. at offset {w102} does not continue "
        "the numbering (2); kept as text"
    ) in out
    # Line 14: "3." continues the numbering; no fixed heading rule reads a body on the line, the inline one does.
    assert "s4   body        " in out and "3. 'Potential misinformation/bias: what the post leaves out'" in out
    assert f"warning W102: numbered line 1. at offset {w102}" in out
    assert "sections:" in out and "s3   body" in out


def test_explain_sections_heading_and_body_on_one_line(tmp_path):
    text = (
        "Q?\nExecutive summary \u2014 Short answer: no [1].\n"
        "1. What the slogan leaves out \u2014 a year to compare with. It names no starting year and no source, "
        "so nobody can say what doubled [2].\n"
    )
    doc = tmp_path / "a.txt"
    doc.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["explain", str(doc), "-s", "--no-color"])
    assert result.exit_code == 0, result.output
    rows = _rows(result.stdout)
    assert rows[2][:3] == ["s2", "summary_inline", "summary.inline"]
    assert rows[3][:3] == ["s3", "heading", "heading.numbered.inline_body"]
    assert rows[3][-1].endswith("\u2026")  # cut at --width (60 characters)
    hs, body = text.index("What the slogan"), text.index("It names")
    he = text.index(". It names")
    assert f"\u21b3 heading {hs}-{he}, body from offset {body}" in result.stdout
    assert "1. 'What the slogan leaves out \u2014 a year to compare with'" in result.stdout


def test_explain_sections_follows_the_config(tmp_path, config):
    """Without the repeat rule (a settings file of one's own), the repeated heading goes back (W102)."""
    lines = tmp_path / "lines.jsonl"
    packaged = config.path(config.settings.layout.lines).read_text(encoding="utf-8").splitlines()
    lines.write_text("\n".join(r for r in packaged if '"heading.repeat.fixed"' not in r) + "\n", encoding="utf-8")
    settings = tmp_path / "claimx.yaml"
    settings.write_text(
        f"layout: {{lines: {lines}, markers: {config.path(config.settings.layout.markers)}}}\n"
        "sentences: {punct_chars: ['.']}\n",
        encoding="utf-8",
    )
    doc = tmp_path / "a.txt"
    doc.write_text(SPLIT, encoding="utf-8")
    result = runner.invoke(app, ["explain", str(doc), "-s", "--no-color", "-c", str(settings)])
    assert result.exit_code == 0, result.output
    assert _rows(result.stdout)[7][:3] == ["s2", "paragraph", "-"]
    assert "not a heading (heading.fixed.summary): W102 numbered line 1." in result.stdout


def test_explain_sections_jsonl_and_bad_input(tmp_path):
    archive = tmp_path / "a.jsonl"
    archive.write_text(
        json.dumps({"id": "j1", "text": "Q one?\n1. A head\nx.\n"})
        + "\n"
        + json.dumps({"id": "j2", "text": ""})
        + "\n"
        + json.dumps({"id": "j3", "text": "Q three?\nx.\n"})
        + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["explain", str(archive), "--sections", "--no-color"])
    assert result.exit_code == 1  # one record gave an error
    assert "j1: Q one?" in result.stdout and "j3: Q three?" in result.stdout
    assert "error E104" in result.stderr
    missing = runner.invoke(app, ["explain", str(tmp_path / "nope.txt"), "--sections"])
    assert missing.exit_code == 2 and "E004" in missing.stderr


def test_every_failure_is_one_line_and_an_exit_code(monkeypatch):
    from claimx.cli.main import Typer
    from claimx.errors import ConfigError, Errors, ExitCode

    demo = Typer()

    @demo.command("boom")
    def boom(kind: str) -> None:
        if kind == "os":
            raise PermissionError(13, "Permission denied", "/nowhere/out.jsonl")
        if kind == "config":
            raise ConfigError(Errors.E004, path="missing/")
        if kind == "bug":
            raise KeyError("oops")
        raise KeyboardInterrupt

    @demo.command("fine")
    def fine() -> None:
        pass

    monkeypatch.delenv("CLAIMX_DEBUG", raising=False)
    cases = {
        "os": (ExitCode.RUN_FAILED, "[E010] /nowhere/out.jsonl: Permission denied"),
        "config": (ExitCode.USAGE, "[E004] input path does not exist: missing/"),
        "bug": (ExitCode.RUN_FAILED, "[E011] internal error: KeyError('oops')"),
        "stop": (ExitCode.INTERRUPTED, "claimx: interrupted"),
    }
    for kind, (code, message) in cases.items():
        result = runner.invoke(demo, ["boom", kind])
        assert result.exit_code == code, (kind, result.output)
        assert message in result.stderr and "Traceback" not in result.output
    monkeypatch.setenv("CLAIMX_DEBUG", "1")
    assert isinstance(runner.invoke(demo, ["boom", "bug"]).exception, KeyError)


def test_cli_import_leaves_unused_libraries_unread():
    """Start-up: the CLI reads pandas, the HTML report, Dask and hypothesis only for the commands that use them."""
    code = (
        "import sys, claimx.cli.main\n"
        "heavy = ['pandas', 'pyarrow', 'dask', 'distributed', 'hypothesis', 'claimx.output.report.build']\n"
        "print([m for m in heavy if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
