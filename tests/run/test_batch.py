from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimx.cli.main import app
from claimx.run.batch import Job, run_batch
from tests.conftest import ROOT

runner = CliRunner()


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """The corpus copied several times, with a broken file among it."""
    root = tmp_path_factory.mktemp("archive")
    for n in range(6):
        shutil.copytree(ROOT / "corpora", root / f"copy{n}", ignore=shutil.ignore_patterns("README*"))
    (root / "copy3" / "broken.jsonl").write_text('{"text": "Q?"}\n{oops\n', encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def reference(archive, tmp_path_factory):
    out = tmp_path_factory.mktemp("ref") / "claims.jsonl"
    summary = run_batch([str(archive)], output=out, job=Job(None, None), workers=1, batch_size=8)
    return out, summary


def test_reference_run_accounts_for_every_document(reference):
    out, summary = reference
    from claimx.config.settings import load_config
    from claimx.io.readers import read_inputs

    corpus = sum(1 for _ in read_inputs([str(ROOT / "corpora")], load_config().settings.input))
    assert summary.inputs == summary.records + summary.errors == 6 * corpus + 2
    # the broken line, and the 4 JSONL ids of the archive seen again in each of 5 copies
    assert summary.errors == 1 + 5 * 4
    assert len(out.read_text(encoding="utf-8").splitlines()) == summary.records
    assert not out.with_name("claims.jsonl.parts").exists()


@pytest.mark.parametrize("workers,batch_size", [(2, 8), (2, 1), (1, 50)])
def test_workers_and_batches_give_identical_bytes(archive, reference, tmp_path, workers, batch_size):
    out = tmp_path / "claims.jsonl"
    run_batch([str(archive)], output=out, job=Job(None, None), workers=workers, batch_size=batch_size)
    assert out.read_bytes() == reference[0].read_bytes()
    assert (tmp_path / "claims.errors.jsonl").read_bytes() == reference[0].with_name("claims.errors.jsonl").read_bytes()


def test_killed_run_resumes_without_loss_or_duplicates(archive, reference, tmp_path):
    out = tmp_path / "claims.jsonl"
    parts = tmp_path / "claims.jsonl.parts"
    cmd = [sys.executable, "-m", "claimx", "extract", str(archive), "-o", str(out), "--batch-size", "4", "-q"]
    proc = subprocess.Popen(cmd, start_new_session=True)
    deadline = time.monotonic() + 120
    # A shard is finished once its .json is there (written after its two .jsonl files).
    while time.monotonic() < deadline and len(list(parts.glob("part-*.json"))) < 4:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = len(list(parts.glob("part-*.json")))
    batches = -(-reference[1].inputs // 4)
    assert 4 <= done < batches, "the run was killed part-way"
    assert not out.exists()
    result = subprocess.run([*cmd[:-1], "--resume"], capture_output=True, text=True)
    assert result.returncode == 1, result.stderr  # the broken JSONL line
    assert "from the interrupted run" in result.stderr
    assert out.read_bytes() == reference[0].read_bytes()
    assert not parts.exists()


def test_resume_with_other_arguments_starts_again(archive, tmp_path):
    out = tmp_path / "claims.jsonl"
    parts = tmp_path / "claims.jsonl.parts"
    parts.mkdir()
    (parts / "manifest.json").write_text('{"key": "other"}', encoding="utf-8")
    (parts / "part-00000000.jsonl").write_text("stale\n", encoding="utf-8")
    summary = run_batch([str(archive / "copy0")], output=out, job=Job(None, None), resume=True)
    assert summary.skipped == 0
    assert "stale" not in out.read_text(encoding="utf-8")


def test_dask_engine_matches_local_run(archive, reference, tmp_path):
    pytest.importorskip("dask.distributed")
    from dask.distributed import Client, LocalCluster

    from claimx.run.dask import run_dask

    out = tmp_path / "claims.jsonl"
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        # Pieces of 2 lines: every JSONL archive is read by several tasks.
        summary = run_dask([str(archive)], output=out, errors=None, job=Job(None, None), client=client, batch_size=2)
    assert (summary.records, summary.errors) == (reference[1].records, reference[1].errors)

    def by_id(path: Path) -> list[str]:
        return sorted(path.read_text(encoding="utf-8").splitlines())

    assert by_id(out) == by_id(reference[0])
    assert out.read_bytes() == reference[0].read_bytes(), "partition order keeps the local order"
    errors = reference[0].with_name("claims.errors.jsonl")
    assert out.with_name("claims.errors.jsonl").read_bytes() == errors.read_bytes(), "E109 as in the local run"
    assert not out.with_name("claims.jsonl.parts").exists()


def test_cli_workers_flag(archive, reference, tmp_path):
    out = tmp_path / "o.jsonl"
    result = runner.invoke(app, ["extract", str(archive), "-o", str(out), "-w", "2", "--batch-size", "8", "-q"])
    assert result.exit_code == 1  # a broken line, duplicate ids
    assert out.read_bytes() == reference[0].read_bytes()


@pytest.mark.parametrize("gz", [False, True])
def test_jsonl_pieces_read_exactly_the_whole_file(tmp_path, gz):
    import gzip

    from claimx.config.settings import load_config
    from claimx.io.readers import jsonl_chunks, read_inputs, read_jsonl_chunk

    lines = [json.dumps({"id": f"d{i}", "text": f"Fact check: number {i}?"}) for i in range(7)]
    lines[2] = ""  # a blank line
    lines[4] = "{not json"  # a bad line keeps its line number
    data = ("\n".join(lines) + "\n").encode()
    path = tmp_path / ("a.jsonl.gz" if gz else "a.jsonl")
    path.write_bytes(gzip.compress(data) if gz else data)
    settings = load_config().settings.input
    chunks = jsonl_chunks(str(path), 3)
    # A gzip stream is read from its start only: one piece for the whole file.
    assert [(first, count) for first, _, count in chunks] == ([(1, -1)] if gz else [(1, 3), (4, 3), (7, 1)])
    pieces = [inp for c in chunks for inp in read_jsonl_chunk(str(path), path.name, settings, c)]
    whole = list(read_inputs([str(path)], settings))

    def key(inp):
        return inp.doc_id, inp.source.line, inp.text, inp.error.code if inp.error else None

    assert [key(i) for i in pieces] == [key(i) for i in whole]
    assert [key(i)[1] for i in whole] == [1, 2, 4, 5, 6, 7]


def test_dask_plan_cuts_jsonl_archives_into_pieces(archive):
    from claimx.config.settings import load_config
    from claimx.run.dask import plan

    tasks = list(plan([str(archive / "copy0")], load_config().settings.input, lines=3))
    jsonl = [t for t in tasks if t[0].path.endswith("batch_2025.jsonl")]
    assert [t[3][2] for t in jsonl] == [3, 1]  # 4 records in pieces of 3
    others = [t for t in tasks if t[3] is None]
    assert len(others) == len(tasks) - len(jsonl) and all(t[2] != "jsonl" for t in others)
