"""The bad-input catalogue: each case, generated here, with its expected outcome written down.

Outcome is ("record", warning codes expected) or ("error", error code).
"""

from __future__ import annotations

import gzip
import json
import os

import pytest

from claimx.run.batch import Job, run_batch
from tests.conftest import ROOT

ARTICLE = "Fact check: q?\nExecutive Summary\nPolice ran stings [1].\n1. Head\nBody [2].\n"
BIG_LINE = ("the weather was fine and nothing else happened that day. " * 90_000)[:5_000_000] + " The end [1]."


def jsonl(*objs_or_lines) -> bytes:
    return "".join((o if isinstance(o, str) else json.dumps(o)) + "\n" for o in objs_or_lines).encode()


# name -> (bytes, [(doc_id, outcome, code-or-codes)])
CATALOGUE: dict[str, tuple[bytes, list[tuple[str, str, object]]]] = {
    "empty.txt": (b"", [("empty.txt", "error", "E108")]),
    "blank.txt": (b"  \n\t\n", [("blank.txt", "error", "E108")]),
    "furniture.txt": (
        b"Keep Factually independent\nLoading...\nWas this fact-check helpful?\n",
        [("furniture.txt", "record", {"W103"})],
    ),
    "no_sections.txt": (
        ("plain prose without any heading at all, long enough to be a paragraph. " * 8).encode(),
        [("no_sections.txt", "record", {"W103"})],
    ),
    "binary.txt": (bytes(range(256)) * 4, [("binary.txt", "error", "E101")]),
    "latin1.txt": (
        "Fact check: caf\u00e9?\nExecutive Summary\nx [1].\n".encode("cp1252"),
        [("latin1.txt", "record", {"W001"})],
    ),
    "utf16.txt": (ARTICLE.encode("utf-16"), [("utf16.txt", "record", set())]),
    "crlf.txt": (ARTICLE.replace("\n", "\r\n").encode(), [("crlf.txt", "record", set())]),
    "mixed_newlines.txt": (
        b"Fact check: q?\r\nExecutive Summary\rA [1].\n1. H\r\nB.\n",
        [("mixed_newlines.txt", "record", set())],
    ),
    "odd_spaces.txt": (
        "Fact\u00a0check: q\u200b?\n\tExecutive Summary\nA\u200b[1]\u00a0[2]. multi\u2011agency\n1.\u00a0Head\u2011ing\nB.\n".encode(),  # noqa: E501
        [("odd_spaces.txt", "record", set())],
    ),
    "huge_one_line.txt": (BIG_LINE.encode(), [("huge_one_line.txt", "record", {"W103"})]),
    "archive.jsonl": (
        jsonl(
            {"id": "ok1", "text": ARTICLE},
            "{not json",
            [1, 2],
            {"id": "nt"},
            {"id": "e", "text": ""},
            {"id": "n", "text": 5},
            {"id": "ok1", "text": ARTICLE},
            {"text": ARTICLE},
        ),
        [
            ("ok1", "record", set()),
            ("archive.jsonl:2", "error", "E102"),
            ("archive.jsonl:3", "error", "E103"),
            ("nt", "error", "E104"),
            ("e", "error", "E104"),
            ("n", "error", "E104"),
            ("ok1", "error", "E109"),
            ("archive.jsonl:8", "record", set()),
        ],
    ),
    "truncated.txt.gz": (
        gzip.compress("".join(f"line {i} {i * i}\n" for i in range(5000)).encode(), mtime=0)[:2000],
        [("truncated.txt.gz", "error", "E107")],
    ),
    "not_gzip.txt.gz": (b"plain bytes", [("not_gzip.txt.gz", "error", "E107")]),
    "page.html": (
        b"<html><head><style>.a{}</style><script>var s='[1]';</script></head><body><!-- c -->"
        b"<h1>Fact check: q &amp; a?</h1><table><tr><td><table><tr><td>Executive Summary</td></tr></table>"
        b"</td></tr></table><p>It&#8217;s x [1]<p>unclosed",
        [("page.html", "record", set())],
    ),
    "markers.txt": (
        b"Fact check: q?\nExecutive Summary\nEdges [0] [999999999999999999999] [1-] [3-1] [1,,2] [ 1 ] [1\n"
        b"1. Head [2]\nx.\n",
        [("markers.txt", "record", {"W201"})],
    ),
    # Not a title (the fallback title rule wants a letter): unsectioned text with three markers.
    "only_markers.txt": (b"[1] [2] [3]\n", [("only_markers.txt", "record", {"W103"})]),
    "headings.txt": (
        b"Fact check: q?\n10. Ten\nx.\n12. Twelve\n\n99.\n13. No body\n5. Restart\n",
        [("headings.txt", "record", {"W101", "W102"})],
    ),
    "unknown.pdf": (b"%PDF-1.4", [("unknown.pdf", "error", "E106")]),
}


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    root = tmp_path_factory.mktemp("catalogue")
    for name, (data, _) in CATALOGUE.items():
        (root / name).write_bytes(data)
    (root / "loop").mkdir()
    os.symlink(root / "loop", root / "loop" / "again")  # a directory symlink loop
    return root


