"""Flat tables (claimx.output.table, `claimx table`): counts, offsets and round trips.

Expected values are computed here from the records themselves, never from to_frame.
"""

from __future__ import annotations

import json
from collections import Counter

import pandas as pd
import pytest
from typer.testing import CliRunner

import claimx
from claimx.cli.main import app
from claimx.io.source import Source
from claimx.output.table import LEVEL_COLUMNS, read_table, to_frame
from claimx.records.schema import ErrorRecord, Record, dumps
from tests.conftest import ROOT

runner = CliRunner()
CORPUS = ROOT / "corpora"
COMMON = ["doc_id", "section_id", "section_kind", "start", "end", "text"]
LIST_COLUMNS = {"labels", "actor_labels", "citation_ids", "citation_refs", "refs", "targets"}


@pytest.fixture(scope="module")
def records(corpus_records) -> list[Record]:
    return corpus_records


@pytest.fixture(scope="module")
def records_file(records, tmp_path_factory):
    path = tmp_path_factory.mktemp("recs") / "claims.jsonl"
    path.write_text("".join(dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def expected_count(recs: list[Record], level: str) -> int:
    if level == "sections":
        return sum(len(r.sections) for r in recs)
    if level == "citations":
        return sum(len(r.citations) for r in recs)
    if level == "references":
        return sum(len(r.references) for r in recs)
    if level == "claims":
        return sum(len(r.claims) for r in recs)
    if level == "verdicts":
        return len(recs)
    field = {"mentions": "tactics"}.get(level, level)
    return sum(len(getattr(k, field)) for r in recs for k in r.claims)


def test_levels():
    assert set(LEVEL_COLUMNS) == {
        "sections",
        "claims",
        "mentions",
        "actors",
        "quantities",
        "hedges",
        "citations",
        "references",
        "verdicts",
    }


@pytest.mark.parametrize("level", list(LEVEL_COLUMNS))
def test_row_counts_and_offsets(records, level):
    frame = to_frame(records, level)
    assert len(frame) == expected_count(records, level)
    assert len(frame) > 0, "the corpus has items of every level"
    assert list(frame.columns[:6]) == COMMON
    by_id = {r.doc_id: r for r in records}
    for row in frame.itertuples(index=False):
        rec = by_id[row.doc_id]
        if pd.isna(row.start):
            assert level == "verdicts" and rec.verdict is None
            continue
        assert rec.text[row.start : row.end] == row.text, (level, row.doc_id, row.start)
        assert {s.id: s.kind for s in rec.sections}[row.section_id] == row.section_kind
    # Input order, then text order.
    doc_order = [r.doc_id for r in records]
    keys = [(doc_order.index(d), s, e) for d, s, e in zip(frame["doc_id"], frame["start"], frame["end"], strict=False)]
    assert keys == sorted(keys)


def test_tactics_is_another_name_for_mentions(records):
    pd.testing.assert_frame_equal(to_frame(records, "tactics"), to_frame(records, "mentions"))


def test_mentions_carry_claim_and_rule(records):
    frame = to_frame(records, "mentions")
    expected = Counter(
        (r.doc_id, k.id, k.certainty, m.label, m.rule_id, m.start, m.end)
        for r in records
        for k in r.claims
        for m in k.tactics
    )
    got = Counter(
        zip(
            frame["doc_id"],
            frame["claim_id"],
            frame["certainty"],
            frame["label"],
            frame["rule_id"],
            frame["start"],
            frame["end"],
            strict=False,
        )
    )
    assert got == expected


def test_claims_columns(records):
    frame = to_frame(records, "claims")
    expected = [
        (
            r.doc_id,
            k.id,
            k.kind,
            k.certainty,
            sorted({m.label for m in k.tactics}),
            list(k.citation_ids),
            list(k.citation_refs),
            len(k.tactics),
            len(k.hedges),
        )
        for r in records
        for k in r.claims
    ]
    got = [
        (
            row.doc_id,
            row.claim_id,
            row.kind,
            row.certainty,
            row.labels,
            row.citation_ids,
            row.citation_refs,
            row.n_tactics,
            row.n_hedges,
        )
        for row in frame.itertuples(index=False)
    ]
    assert got == expected
    assert any(len(labels) > 1 for labels in frame["labels"]), "some claim names two tactics"


def test_citations_columns(records):
    frame = to_frame(records, "citations")
    claim_of = {(r.doc_id, c): k.id for r in records for k in r.claims for c in k.citation_ids}
    expected = [
        (r.doc_id, c.id, c.refs, c.rule_id, c.sentence_start, c.sentence_end, claim_of.get((r.doc_id, c.id)))
        for r in records
        for c in r.citations
    ]
    got = [
        (
            row.doc_id,
            row.citation_id,
            row.refs,
            row.rule_id,
            row.sentence_start,
            row.sentence_end,
            None if pd.isna(row.claim_id) else row.claim_id,
        )
        for row in frame.itertuples(index=False)
    ]
    assert got == expected


def test_sections_columns(records):
    frame = to_frame(records, "sections")
    expected = [
        (r.doc_id, s.id, s.kind, s.number, s.heading, s.rule_id, len([k for k in r.claims if k.section_id == s.id]))
        for r in records
        for s in r.sections
    ]
    got = [
        (
            row.doc_id,
            row.section_id,
            row.section_kind,
            None if pd.isna(row.number) else row.number,
            None if pd.isna(row.heading) else row.heading,
            None if pd.isna(row.rule_id) else row.rule_id,
            row.n_claims,
        )
        for row in frame.itertuples(index=False)
    ]
    assert got == expected


@pytest.mark.parametrize("level", list(LEVEL_COLUMNS))
def test_empty_input_has_the_full_schema(records, level):
    empty, full = to_frame([], level), to_frame(records, level)
    assert len(empty) == 0
    assert list(empty.columns) == list(full.columns) == list(LEVEL_COLUMNS[level])
    assert dict(empty.dtypes) == dict(full.dtypes)


def test_dtypes_are_fixed(records):
    dtypes = to_frame(records, "claims").dtypes
    assert str(dtypes["doc_id"]) == "string" and str(dtypes["start"]) == "Int64"
    assert str(dtypes["n_tactics"]) == "Int64" and dtypes["labels"] == object  # noqa: E721 - a numpy dtype equals object, is not it
    assert str(to_frame(records, "quantities").dtypes["value"]) == "Float64"


def test_dicts_models_and_error_records(records):
    dicts = [json.loads(dumps(r)) for r in records]
    err = ErrorRecord(doc_id="bad", source=Source(path="x", format="txt"), code="E108", message="empty")
    mixed = [err, *dicts[:3], json.loads(dumps(err)), *records[3:]]
    for level in LEVEL_COLUMNS:
        pd.testing.assert_frame_equal(to_frame(mixed, level), to_frame(records, level))
    with pytest.raises(ValueError):
        to_frame(records, "words")


def test_records_without_text(records):
    bare = [r.model_copy(update={"text": None}) for r in records]
    sections = to_frame(bare, "sections")
    assert sections["text"].isna().all()
    assert to_frame(bare, "claims")["text"].tolist() == to_frame(records, "claims")["text"].tolist()


def test_public_export():
    assert claimx.to_frame is to_frame and "to_frame" in claimx.__all__


# --- the CLI -----------------------------------------------------------------------


def read_csv_documented(path, sep=","):
    """Read a CSV table the README way, with plain pandas."""
    frame = pd.read_csv(path, sep=sep, keep_default_na=False, na_values=[""])
    for name in frame.columns:
        if name in LIST_COLUMNS:
            frame[name] = frame[name].map(json.loads)
    return frame


@pytest.mark.parametrize("level", list(LEVEL_COLUMNS))
def test_cli_csv_and_parquet_round_trip(records, records_file, tmp_path, level):
    frame = to_frame(records, level)
    csv, parquet = tmp_path / "t.csv", tmp_path / "t.parquet"
    for out in (csv, parquet):
        result = runner.invoke(app, ["table", str(records_file), "--level", level, "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert f"wrote {len(frame)} {level} rows from {len(records)} documents" in result.stderr
    assert not list(tmp_path.glob(".*.tmp")), "temporary files are renamed"

    from_csv, from_parquet = read_csv_documented(csv), pd.read_parquet(parquet)
    assert len(from_csv) == len(from_parquet) == expected_count(records, level)
    assert list(from_csv.columns) == list(from_parquet.columns) == list(frame.columns)
    # Parquet keeps every dtype; list cells come back as numpy arrays.
    for name in LIST_COLUMNS & set(frame.columns):
        from_parquet[name] = from_parquet[name].map(list)
    pd.testing.assert_frame_equal(from_parquet, frame, check_dtype=False)
    assert dict(from_parquet.dtypes) == dict(frame.dtypes)

    # CSV has no types: compare values (nulls as None).
    def cells(f):
        return [
            [None if not isinstance(v, list) and pd.isna(v) else (list(v) if isinstance(v, list) else v) for v in row]
            for row in f.astype(object).itertuples(index=False)
        ]

    assert cells(from_csv) == cells(frame)
    # read_table restores the exact frame from every format.
    for fmt in ("tsv", "jsonl"):
        result = runner.invoke(app, ["table", str(records_file), "-l", level, "-o", str(tmp_path / f"t.{fmt}")])
        assert result.exit_code == 0, result.output
    for name in ("t.csv", "t.parquet", "t.tsv", "t.jsonl"):
        pd.testing.assert_frame_equal(read_table(tmp_path / name, level=level), frame)


def test_cli_stdout_is_csv(records, records_file):
    result = runner.invoke(app, ["table", str(records_file), "-l", "mentions", "-o", "-"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split(",") == list(LEVEL_COLUMNS["mentions"])
    assert len(lines) == 1 + expected_count(records, "mentions")  # mention texts hold no newline or quote


def test_cli_empty_input(tmp_path):
    src = tmp_path / "empty.jsonl"
    src.write_text("", encoding="utf-8")
    for level in LEVEL_COLUMNS:
        for suffix in ("csv", "parquet"):
            out = tmp_path / f"{level}.{suffix}"
            result = runner.invoke(app, ["table", str(src), "-l", level, "-o", str(out)])
            assert result.exit_code == 0, result.output
            back = read_csv_documented(out) if suffix == "csv" else pd.read_parquet(out)
            assert len(back) == 0 and list(back.columns) == list(LEVEL_COLUMNS[level])
            pd.testing.assert_frame_equal(read_table(out, level=level), to_frame([], level))


def test_cli_skips_error_records(records, tmp_path):
    err = ErrorRecord(doc_id="bad", source=Source(path="x", format="txt"), code="E108", message="empty")
    src = tmp_path / "mixed.jsonl"
    src.write_text(dumps(err) + "\n" + "".join(dumps(r) + "\n" for r in records[:2]), encoding="utf-8")
    out = tmp_path / "c.csv"
    result = runner.invoke(app, ["table", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(read_csv_documented(out)) == sum(len(r.claims) for r in records[:2])
    assert "from 2 documents" in result.stderr and "1 error records skipped" in result.stderr


def test_cli_folder_input_skips_errors_files(records, records_file, tmp_path):
    out = tmp_path / "s.csv"
    result = runner.invoke(app, ["table", str(records_file.parent), "-l", "sections", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(read_csv_documented(out)) == expected_count(records, "sections")


@pytest.mark.parametrize("args", [["-o", "t.xlsx"], ["-o", "t"], ["-l", "words", "-o", "t.csv"]])
def test_cli_bad_suffix_or_level_is_a_usage_error(records_file, tmp_path, args):
    args = [a if a.startswith("-") or not a.startswith("t") else str(tmp_path / a) for a in args]
    result = runner.invoke(app, ["table", str(records_file), *args])
    assert result.exit_code == 2
    assert "--level" in result.output or "--output" in result.output
    assert not list(tmp_path.iterdir()), "nothing is written"


@pytest.mark.parametrize("bad, line", [("{broken", 3), ('["a list"]', 3), ('{"doc_id": "x"}', 3)])
def test_cli_bad_line_names_file_and_line(records, tmp_path, bad, line):
    src = tmp_path / "bad.jsonl"
    src.write_text(dumps(records[0]) + "\n" + dumps(records[1]) + "\n" + bad + "\n", encoding="utf-8")
    out = tmp_path / "t.csv"
    result = runner.invoke(app, ["table", str(src), "-o", str(out)])
    assert result.exit_code == 2
    assert f"{src}:{line}:" in result.stderr
    assert not out.exists()


def test_cli_duplicate_doc_id(records, tmp_path):
    src = tmp_path / "dup.jsonl"
    src.write_text((dumps(records[0]) + "\n") * 2, encoding="utf-8")
    result = runner.invoke(app, ["table", str(src), "-o", str(tmp_path / "t.csv")])
    assert result.exit_code == 2 and f"{src}:2:" in result.stderr


def test_cli_missing_input(tmp_path):
    result = runner.invoke(app, ["table", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "t.csv")])
    assert result.exit_code == 2 and "E004" in result.stderr


@pytest.mark.parametrize("fmt", ["csv", "tsv", "parquet", "jsonl"])
def test_chunked_writing_gives_the_same_table(records, tmp_path, fmt):
    from claimx.output.table import iter_frames, write_frames

    whole = to_frame(records, "mentions")
    path = tmp_path / f"t.{fmt}"
    with path.open("wb") as fh:
        rows = write_frames(iter_frames(records, "mentions", chunk=4), fh, fmt)
    assert rows == len(whole) == expected_count(records, "mentions")
    pd.testing.assert_frame_equal(read_table(path, "mentions"), whole)


def test_cli_bad_line_after_written_chunks_leaves_no_file(records, tmp_path, monkeypatch):
    import functools

    import claimx.cli.table as cli_table

    monkeypatch.setattr(cli_table, "iter_frames", functools.partial(cli_table.iter_frames, chunk=1))
    src = tmp_path / "bad.jsonl"
    src.write_text("".join(dumps(r) + "\n" for r in records[:3]) + "{broken\n", encoding="utf-8")
    out = tmp_path / "out" / "t.parquet"
    result = runner.invoke(app, ["table", str(src), "-l", "claims", "-o", str(out)])
    assert result.exit_code == 2 and f"{src}:4:" in result.stderr
    assert not out.exists() and not list(out.parent.glob("*")), "the partial file is removed"


def test_reference_urls_and_marker_targets_in_the_tables(records):
    refs = to_frame(records, "references")
    expected = [r.url for rec in records for r in rec.references]
    assert [None if pd.isna(u) else u for u in refs["url"]] == expected
    assert refs[refs["doc_id"].str.startswith("web/")]["url"].notna().all() and any(expected)
    cites = to_frame(records, "citations")
    assert [list(t) for t in cites["targets"]] == [c.targets for rec in records for c in rec.citations]


def test_verdicts_table_sets_the_publishers_own_rating_beside_claimx_label(records):
    rows = to_frame(records, "verdicts")
    got = dict(zip(rows["doc_id"], (None if pd.isna(v) else v for v in rows["publisher_rating"]), strict=True))
    expected = {
        r.doc_id: next((c["reviewRating"]["alternateName"] for c in r.source.claimreview or ()), None) for r in records
    }
    assert got == expected
    assert sum(v is not None for v in got.values()) >= 3  # the web pages that embed a ClaimReview
