"""The record-reading commands (eval, check, gold, report, table, rules stats) under faults (issue 17).

Every bad input file gives exit 2 and one ``claimx: error: [CODE] path:line: message``
(never an internal error, never a traceback); every output that cannot be written gives
exit 3 and leaves nothing under its final name. Disk-full and read-only outputs are
simulated with monkeypatch; a real tmpfs is used in addition when ``mount`` works.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimx.about import __version__
from claimx.cli.main import app
from claimx.errors import Errors
from claimx.gold.check import diff_records
from claimx.io.source import Source
from claimx.records.schema import ErrorRecord, dumps

runner = CliRunner()

TEXT = "Fact check: q?\nExecutive Summary\nPolice ran sting operations and raids [1]. The weather was fine.\n"
# Two tactic claims far apart: offsets 50-ish and 200-ish (as strings "200" sorts before "50").
FAR = (
    "Fact check: q?\nExecutive Summary\nPolice ran sting operations [1]. "
    + "The weather was fine all day long. " * 5
    + "Officers carried out raids [2].\n"
)


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def assert_usage_error(result, code: str, where: str) -> None:
    """Exit 2, one error line with the code and the place, no internal error."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"claimx: error: [{code}] {where}"), result.stderr
    assert "E011" not in result.stderr and "Traceback" not in result.stderr


@pytest.fixture
def record(extract):
    return extract(TEXT, doc_id="d1")


@pytest.fixture
def pred(record, tmp_path) -> Path:
    path = tmp_path / "pred.jsonl"
    path.write_text(dumps(record) + "\n", encoding="utf-8")
    return path


def spans_file(tmp_path: Path, spans: object, *, text: str | None = None) -> Path:
    ann = {"doc_id": "d1", "spans": spans} | ({"text": text} if text is not None else {})
    path = tmp_path / "spans.jsonl"
    path.write_text(json.dumps(ann) + "\n", encoding="utf-8")
    return path


GOOD = {"start": 33, "end": 39, "label": "STING_OPERATION"}
BAD_SPANS = {
    "missing_end": ([{"start": 33, "label": "STING_OPERATION"}], None, "spans[0].end: Field required"),
    "non_int_offsets": ([GOOD | {"start": "33"}], None, "spans[0].start: Input should be a valid integer"),
    "float_offsets": ([GOOD | {"end": 39.5}], None, "spans[0].end: Input should be a valid integer"),
    "spans_a_string": ("33-39", None, "spans: Input should be a valid list"),
    "end_before_start": ([GOOD | {"end": 20}], None, "spans[0]: end 20 is not after start 33"),
    "outside_own_text": ([GOOD | {"end": 5000}], TEXT, "spans[0]: offsets 33-5000 lie outside the text"),
    "outside_record_text": (
        [GOOD | {"start": 4000, "end": 4010}],
        None,
        f"spans[0]: offsets 4000-4010 lie outside the text ({len(TEXT)} characters)",
    ),
}


@pytest.mark.parametrize("case", list(BAD_SPANS))
def test_eval_names_a_malformed_span(case, pred, tmp_path):
    spans, text, message = BAD_SPANS[case]
    gold = spans_file(tmp_path, spans, text=text)
    result = run("eval", pred, gold)
    assert_usage_error(result, "E050", f"{gold}:1:")
    assert message in result.stderr
    assert "ALL" not in result.stdout, "nothing is scored"


@pytest.mark.parametrize("case", list(BAD_SPANS))
def test_gold_import_names_a_malformed_span_and_writes_nothing(case, pred, tmp_path):
    spans, text, message = BAD_SPANS[case]
    gold = spans_file(tmp_path, spans, text=text)
    out = tmp_path / "gold.jsonl"
    result = run("gold", "import", gold, "--texts", pred, "-o", out)
    assert_usage_error(result, "E050", f"{gold}:1:")
    assert message in result.stderr and not out.exists()


