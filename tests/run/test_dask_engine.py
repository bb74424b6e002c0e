"""The Dask engine stays bounded: workers write shards, the driver gets counts, errors are one line.

The cluster here runs in this process (``processes=False``, one worker thread), so a
monkeypatch reaches the workers and start-up is quick; tests/run/test_batch.py runs the
same engine on worker processes.
"""

from __future__ import annotations

import gzip
import json
import pickle
import socket
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimx.cli.main import app
from claimx.errors import ConfigError, RunError
from claimx.run.batch import Job, run_batch
from tests.conftest import ROOT

distributed = pytest.importorskip("dask.distributed")

from claimx.run import dask as dask_engine  # noqa: E402
from claimx.run.dask import run_dask  # noqa: E402

runner = CliRunner()
JOB = Job(None, None)
ARTICLE = "Fact check: a claim about {n}?\n\nExecutive Summary\n\nThe post says police ran stings [1].\n"


@pytest.fixture(scope="module")
def client():
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=":0") as c:
        yield c


def _doc(doc_id=None, n=0) -> str:
    obj = {"text": ARTICLE.format(n=n)}
    if doc_id is not None:
        obj = {"id": doc_id, **obj}
    return json.dumps(obj)


@pytest.fixture(scope="module")
def tricky(tmp_path_factory) -> Path:
    """doc_ids repeated every way a local run sees them: across files, pieces, gzip and error documents."""
    root = tmp_path_factory.mktemp("tricky")
    (root / "a.txt").write_text(ARTICLE.format(n="a"), encoding="utf-8")
    (root / "b.jsonl").write_text(
        "\n".join(
            [
                _doc("a.txt", 1),  # the id of a.txt: E109, first seen at a.txt
                _doc("x", 2),
                "{oops",  # E102; its id b.jsonl:3 still counts as seen
                _doc("x", 4),  # a later piece repeats x
                _doc("b.jsonl:3", 5),  # repeats the id of the broken line
                "",
                _doc(None, 7),
                _doc("0.xyz", 8),  # the id of the unsupported file that sorts first (an error document)
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    (root / "c.jsonl.gz").write_bytes(
        gzip.compress(("\n".join([_doc("x", 9), _doc("new", 10), _doc("new", 11)]) + "\n").encode())
    )
    (root / "0.xyz").write_text("not a known suffix", encoding="utf-8")  # E106, and its id is taken
    (root / "f.txt").write_text(ARTICLE.format(n="f"), encoding="utf-8")
    return root


def _local(paths: list[str], tmp: Path, batch_size: int) -> tuple[bytes, bytes, tuple]:
    out = tmp / "local" / "claims.jsonl"
    s = run_batch(paths, output=out, job=JOB, batch_size=batch_size)
    return out.read_bytes(), out.with_name("claims.errors.jsonl").read_bytes(), (s.records, s.errors, s.warnings)


@pytest.mark.parametrize("batch_size", [1, 2, 64])
def test_duplicate_ids_are_e109_exactly_as_in_a_local_run(client, tricky, tmp_path, batch_size):
    out = tmp_path / "dask" / "claims.jsonl"
    s = run_dask([str(tricky)], output=out, errors=None, job=JOB, batch_size=batch_size, client=client)
    records, errors, counts = _local([str(tricky)], tmp_path, batch_size)
    assert out.read_bytes() == records
    assert out.with_name("claims.errors.jsonl").read_bytes() == errors
    assert (s.records, s.errors, s.warnings) == counts
    e109 = [json.loads(line) for line in errors.decode().splitlines() if '"E109"' in line]
    assert sorted(e["doc_id"] for e in e109) == ["0.xyz", "a.txt", "b.jsonl:3", "new", "x", "x"]
    assert not out.with_name("claims.jsonl.parts").exists()


def test_records_never_travel_to_the_driver(client, tricky, tmp_path, monkeypatch):
    """Everything the driver gathers from the cluster is a small fraction of the output."""
    gathered: list[int] = []
    real = distributed.Client._gather

    async def spy(self, futures, *args, **kwargs):
        result = await real(self, futures, *args, **kwargs)
        gathered.append(len(pickle.dumps(result)))
        return result

    monkeypatch.setattr(distributed.Client, "_gather", spy)
    out = tmp_path / "claims.jsonl"
    run_dask([str(ROOT / "corpora"), str(tricky)], output=out, errors=None, job=JOB, batch_size=4, client=client)
    size = out.stat().st_size + out.with_name("claims.errors.jsonl").stat().st_size
    assert gathered, "the spy saw the driver's results"
    assert sum(gathered) < size / 5, (sum(gathered), size)


class CountingGzip(gzip.GzipFile):
    """Counts how often a gzip stream is opened and how many bytes are decompressed from it."""

    opened = 0
    decompressed = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        CountingGzip.opened += 1

    def close(self):
        if not self.closed and self.fileobj is not None:
            CountingGzip.decompressed += self.tell()
        super().close()


def test_gz_archive_is_read_whole_once_not_once_per_piece(client, tmp_path, monkeypatch):
    data = ("\n".join(_doc(f"g{i}", i) for i in range(40)) + "\n").encode()
    path = tmp_path / "in" / "big.jsonl.gz"
    path.parent.mkdir()
    path.write_bytes(gzip.compress(data))
    records, errors, _ = _local([str(path.parent)], tmp_path, 4)
    monkeypatch.setattr(gzip, "GzipFile", CountingGzip)
    CountingGzip.opened = CountingGzip.decompressed = 0
    out = tmp_path / "claims.jsonl"
    summary = run_dask([str(path.parent)], output=out, errors=None, job=JOB, batch_size=4, client=client)
    assert (out.read_bytes(), out.with_name("claims.errors.jsonl").read_bytes()) == (records, errors)
    assert summary.records == 40
    # One reading pass for ids and one to extract; cut into 10 pieces it was 11 opens and ~6x the bytes.
    assert CountingGzip.opened == 2
    assert CountingGzip.decompressed == 2 * len(data)


def test_unreachable_scheduler_is_one_line_and_exit_3(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again when the block ends: nothing listens there
    out = tmp_path / "claims.jsonl"
    start = time.monotonic()
    result = runner.invoke(
        app,
        [
            "extract",
            str(tmp_path),
            "-o",
            str(out),
            "--engine",
            "dask",
            "--scheduler",
            f"tcp://127.0.0.1:{port}",
            "--scheduler-timeout",
            "1.5",
            "-q",
        ],
    )
    took = time.monotonic() - start
    assert result.exit_code == 3, result.output
    assert result.stderr.strip().splitlines() == [
        f"claimx: error: [E070] cannot reach the Dask scheduler at tcp://127.0.0.1:{port} "
        f"(gave up after 1.5 s; --scheduler-timeout sets the wait)"
    ]
    assert took < 10
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_resume_is_refused_not_ignored(tmp_path):
    result = runner.invoke(
        app, ["extract", str(tmp_path), "-o", str(tmp_path / "o.jsonl"), "--engine", "dask", "--resume", "-q"]
    )
    assert result.exit_code == 2
    assert "does not resume" in result.stderr


@pytest.mark.parametrize("args,code", [(["-"], "E074"), (["DIR", "--scheduler", "nonsense://x"], "E074")])
def test_dask_usage_errors_exit_2_before_any_work(tmp_path, args, code):
    out = tmp_path / "claims.jsonl"
    args = [str(tmp_path) if a == "DIR" else a for a in args]
    result = runner.invoke(app, ["extract", *args, "-o", str(out), "--engine", "dask", "-q"])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"claimx: error: [{code}] --engine dask: "), result.stderr
    assert not out.exists()


def test_shards_the_driver_cannot_see_are_an_error_not_a_short_output(client, tricky, tmp_path, monkeypatch):
    """A worker writing where the driver does not look (no shared file system) must not lose records."""
    from claimx.run import batch

    elsewhere = tmp_path / "worker-disk"
    real = batch.shard_batch
    monkeypatch.setattr(batch, "shard_batch", lambda job, inputs, parts, index: real(job, inputs, elsewhere, index))
    out = tmp_path / "claims.jsonl"
    with pytest.raises(RunError) as info:
        run_dask([str(tricky)], output=out, errors=None, job=JOB, batch_size=64, client=client)
    assert info.value.code == "E073"
    assert not out.exists() and not out.with_name("claims.jsonl.parts").exists()


def test_a_cluster_failure_is_a_run_error(client, tricky, tmp_path, monkeypatch):
    from types import SimpleNamespace

    from distributed.scheduler import KilledWorker

    def killed(*args, **kwargs):  # what the scheduler reports after a task's workers died 3 times
        raise KilledWorker("extract-partition", SimpleNamespace(address="tcp://worker"), 3)

    monkeypatch.setattr(dask_engine, "extract_partition", killed)
    out = tmp_path / "claims.jsonl"
    with pytest.raises(RunError) as info:
        run_dask([str(tricky)], output=out, errors=None, job=JOB, client=client)
    assert info.value.code == "E072"
    assert not out.exists() and not out.with_name("claims.jsonl.parts").exists()


def test_stdin_is_refused_not_skipped(tmp_path):
    with pytest.raises(ConfigError) as info:
        run_dask(["-"], output=tmp_path / "o.jsonl", errors=None, job=JOB)
    assert info.value.code == "E074"


def test_dask_reads_the_walk_of_a_local_run(tmp_path):
    """A link leaving the folder is refused on Dask too, and --follow-links reads it, as locally."""
    from dask.distributed import Client

    from claimx.run.batch import Job

    outside = tmp_path / "outside.txt"
    outside.write_text("Fact check: Is this outside?\n\nNo, it is not [1].\n", encoding="utf-8")
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Fact check: Is this inside?\n\nYes, it is [1].\n", encoding="utf-8")
    (src / "link.txt").symlink_to(outside)
    job = Job(None, None)
    client = Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=":0")
    try:
        _compare_walks(src, job, client, tmp_path)
    finally:
        client.close()


def _compare_walks(src, job, client, tmp_path):
    from claimx.run.batch import run_batch
    from claimx.run.dask import run_dask

    for follow in (False, True):
        local, dask = tmp_path / f"local{follow}.jsonl", tmp_path / f"dask{follow}.jsonl"
        run_batch([str(src)], output=local, job=job, follow_links=follow)
        run_dask([str(src)], output=dask, errors=None, job=job, follow_links=follow, client=client)
        for a, b in ((local, dask), (errors_of(local), errors_of(dask))):
            assert a.read_bytes() == b.read_bytes()
        assert ("E117" in errors_of(dask).read_text()) is not follow


def errors_of(path):
    from claimx.io.files import errors_path_for

    return errors_path_for(path)


def test_a_dask_run_holds_the_output_lock(tmp_path):
    from claimx.errors import RunError
    from claimx.io.outputs import OutputLock
    from claimx.run.batch import Job
    from claimx.run.dask import run_dask

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Fact check: Is this inside?\n\nYes, it is [1].\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    with OutputLock(out), pytest.raises(RunError) as err:
        run_dask([str(src)], output=out, errors=None, job=Job(None, None), client=object())
    assert err.value.code == "E012" and not out.exists()
