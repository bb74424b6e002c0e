"""claimx inside spaCy: entry points, factory names, claimx.load(), claimx.cfg and overrides."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from typer.testing import CliRunner

import claimx
from claimx.cli.main import app
from claimx.config.pipeline import default_pipeline_path, read_pipeline_config
from claimx.errors import ConfigError
from tests.conftest import ROOT

CORPUS = ROOT / "corpora"
FACTORIES = [
    "claimx_sections",
    "claimx_citations",
    "claimx_sentences",
    "claimx_lemmatizer",
    "claimx_rules",
    "claimx_claims",
    "claimx_verdicts",
]

# Run in a fresh interpreter that never imports claimx itself: spaCy must find the
# tokenizer and every component through the package's entry points.
BY_NAME = r"""
import json, sys
import spacy

assert "claimx" not in sys.modules
nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "claimx.Tokenizer.v1"}}})
for name in json.loads(sys.argv[1]):
    nlp.add_pipe(name)
for line in sys.stdin:
    doc_id, text = json.loads(line)
    doc = nlp(text)
    spans = {
        "sections": [[s.start_char, s.end_char, s.label_] for s in doc.spans["sections"]],
        "citations": [[s.start_char, s.end_char, s._.refs] for s in doc.spans["citations"]],
        "tactics": [[s.start_char, s.end_char, s.label_, s.id_] for s in doc.spans["tactics"]],
        "claims": [[s.start_char, s.end_char, s.label_, s._.certainty, s._.refs] for s in doc.spans["claims"]],
    }
    print(json.dumps([doc_id, spans]))