def test_every_bad_annotation_is_named(pred, tmp_path):
    """One message per problem: every bad line of the file, not only the first."""
    gold = tmp_path / "spans.jsonl"
    lines = [
        {"doc_id": "a", "spans": [{"start": 1, "label": "X"}]},
        {"doc_id": "d1", "spans": [GOOD]},
        {"doc_id": "b", "spans": "no"},
        {"doc_id": "d1", "spans": [GOOD]},
    ]
    gold.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    result = run("eval", pred, gold)
    assert_usage_error(result, "E050", f"{gold}:1: not a span annotation: spans[0].end: Field required")
    assert f"{gold}:3: not a span annotation: spans: Input should be a valid list" in result.stderr
    assert f"{gold}:4: duplicate doc_id 'd1'" in result.stderr


def test_numeric_doc_ids_of_annotations_still_read(extract, tmp_path):
    rec = extract(TEXT, doc_id="7")
    pred = tmp_path / "p.jsonl"
    pred.write_text(dumps(rec) + "\n", encoding="utf-8")
    gold = tmp_path / "g.jsonl"
    gold.write_text(json.dumps({"doc_id": 7, "spans": [GOOD | {"token_start": 6}]}) + "\n", encoding="utf-8")
    assert run("eval", pred, gold).exit_code == 0


def _corrupt(record, how: str) -> dict:
    data = json.loads(dumps(record))
    n = len(data["text"])
    if how == "mention_past_the_end":
        mention = next(m for k in data["claims"] for m in k["tactics"])
        mention["start"], mention["end"] = n + 10, n + 20
    elif how == "section_past_the_end":
        data["sections"][-1]["end"] = n + 500
    elif how == "negative_offset":
        data["citations"][0]["start"] = -3
    elif how == "text_cut_short":
        data["text"] = data["text"][:20]
    return data


N = len(TEXT)
CORRUPT = {
    "mention_past_the_end": f"claims[0].tactics[0]: offsets {N + 10}-{N + 20} lie outside the text ({N} characters)",
    "section_past_the_end": f"offsets 15-{N + 500} lie outside the text ({N} characters)",
    "negative_offset": "citations[0]: offsets -3-",
    "text_cut_short": "lie outside the text (20 characters)",
}