@pytest.fixture(scope="module")
def run(catalogue, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "claims.jsonl"
    summary = run_batch([str(catalogue)], output=out, job=Job(None, None), batch_size=4)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    errors = [json.loads(line) for line in out.with_name("claims.errors.jsonl").read_text().splitlines()]
    return summary, records, errors


def test_every_input_is_accounted_for(run):
    summary, records, errors = run
    expected = sum(len(cases) for _, cases in CATALOGUE.values())
    assert summary.inputs == summary.records + summary.errors == expected
    assert (len(records), len(errors)) == (summary.records, summary.errors)


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_catalogue_case(run, name):
    _, records, errors = run
    for doc_id, outcome, code in CATALOGUE[name][1]:
        if outcome == "error":
            hits = [e for e in errors if e["doc_id"] == doc_id and e["code"] == code]
            assert hits, f"{doc_id}: expected error {code}"
            assert hits[0]["message"].startswith(hits[0]["source"]["path"])  # names the file (and line)
        else:
            (rec,) = [r for r in records if r["doc_id"] == doc_id]
            assert {w["code"] for w in rec["warnings"]} == code
            text = rec["text"]
            for c in rec["citations"]:
                assert text[c["start"] : c["end"]] == c["text"]


def test_huge_line_is_read_in_pieces(run):
    _, records, _ = run
    (rec,) = [r for r in records if r["doc_id"] == "huge_one_line.txt"]
    assert len(rec["text"]) == len(BIG_LINE)
    assert [c["text"] for c in rec["citations"]] == ["[1]"]
    assert rec["text"][rec["citations"][0]["start"] :].startswith("[1]")


def test_a_line_of_markers_is_not_a_title(run):
    _, records, _ = run
    (rec,) = [r for r in records if r["doc_id"] == "only_markers.txt"]
    assert rec["title"] is None and [s["kind"] for s in rec["sections"]] == ["body"]
    assert [c["refs"] for c in rec["citations"]] == [[1], [2], [3]]


def test_marker_edges(run):
    _, records, _ = run
    (rec,) = [r for r in records if r["doc_id"] == "markers.txt"]
    assert [c["text"] for c in rec["citations"]] == ["[ 1 ]", "[2]"]
    assert sorted(w["message"].split("'")[1] for w in rec["warnings"]) == ["[0]", "[3-1]"]


def test_heading_edges(run):
    _, records, _ = run
    (rec,) = [r for r in records if r["doc_id"] == "headings.txt"]
    assert [(s["number"], s["heading"]) for s in rec["sections"] if s["number"]] == [
        (10, "Ten"),
        (12, "Twelve"),
        (13, "No body"),
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file(tmp_path):
    f = tmp_path / "secret.txt"
    f.write_text(ARTICLE)
    f.chmod(0)
    summary = run_batch([str(tmp_path)], output=tmp_path / "o.jsonl", job=Job(None, None))
    assert summary.errors == 1


def test_many_tiny_documents(tmp_path):
    """Many tiny documents in one JSONL file are all accounted for (5,000 here, in three batches: the memory
    per document at 1,000,000 lines is benchmarks/input_faults.py's; the doc_id index's spill to disk is
    test_faults_input's)."""
    (tmp_path / "tiny.jsonl").write_bytes(jsonl(*({"id": f"t{i}", "text": f"Fact check: q{i}?"} for i in range(5_000))))
    summary = run_batch([str(tmp_path)], output=tmp_path / "o.parts" / "o.jsonl", job=Job(None, None), batch_size=2000)
    assert summary.records == 5_000 and summary.errors == 0


def test_catalogue_beside_the_corpus_changes_no_corpus_record(catalogue, tmp_path):
    out = tmp_path / "o.jsonl"
    run_batch([str(ROOT / "corpora"), str(catalogue)], output=out, job=Job(None, None))
    got = {rec["doc_id"]: rec for rec in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    alone = tmp_path / "alone.jsonl"
    run_batch([str(ROOT / "corpora")], output=alone, job=Job(None, None))
    for rec in map(json.loads, alone.read_text(encoding="utf-8").splitlines()):
        # With two inputs, ids made from paths start with the input's name (JSONL ids
        # stay as written); nothing else differs.
        doc_id = rec["doc_id"] if rec["source"]["format"] == "jsonl" else f"corpora/{rec['doc_id']}"
        assert got[doc_id] == {**rec, "doc_id": doc_id}


def test_broken_rule_file_stops_before_reading(tmp_path):
    from typer.testing import CliRunner

    from claimx.cli.main import app

    cfg_dir = tmp_path / "cfg"
    import shutil

    shutil.copytree(ROOT / "configs", cfg_dir)
    lines = cfg_dir / "layout" / "lines.jsonl"
    lines.write_text(lines.read_text() + '{"id": "bp.slow", "role": "boilerplate", "pattern": "(a+)+b"}\n')
    result = CliRunner().invoke(
        app, ["extract", str(ROOT / "corpora"), "-o", str(tmp_path / "o.jsonl"), "-c", str(cfg_dir / "claimx.yaml")]
    )
    assert result.exit_code == 2
    assert f"{lines}:" in result.stderr and "exponential" in result.stderr
    assert not (tmp_path / "o.jsonl").exists()