"""


def spans_of(record: dict) -> dict:
    """The same span lists, read from a record that ``claimx extract`` wrote."""
    claims = record["claims"]
    return {
        "sections": [[s["start"], s["end"], s["kind"]] for s in record["sections"]],
        "citations": [[c["start"], c["end"], c["refs"]] for c in record["citations"]],
        "tactics": sorted(
            [[m["start"], m["end"], m["label"], m["rule_id"]] for k in claims for m in k["tactics"]],
            key=lambda m: (m[0], m[1], m[2]),
        ),
        "claims": [[k["start"], k["end"], k["kind"], k["certainty"], k["citation_refs"]] for k in claims],
    }


@pytest.fixture(scope="module")
def cli_records(tmp_path_factory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("cli") / "claims.jsonl"
    result = CliRunner().invoke(app, ["extract", str(CORPUS), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return {r["doc_id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}


def test_pipeline_by_factory_names_alone_matches_the_cli(cli_records):
    stdin = "".join(json.dumps([doc_id, rec["text"]]) + "\n" for doc_id, rec in sorted(cli_records.items()))
    proc = subprocess.run(
        [sys.executable, "-c", BY_NAME, json.dumps(FACTORIES)],
        input=stdin,
        text=True,
        capture_output=True,
        timeout=300,
        cwd=Path(__file__).parent,
    )
    assert proc.returncode == 0, proc.stderr
    results = dict(json.loads(line) for line in proc.stdout.splitlines())
    assert sorted(results) == sorted(cli_records)
    compared = 0
    for doc_id, spans in results.items():
        record = cli_records[doc_id]
        # The record keeps the tactic mentions of claims; a pipeline has them in every unit.
        claim_ranges = [(k["start"], k["end"]) for k in record["claims"]]
        spans["tactics"] = [t for t in spans["tactics"] if any(s <= t[0] and t[1] <= e for s, e in claim_ranges)]
        assert spans == spans_of(record), doc_id
        compared += sum(len(v) for v in spans.values())
    assert compared > 500  # the corpus really has spans of every kind


def test_load_builds_the_configured_pipeline():
    assert gc.isenabled()
    nlp = claimx.load()
    assert gc.isenabled()  # paused while the pipeline is built, then back as it was
    assert nlp.pipe_names == FACTORIES
    assert nlp.config["rules"]["packs"] == ["law_enforcement", "deception"]
    text = (
        "Fact check: Was a sting operation used?\n\nExecutive summary\n\n"
        "Officers may have run a sting operation [1, 2]. Nobody was charged [3].\n"
    )
    doc = nlp(text)
    assert [s.label_ for s in doc.spans["sections"]] == ["title", "summary"]
    for name in ("sections", "units", "citations", "tactics", "claims"):
        for span in doc.spans[name]:
            assert text[span.start_char : span.end_char] == span.text
    assert [s._.refs for s in doc.spans["citations"]] == [[1, 2], [3]]
    claims = [(c.text, c.label_, c._.certainty, c._.refs) for c in doc.spans["claims"]]
    assert claims == [
        ("Was a sting operation used?", "tactic", "asserted", []),
        ("Officers may have run a sting operation [1, 2].", "tactic", "hedged", [1, 2]),
        ("Nobody was charged [3].", "cited", "negated", [3]),  # "nobody" is a negation cue
    ]


def test_components_work_in_a_plain_blank_pipeline():
    nlp = spacy.blank("en")
    nlp.add_pipe("claimx_sections")
    nlp.add_pipe("claimx_citations")
    text = "Fact check: Is this a title?\n\n1. A heading\n\nBody text [4].\n"
    doc = nlp(text)
    assert [(s.label_, s.text.splitlines()[0]) for s in doc.spans["sections"]] == [
        ("title", "Fact check: Is this a title?"),
        ("body", "1. A heading"),
    ]
    assert [s.label_ for s in doc.spans["units"]] == ["title", "heading", "paragraph"]
    assert [(s.text, s._.refs) for s in doc.spans["citations"]] == [("[4]", [4])]


def test_saved_pipeline_loads_with_spacy_load(tmp_path):
    nlp = claimx.load(packs=["deception"])
    nlp.to_disk(tmp_path / "pipeline")
    again = spacy.load(tmp_path / "pipeline")
    text = "Fact check: Was the video a deepfake?\n\n1. Heading\n\nThe clip was a deepfake [2].\n"
    assert again.pipe_names == nlp.pipe_names
    first, second = nlp(text), again(text)
    for name in ("sections", "citations", "tactics", "claims"):
        assert [(s.start, s.end, s.label_) for s in first.spans[name]] == [
            (s.start, s.end, s.label_) for s in second.spans[name]
        ]
    assert {s.label_ for s in second.spans["tactics"]} == {"DEEPFAKE"}


def labels_of(path: Path) -> set[str]:
    return {
        m["label"]
        for line in path.read_text(encoding="utf-8").splitlines()
        for k in json.loads(line)["claims"]
        for m in k["tactics"]
    }


def pack_labels(name: str) -> set[str]:
    from claimx.rules.packs import resolve_packs

    (pack,) = resolve_packs(claimx.load_config(), [name])
    return set(pack.manifest.labels)


def test_dotted_override_chooses_packs_like_the_rules_option(tmp_path):
    runner = CliRunner()
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    r1 = runner.invoke(app, ["extract", str(CORPUS), "-o", str(a), "-q", "--rules.packs", "law_enforcement"])
    r2 = runner.invoke(app, ["extract", str(CORPUS), "-o", str(b), "-q", "--rules", "law_enforcement"])
    assert (r1.exit_code, r2.exit_code) == (0, 0), r1.output + r2.output
    assert a.read_bytes() == b.read_bytes()
    found = labels_of(a)
    assert found and found <= pack_labels("law_enforcement")
    assert not found & pack_labels("deception")


def test_config_file_with_other_packs(tmp_path):
    cfg = default_pipeline_path().read_text(encoding="utf-8")
    settings = default_pipeline_path().parent / "claimx.yaml"
    cfg = cfg.replace('settings = "claimx.yaml"', f"settings = {json.dumps(str(settings))}")
    cfg = cfg.replace('packs = ["law_enforcement","deception"]', 'packs = ["deception"]')
    (tmp_path / "mine.cfg").write_text(cfg, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(
        app, ["extract", str(CORPUS), "-o", str(out), "-q", "--config", str(tmp_path / "mine.cfg")]
    )
    assert result.exit_code == 0, result.output
    found = labels_of(out)
    assert found and found <= pack_labels("deception")


def test_relative_settings_path_starts_from_the_cfg_folder(tmp_path):
    (tmp_path / "claimx.cfg").write_text(default_pipeline_path().read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ConfigError, match="claimx.yaml"):
        claimx.load(tmp_path / "claimx.cfg")  # no claimx.yaml beside it
    cfg = read_pipeline_config(overrides={"paths.settings": str(default_pipeline_path().parent / "claimx.yaml")})
    assert cfg["components"]["claimx_rules"]["settings"] == cfg["paths"]["settings"]


@pytest.mark.parametrize(
    "args,message",
    [
        (["--rules.pack", "x"], "no setting 'rules.pack'"),
        (["--rules.packs", "nope"], "unknown rule pack 'nope'"),
        (["--paths.settings", "/nowhere/claimx.yaml"], "/nowhere/claimx.yaml"),
    ],
)
def test_bad_overrides_exit_2_with_the_reason(tmp_path, args, message):
    result = CliRunner().invoke(app, ["extract", str(CORPUS / "articles"), "-o", str(tmp_path / "o.jsonl"), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "o.jsonl").exists()


def test_an_option_that_is_not_an_override_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(app, ["extract", str(CORPUS), "-o", str(tmp_path / "o.jsonl"), "--bogus"])
    assert result.exit_code == 2
    assert "no such option" in result.output


def test_docs_serialise_for_multiprocessing_and_docbin():
    from spacy.tokens import DocBin

    nlp = claimx.load()
    texts = [p.read_text(encoding="utf-8") for p in sorted((CORPUS / "articles").glob("*.txt"))[:3]]
    texts.append("Fact check: odd markers?\n\nExecutive summary\n\nA range [3-1] is rejected [2].\n")

    def spans(doc):
        return {name: [(s.start, s.end, s.label_, s.id_) for s in group] for name, group in doc.spans.items()}

    one = list(nlp.pipe(texts))
    two = list(nlp.pipe(texts, n_process=2))
    assert [spans(d) for d in two] == [spans(d) for d in one]
    assert [[c._.certainty for c in d.spans["claims"]] for d in two] == [
        [c._.certainty for c in d.spans["claims"]] for d in one
    ]
    back = list(DocBin(store_user_data=True, docs=one).get_docs(nlp.vocab))
    assert [d._.layout for d in back] == [d._.layout for d in one]
    assert back[-1]._.rejected_markers == one[-1]._.rejected_markers
    assert [r.text for r in one[-1]._.rejected_markers] == ["[3-1]"]


def test_every_factory_of_the_default_pipeline_is_an_entry_point():
    """spaCy finds each component by entry point, without claimx imported first (pyproject.toml)."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = set(project["entry-points"]["spacy_factories"])
    pipeline = read_pipeline_config(default_pipeline_path())["nlp"]["pipeline"]
    assert set(pipeline) <= declared and set(FACTORIES) == set(pipeline)


def test_the_build_pause_leaves_the_collector_as_it_found_it():
    from claimx.nlp.language import _no_gc

    with _no_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with _no_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(RuntimeError), _no_gc():
        raise RuntimeError
    assert gc.isenabled()