@pytest.mark.parametrize("command", ["report", "table", "check", "eval"])
@pytest.mark.parametrize("how", list(CORRUPT))
def test_offsets_outside_the_text_are_named(command, how, record, pred, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(dumps(record) + "\n" + json.dumps(_corrupt(record, how) | {"doc_id": "d2"}) + "\n", encoding="utf-8")
    out = tmp_path / ("site" if command == "report" else "t.csv")
    args = {
        "report": ("report", bad, "-o", out),
        "table": ("table", bad, "-o", out),
        "check": ("check", bad, pred),
        "eval": ("eval", bad, pred),
    }[command]
    result = run(*args)
    assert_usage_error(result, "E050", f"{bad}:2:")
    assert CORRUPT[how] in result.stderr
    assert not out.exists()


# ------------------------------------------------------------------------- eval --baseline, -o


BASELINES = {
    "not_json": ('{\n  "labels": [\n', ":3: not an `eval -o` JSON file: invalid JSON"),
    "a_csv_table": ("label,mode,pred\nALL,exact,3\n", ":1: not an `eval -o` JSON file: invalid JSON"),
    "a_list": ("[1, 2]\n", ":1: not an `eval -o` JSON file: Input should be a valid dictionary"),
    "no_labels": ('{"level": "tactics"}\n', ":1: not an `eval -o` JSON file: labels: Field required"),
    "row_without_f1": (
        '{"labels": [{"label": "ALL", "mode": "exact", "precision": 1, "recall": 1}]}\n',
        ":1: not an `eval -o` JSON file: labels[0].f1: Field required",
    ),
    "labels_a_string": ('{"labels": "ALL"}\n', ":1: not an `eval -o` JSON file: labels: Input should be a valid list"),
}


@pytest.mark.parametrize("case", list(BASELINES))
def test_a_malformed_baseline_is_named_before_scoring(case, pred, tmp_path):
    content, message = BASELINES[case]
    baseline = tmp_path / "before.json"
    baseline.write_text(content, encoding="utf-8")
    result = run("eval", pred, spans_file(tmp_path, [GOOD]), "--baseline", baseline)
    assert_usage_error(result, "E051", f"{baseline}{message}")
    assert result.stdout == "", "nothing is scored"


def test_an_empty_baseline_gives_every_label_as_changed(pred, tmp_path):
    baseline = tmp_path / "before.json"
    baseline.write_text('{"labels": []}\n', encoding="utf-8")
    result = run("eval", pred, spans_file(tmp_path, [GOOD]), "--baseline", baseline)
    assert result.exit_code == 0, result.output
    assert "changes against the baseline:" in result.stdout and "STING_OPERATION" in result.stdout


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_eval_output_into_a_missing_folder_is_made(suffix, pred, tmp_path):
    out = tmp_path / "new" / "dir" / f"scores{suffix}"
    result = run("eval", pred, spans_file(tmp_path, [GOOD]), "-o", out)
    assert result.exit_code == 0, result.output
    assert out.is_file() and out.read_text(encoding="utf-8").strip()
    assert [p.name for p in out.parent.iterdir()] == [out.name], "no temporary file is left"


def test_eval_output_an_existing_folder_is_refused_before_scoring(pred, tmp_path):
    folder = tmp_path / "scores"
    folder.mkdir()
    result = run("eval", pred, spans_file(tmp_path, [GOOD]), "-o", folder)
    assert_usage_error(result, "E052", f"{folder}: is a folder")
    assert result.stdout == ""


@pytest.mark.parametrize("spelling", ["-o", "--output", "--out"])
def test_eval_takes_output_and_its_old_spelling(spelling, pred, tmp_path):
    out = tmp_path / "e.json"
    result = run("eval", pred, spans_file(tmp_path, [GOOD]), spelling, out)
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["level"] == "tactics"


def test_the_old_spelling_is_hidden():
    for args in (["eval", "--help"], ["rules", "stats", "--help"]):
        text = run(*args).stdout
        assert "--output" in text and "--out " not in text and "--out," not in text


# ---------------------------------------------------------------------------------- check


def test_check_lists_changes_in_numeric_offset_order(extract):
    gold = extract(FAR, doc_id="d1")
    starts = [m.start for k in gold.claims for m in k.tactics]
    assert min(starts) < 100 <= max(starts), "one mention below offset 100, one above"
    out = gold.model_copy(deep=True)
    for k in out.claims:
        k.tactics.clear()
    lost = [c.key for c in diff_records(out, gold, set()) if c.field == "tactics"]
    positions = [FAR.index(key.split("'")[1]) for key in lost]
    assert positions == sorted(positions), lost


def test_check_shows_values_as_json(record):
    out = record.model_copy(update={"source": Source(path="other.txt", format="txt"), "title": "x's"})
    changes = {c.field: c.detail for c in diff_records(out, record, set())}
    assert changes["source"] == (
        '{"path": "<test>", "line": null, "format": "txt", "url": null, "claimreview": null} -> '
        '{"path": "other.txt", "line": null, "format": "txt", "url": null, "claimreview": null}'
    )
    assert changes["title"] == '"q?" -> "x\'s"'
    assert "Source(" not in changes["source"]


def test_check_an_output_without_text(record, pred, tmp_path):
    """An output written with --no-text against gold with text: a change, not an internal error."""
    bare = tmp_path / "bare.jsonl"
    bare.write_text(dumps(record.model_copy(update={"text": None})) + "\n", encoding="utf-8")
    result = run("check", bare, pred)
    assert result.exit_code == 1, result.output
    assert f"{len(TEXT)} characters -> null" in result.stdout


# ---------------------------------------------------------------------------------- report


@pytest.fixture
def outputs(extract, tmp_path) -> Path:
    """A folder of two output files (as split runs leave them), one with its error records."""
    folder = tmp_path / "outputs"
    folder.mkdir()
    (folder / "a.jsonl").write_text(dumps(extract(TEXT, doc_id="a")) + "\n", encoding="utf-8")
    (folder / "b.jsonl").write_text(dumps(extract(FAR, doc_id="b")) + "\n", encoding="utf-8")
    err = ErrorRecord(doc_id="x.bin", source=Source(path="x.bin", format="txt"), code="E101", message="x.bin: binary")
    (folder / "a.errors.jsonl").write_text(dumps(err) + "\n", encoding="utf-8")
    return folder


def test_report_leaves_a_users_folder_alone(outputs, tmp_path):
    """`-o DIR` once deleted DIR/docs/thesis.md: only the top-level names were looked at."""
    users = tmp_path / "mine"
    (users / "docs").mkdir(parents=True)
    thesis = users / "docs" / "thesis.md"
    thesis.write_text("two years of work\n", encoding="utf-8")
    (users / "index.html").write_text("<p>my site</p>\n", encoding="utf-8")
    result = run("report", outputs / "a.jsonl", "-o", users)
    assert_usage_error(result, "E052", f"{users}: not a claimx report folder")
    assert thesis.read_text(encoding="utf-8") == "two years of work\n"
    assert sorted(p.name for p in users.rglob("*")) == ["docs", "index.html", "thesis.md"]


def test_report_replaces_only_a_folder_with_its_marker(outputs, tmp_path):
    site = tmp_path / "site"
    assert run("report", outputs / "a.jsonl", "-o", site, "-q").exit_code == 0
    assert (site / ".claimx-report").read_text(encoding="utf-8") == f"claimx {__version__} report\n"
    assert run("report", outputs / "b.jsonl", "-o", site, "-q").exit_code == 0, "an earlier report is replaced"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("report", outputs / "a.jsonl", "-o", empty, "-q").exit_code == 0, "an empty folder is fine"
    (site / ".claimx-report").unlink()
    assert_usage_error(run("report", outputs / "a.jsonl", "-o", site), "E052", f"{site}: not a claimx report")
    link = tmp_path / "link"
    link.symlink_to(empty)
    assert_usage_error(run("report", outputs / "a.jsonl", "-o", link), "E052", f"{link}: is a symbolic link")
    assert link.is_symlink()


def test_report_reads_a_folder_of_outputs(outputs, tmp_path):
    site = tmp_path / "site"
    result = run("report", outputs, "-o", site)
    assert result.exit_code == 0, result.output
    assert "2 documents, 1 error records" in result.stderr
    assert len(list((site / "docs").iterdir())) == 2
    assert "x.bin" in (site / "index.html").read_text(encoding="utf-8")


def test_folders_skip_unfinished_shards_and_hidden_files(outputs, tmp_path):
    """A killed run leaves `<output>.parts/`: its records are not read a second time."""
    parts = outputs / "a.jsonl.parts"
    parts.mkdir()
    (parts / "part-00000000.jsonl").write_bytes((outputs / "a.jsonl").read_bytes())
    (outputs / ".a.jsonl.x1.tmp.jsonl").write_bytes((outputs / "a.jsonl").read_bytes())
    assert run("report", outputs, "-o", tmp_path / "site", "-q").exit_code == 0
    assert run("table", outputs, "-o", tmp_path / "t.csv", "-q").exit_code == 0
    assert run("check", outputs, outputs).exit_code == 0


# ------------------------------------------------------------------------------ conventions


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.stdout == f"claimx {__version__}\n"


def test_error_codes_are_not_aliases():
    """Two codes with the same text would be one enum member, and one would print as the other."""
    assert len(Errors.__members__) == len(list(Errors))


@pytest.mark.parametrize("spelling", ["-o", "--out"])
def test_rules_stats_lists_every_rule(spelling, tmp_path):
    from claimx.cli.rules import pack_rules
    from claimx.nlp.language import load

    doc = tmp_path / "a.txt"
    doc.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "stats.json"
    result = run("rules", "stats", doc, spelling, out)
    assert result.exit_code == 0, result.output
    rows = {r["rule_id"]: r for r in json.loads(out.read_text(encoding="utf-8"))}
    assert set(rows) == set(pack_rules(load())), "every tactic and actor rule of the loaded packs"
    assert 2 <= sum(1 for r in rows.values() if r["hits"]) < 10 and len(rows) > 100, "zero-hit rules are listed"
    assert all(r["doc_coverage"] == 0.0 for r in rows.values() if not r["hits"])


# -------------------------------------------------------------------- disk full, read-only


def _full_after(limit: int):
    """A stand-in for write_frames whose stream fails with ENOSPC after ``limit`` bytes (a disk filling up)."""
    from claimx.output.table import write_frames

    class Full:
        def __init__(self, fh):
            self.fh, self.n = fh, 0

        def write(self, data):
            if self.n + len(data) > limit:
                self.fh.write(data[: limit - self.n])
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            self.n += len(data)
            return self.fh.write(data)

        def __getattr__(self, name):
            return getattr(self.fh, name)

    return lambda frames, fh, fmt: write_frames(frames, Full(fh), fmt)


def assert_run_failed(result, where: Path) -> None:
    assert result.exit_code == 3, (result.exit_code, result.output)
    assert result.stderr.splitlines() == [result.stderr.strip()], "one line"
    assert result.stderr.startswith(f"claimx: error: [E010] {where}: "), result.stderr


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_table_on_a_full_disk(suffix, outputs, tmp_path, monkeypatch):
    monkeypatch.setattr("claimx.cli.table.write_frames", _full_after(100))
    dest = tmp_path / "out"
    dest.mkdir()
    out = dest / f"t{suffix}"
    result = run("table", outputs, "-l", "mentions", "-o", out)
    assert_run_failed(result, out)
    assert "No space left on device" in result.stderr
    assert list(dest.iterdir()) == [], "nothing under the final name, no temporary file"


def test_table_output_an_existing_folder_is_refused_first(outputs, tmp_path):
    folder = tmp_path / "t.csv"
    folder.mkdir()
    assert_usage_error(run("table", outputs, "-o", folder), "E052", f"{folder}: is a folder")


def test_report_on_a_full_disk_keeps_the_earlier_report(outputs, tmp_path, monkeypatch):
    import claimx.output.report.build

    site = tmp_path / "site"
    assert run("report", outputs / "a.jsonl", "-o", site, "-q").exit_code == 0
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    real = claimx.output.report.build._write
    pages = []

    def write(path, pieces):
        pages.append(path)
        if len(pages) == 3:  # index and marker written, then the disk is full
            path.write_text("<!DOCTYPE html><html><bo", encoding="utf-8")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(path, pieces)

    monkeypatch.setattr(claimx.output.report.build, "_write", write)
    result = run("report", outputs, "-o", site)
    assert_run_failed(result, site)
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before, "the earlier report stays"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outputs", "site"], "no temporary folder is left"


def test_report_into_a_read_only_folder(outputs, tmp_path, monkeypatch):
    import tempfile

    def refuse(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(tmp_path / ".site.x.tmp"))

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    site = tmp_path / "site"
    result = run("report", outputs, "-o", site)
    assert_run_failed(result, site)
    assert "Read-only file system" in result.stderr and not site.exists()


@pytest.fixture
def tmpfs(tmp_path):
    """A 64 KB tmpfs (a disk that really fills up), when this machine lets us mount one."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    try:
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], check=True, timeout=10, capture_output=True
        )
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"cannot mount a tmpfs here: {exc}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=False, timeout=10)


@pytest.fixture
def big_outputs(extract, tmp_path) -> Path:
    """Enough records that their tables and report do not fit 64 KB."""
    rec = extract(FAR, doc_id="d0")
    path = tmp_path / "big.jsonl"
    path.write_text(
        "".join(dumps(rec.model_copy(update={"doc_id": f"d{i}"})) + "\n" for i in range(300)), encoding="utf-8"
    )
    return path


@pytest.mark.parametrize("command", ["table", "report"])
def test_a_real_full_disk(command, big_outputs, tmpfs):
    out = tmpfs / ("t.csv" if command == "table" else "site")
    extra = ["-l", "claims"] if command == "table" else []
    result = run(command, big_outputs, *extra, "-o", out)
    assert_run_failed(result, out)
    assert "No space left on device" in result.stderr
    assert list(tmpfs.iterdir()) == []


# -- codes: record-file lines (E053, E050), unreadable files (E054), command usage (E090-E093) ------------------


@pytest.mark.parametrize(
    "content, line, message",
    [
        (b"{not json\n", 2, "invalid JSON"),
        (b"\xff\xfe\n", 2, "not UTF-8"),
    ],
    ids=["not_json", "not_utf8"],
)
@pytest.mark.parametrize("command", ["report", "table", "check"])
def test_a_record_line_that_is_not_json_is_e053(command, content, line, message, pred, tmp_path):
    """Once E001 (configuration), E002 for a gold file that is not UTF-8: a record file has its own code."""
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(pred.read_bytes() + content)
    args = {"report": (bad, "-o", tmp_path / "site"), "table": (bad,), "check": (pred, bad)}[command]
    assert_usage_error(run(command, *args), "E053", f"{bad}:{line}: {message}")


def test_an_annotation_line_that_is_not_json_is_e053(pred, tmp_path):
    gold = tmp_path / "spans.jsonl"
    gold.write_text('{"doc_id": "d1", "spans": []}\n[1, 2]\n', encoding="utf-8")
    assert_usage_error(run("eval", pred, gold), "E053", f"{gold}:2: a record must be a JSON object")


def test_a_duplicate_doc_id_in_records_is_e050(record, tmp_path):
    dup = tmp_path / "dup.jsonl"
    dup.write_text(dumps(record) + "\n" + dumps(record) + "\n", encoding="utf-8")
    assert_usage_error(run("report", dup, "-o", tmp_path / "site"), "E050", f"{dup}:2: duplicate doc_id 'd1'")


def test_a_record_file_that_cannot_be_read_is_e054(tmp_path):
    """Once ConfigError(E105), a document error code, for a file of records."""
    from claimx.errors import ConfigError
    from claimx.records.io import read_records

    folder = tmp_path / "records.jsonl"
    folder.mkdir()
    with pytest.raises(ConfigError) as err:
        list(read_records(folder))
    assert err.value.code == "E054" and err.value.message.startswith(f"{folder}: cannot read the file:")


VERDICT = {"doc_id": "d1", "verdict": "false"}
BAD_VERDICTS = {
    "unknown_verdict": ([VERDICT | {"verdict": "fake"}], 1, "verdict 'fake' is not one of"),
    "duplicate_doc_id": ([VERDICT, VERDICT], 2, "duplicate doc_id 'd1'"),
    "not_a_verdict": ([VERDICT, {"doc_id": "d2", "verdict": 3}], 2, "verdict: Input should be a valid string"),
}


@pytest.mark.parametrize("case", list(BAD_VERDICTS))
def test_a_bad_verdict_line_is_e050(case, pred, tmp_path):
    """Once E001 (configuration)."""
    lines, line, message = BAD_VERDICTS[case]
    gold = tmp_path / "verdicts.jsonl"
    gold.write_text("".join(json.dumps(v) + "\n" for v in lines), encoding="utf-8")
    assert_usage_error(run("eval", pred, gold, "--level", "verdicts"), "E050", f"{gold}:{line}: {message}")


def test_check_with_an_unknown_field_is_e090(pred):
    assert_usage_error(run("check", pred, pred, "--ignore", "nope"), "E090", "unknown field(s) ['nope']")


def test_check_on_span_annotations_is_e091(pred, tmp_path):
    gold = spans_file(tmp_path, [GOOD])
    assert_usage_error(run("check", pred, gold), "E091", "check compares claimx records")


def test_rules_check_without_a_pack_is_e092(tmp_path):
    assert_usage_error(run("rules", "check", tmp_path), "E092", f"no pack.yaml under {tmp_path}")


@pytest.mark.parametrize("level", ["mentions", "verdicts"])
def test_eval_without_a_common_doc_id_is_e093(level, pred, tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"doc_id": "other", "spans": [], "verdict": "false"}) + "\n", encoding="utf-8")
    assert_usage_error(run("eval", pred, gold, "--level", level), "E093", "no doc_id is in both PRED and GOLD")


def test_rules_suggest_without_a_common_doc_id_is_e093(pred, tmp_path):
    gold = spans_file(tmp_path, [])
    gold.write_text(json.dumps({"doc_id": "other", "spans": []}) + "\n", encoding="utf-8")
    result = run("rules", "suggest", pred, gold, "--corpus", tmp_path / "none")
    assert_usage_error(result, "E093", "no doc_id is in both PRED and GOLD")


def test_every_warning_code_is_in_a_documented_range():
    """W301 (gold import) was outside the ranges the README named."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    ranges = {name[:2] for name in Errors.__members__ if name.startswith("W")}
    assert ranges == {"W0", "W1", "W2", "W3"}
    assert all(f"`{r}xx`" in readme for r in ranges)
