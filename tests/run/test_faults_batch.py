"""Batch runs under faults (issue 17): resume that never mixes, the output lock, what ``-o`` may be,
leftovers, dying workers, signals, a full disk.

Each test reproduces one case of the issue. A killed run is simulated in-process by a
``shard_batch`` that stops after some batches (what a kill leaves is the same: finished
shards in ``<output>.parts/``); the signal cases run the real CLI in a subprocess.
Resumed runs are compared byte for byte with a fresh run over the same inputs.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimx.cli.main import app
from claimx.errors import RunError
from claimx.run import batch
from claimx.run.batch import Job, run_batch
from tests.conftest import ROOT

runner = CliRunner()
JOB = Job(None, None)
SIZE = 3  # documents per batch: the corpus makes several full batches and a short one


def corpus_size() -> int:
    """Documents in the bundled corpus (read, not extracted)."""
    from claimx.config.settings import load_config
    from claimx.io.readers import read_inputs

    return sum(1 for _ in read_inputs([str(ROOT / "corpora")], load_config().settings.input))


@pytest.fixture
def archive(tmp_path):
    """The bundled corpus (a JSONL archive of 4 first, corpora/web/ last), in a folder of its own."""
    root = tmp_path / "in"
    shutil.copytree(ROOT / "corpora", root, ignore=shutil.ignore_patterns("README*"))
    return root


def fresh(paths, tmp_path, name="fresh", job=JOB, **kw) -> tuple[bytes, bytes]:
    """(output, errors) bytes of an uninterrupted run."""
    out = tmp_path / name / "claims.jsonl"
    run_batch([str(p) for p in paths], output=out, job=job, batch_size=SIZE, **kw)
    return out.read_bytes(), out.with_name("claims.errors.jsonl").read_bytes()


def killed(monkeypatch, paths, out, *, after: int | None, job=JOB, **kw) -> None:
    """A run stopped (as by kill -9) once ``after`` batches are finished: their shards stay.

    ``after=None``: every batch finished, the run is stopped while it joins them into the output.
    """
    real_shard, real_replace = batch.shard_batch, os.replace
    done = []

    def shard(*args, **kwargs):
        if after is not None and len(done) >= after:
            raise KeyboardInterrupt
        done.append(1)
        return real_shard(*args, **kwargs)

    def replace(src, dst, *a, **k):
        if os.path.abspath(dst) == os.path.abspath(out):
            raise KeyboardInterrupt
        return real_replace(src, dst, *a, **k)

    with monkeypatch.context() as m:
        m.setattr(batch, "shard_batch", shard)
        m.setattr(os, "replace", replace)
        with pytest.raises(KeyboardInterrupt):
            run_batch([str(p) for p in paths], output=out, job=job, batch_size=SIZE, **kw)
    assert out.with_name(out.name + ".parts").is_dir() and not out.exists()


def outputs(out: Path) -> tuple[bytes, bytes]:
    return out.read_bytes(), out.with_name("claims.errors.jsonl").read_bytes()


def ids(data: bytes) -> list[str]:
    return [json.loads(line)["doc_id"] for line in data.splitlines()]


# 1. --resume never mixes ------------------------------------------------------------------------------


def test_resume_redoes_the_shard_of_an_edited_file(archive, tmp_path, monkeypatch, capsys):
    out = tmp_path / "run" / "claims.jsonl"
    killed(monkeypatch, [archive], out, after=5)
    edited = archive / "articles" / "03_stadium_sting_claim.txt"  # in batch 2, which is finished
    edited.write_text(edited.read_text(encoding="utf-8").replace("stadium", "arena"), encoding="utf-8")
    summary = run_batch([str(archive)], output=out, job=JOB, batch_size=SIZE, resume=True)
    assert outputs(out) == fresh([archive], tmp_path)
    assert b"arena" in out.read_bytes()
    assert summary.skipped == 4 * SIZE, "only the batch of the edited file is redone"
    err = capsys.readouterr().err
    assert "redo" in err and "03_stadium_sting_claim.txt" in err


def test_resume_after_a_file_that_sorts_first_was_added(archive, tmp_path, monkeypatch):
    out = tmp_path / "run" / "claims.jsonl"
    killed(monkeypatch, [archive], out, after=4)
    (archive / "archive" / "000_new.txt").write_text(
        "Fact check: Did police run a new sting?\nA sting [1].\n", encoding="utf-8"
    )
    run_batch([str(archive)], output=out, job=JOB, batch_size=SIZE, resume=True)
    got = outputs(out)
    assert got == fresh([archive], tmp_path)
    assert "archive/000_new.txt" in ids(got[0])
    assert len(ids(got[0])) == len(set(ids(got[0]))), "no document twice"


@pytest.mark.parametrize(
    "deleted",
    ["articles/02_parcel_smishing_text.txt", "articles/14_marketplace_bike_buyers.txt", "archive/batch_2025.jsonl"],
)
def test_resume_after_files_were_deleted_keeps_no_record_of_them(archive, tmp_path, monkeypatch, deleted):
    out = tmp_path / "run" / "claims.jsonl"
    killed(monkeypatch, [archive], out, after=None)  # every batch finished: only the join was left
    (archive / deleted).unlink()
    run_batch([str(archive)], output=out, job=JOB, batch_size=SIZE, resume=True)
    got = outputs(out)
    assert got == fresh([archive], tmp_path)
    assert not any(doc.startswith(deleted) for doc in ids(got[0] + got[1]))


def test_resume_after_rules_were_removed_from_a_pack(archive, tmp_path, monkeypatch, capsys):
    pack = tmp_path / "pack"
    shutil.copytree(ROOT / "configs" / "rules" / "law_enforcement", pack)
    job = Job(None, (str(pack), "deception"))
    out = tmp_path / "run" / "claims.jsonl"
    killed(monkeypatch, [archive], out, after=None, job=job)
    tactics = pack / "tactics.jsonl"
    rules = [line for line in tactics.read_text(encoding="utf-8").splitlines() if line.startswith("{")]
    tactics.write_text("\n".join(rules[14:]) + "\n", encoding="utf-8")  # 14 rules fewer
    batch._EXTRACTORS.clear()  # a pipeline cached in this process must not hide the change
    run_batch([str(archive)], output=out, job=job, batch_size=SIZE, resume=True)
    batch._EXTRACTORS.clear()
    assert outputs(out) == fresh([archive], tmp_path, job=job)
    assert "tactics.jsonl" in capsys.readouterr().err


def test_resume_without_changes_keeps_every_finished_shard(archive, tmp_path, monkeypatch, capsys):
    out = tmp_path / "run" / "claims.jsonl"
    killed(monkeypatch, [archive], out, after=4)
    summary = run_batch([str(archive)], output=out, job=JOB, batch_size=SIZE, resume=True)
    assert summary.skipped == 4 * SIZE
    assert outputs(out) == fresh([archive], tmp_path)
    assert "warning" not in capsys.readouterr().err


def test_resume_keeps_shards_before_an_appended_file(archive, tmp_path, monkeypatch):
    out = tmp_path / "run" / "claims.jsonl"
    killed(monkeypatch, [archive], out, after=None)
    # The walk reads corpora/web/ last: a file added there follows every file of the first run.
    (archive / "web" / "zz_last.txt").write_text("Fact check: Was a sting run?\nA sting [1].\n", encoding="utf-8")
    summary = run_batch([str(archive)], output=out, job=JOB, batch_size=SIZE, resume=True)
    assert outputs(out) == fresh([archive], tmp_path)
    full = corpus_size() // SIZE * SIZE
    assert summary.skipped == full, "the full batches before the new file are kept, the last one is redone"


def test_resume_after_a_jsonl_archive_grew_redoes_what_follows(archive, tmp_path, monkeypatch):
    out = tmp_path / "run" / "claims.jsonl"
    killed(monkeypatch, [archive], out, after=None)
    jsonl = archive / "archive" / "batch_2025.jsonl"
    with jsonl.open("a", encoding="utf-8") as fh:  # one more document shifts every later batch
        fh.write(json.dumps({"id": "late", "text": "Fact check: Was a sting run?\nA sting [1].\n"}) + "\n")
    run_batch([str(archive)], output=out, job=JOB, batch_size=SIZE, resume=True)
    assert outputs(out) == fresh([archive], tmp_path)


def _copy_configs(tmp_path) -> Path:
    cfg = tmp_path / "cfg"
    shutil.copytree(ROOT / "configs", cfg)
    return cfg


@pytest.mark.parametrize(
    "name",
    [
        "claimx.yaml",
        "claimx.cfg",
        "layout/lines.jsonl",
        "layout/markers.jsonl",
        "cues/hedges.jsonl",
        "cues/quantities.jsonl",
        "rules/lexicons.jsonl",
        "rules/variants.jsonl",
        "rules/deception/pack.yaml",
        "rules/deception/tactics.jsonl",
        "rules/law_enforcement/actors.jsonl",
        "rules/law_enforcement/lexicons.jsonl",
    ],
)
def test_the_resume_fingerprint_covers_every_loaded_file(tmp_path, name):
    from claimx.run.resume import config_files, fingerprint

    cfg = _copy_configs(tmp_path)
    job = Job(str(cfg / "claimx.cfg"), None)
    assert (cfg / name).resolve() in config_files(job)
    before = fingerprint(["x"], job, SIZE, None).key
    with (cfg / name).open("a", encoding="utf-8") as fh:
        fh.write("\n# changed\n")
    assert fingerprint(["x"], job, SIZE, None).key != before


def test_the_fingerprint_follows_a_pack_given_as_a_folder(tmp_path):
    from claimx.run.resume import config_files

    pack = tmp_path / "mypack"
    shutil.copytree(ROOT / "configs" / "rules" / "deception", pack)
    assert (pack / "tactics.jsonl").resolve() in config_files(Job(None, (str(pack),)))


# 2. The lock -------------------------------------------------------------------------------------------


def test_a_second_run_on_the_same_output_fails_fast(archive, tmp_path):
    out = tmp_path / "claims.jsonl"
    lock = tmp_path / "claims.jsonl.lock"
    with lock.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # a run in progress holds it
        result = runner.invoke(app, ["extract", str(archive), "-o", str(out), "-q"])
        assert result.exit_code == 3, result.output
        assert result.stderr.startswith("claimx: error: [E012]") and result.stderr.count("\n") == 1
        assert "another claimx run" in result.stderr
        assert sorted(os.listdir(tmp_path)) == ["claims.jsonl.lock", "in"], "nothing written, nothing removed"


def test_the_lock_is_held_for_the_run_and_removed_at_the_end(archive, tmp_path, monkeypatch):
    out = tmp_path / "claims.jsonl"
    held = []
    real = batch.shard_batch

    def shard(*args, **kwargs):
        with (tmp_path / "claims.jsonl.lock").open("r") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held.append(False)
            except BlockingIOError:
                held.append(True)
        return real(*args, **kwargs)

    monkeypatch.setattr(batch, "shard_batch", shard)
    run_batch([str(archive)], output=out, job=JOB, batch_size=SIZE)
    assert held and all(held)
    assert not (tmp_path / "claims.jsonl.lock").exists()


# 3. No surprise writes -------------------------------------------------------------------------------


def _is_char_device(path: str) -> bool:
    return stat.S_ISCHR(os.lstat(path).st_mode)


def test_an_output_symlink_to_a_device_is_written_not_replaced(archive, tmp_path):
    link = tmp_path / "out.jsonl"
    link.symlink_to(os.devnull)
    errors = tmp_path / "errors.jsonl"
    errors.symlink_to(os.devnull)
    for args in ([], ["-w", "2"]):
        result = runner.invoke(app, ["extract", str(archive), "-o", str(link), "--errors", str(errors), "-q", *args])
        assert result.exit_code == 0, result.output
        assert link.is_symlink() and errors.is_symlink()
    assert _is_char_device(os.devnull)
    assert sorted(os.listdir(tmp_path)) == ["errors.jsonl", "in", "out.jsonl"]


def test_the_default_errors_file_of_a_device_output_is_stderr(archive, tmp_path):
    link = tmp_path / "out.jsonl"
    link.symlink_to(os.devnull)
    (archive / "bad.jsonl").write_text("{oops\n", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(archive), "-o", str(link), "-q"])
    assert result.exit_code == 1
    assert '"code":"E102"' in result.stderr
    assert sorted(os.listdir(tmp_path)) == ["in", "out.jsonl"] and _is_char_device(os.devnull)


def test_an_output_fifo_is_written_by_opening_it(archive, tmp_path):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    time.sleep(0.1)
    run_batch([str(archive)], output=fifo, errors=tmp_path / "e.jsonl", job=JOB, batch_size=SIZE)
    reader.join(timeout=30)
    assert got and got[0] == fresh([archive], tmp_path)[0]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_fifo_without_reader_is_an_error_not_a_hang(archive, tmp_path):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    result = runner.invoke(app, ["extract", str(archive), "-o", str(fifo), "--errors", str(tmp_path / "e.jsonl")])
    assert result.exit_code == 3 and f"claimx: error: [E010] {fifo}: no process is reading" in result.stderr


def test_resume_is_refused_for_a_device_output(archive, tmp_path):
    link = tmp_path / "out.jsonl"
    link.symlink_to(os.devnull)
    result = runner.invoke(app, ["extract", str(archive), "-o", str(link), "--resume"])
    assert result.exit_code == 2 and "[E016]" in result.stderr
    assert _is_char_device(os.devnull)


def test_an_output_symlink_to_a_file_keeps_the_link(archive, tmp_path):
    target = tmp_path / "data" / "real.jsonl"
    target.parent.mkdir()
    target.write_text("old\n")
    link = tmp_path / "claims.jsonl"
    link.symlink_to(target)
    run_batch([str(archive)], output=link, job=JOB, batch_size=SIZE)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes() == fresh([archive], tmp_path)[0]


@pytest.mark.parametrize("case", ["input", "input_in_folder", "walked_input", "walked_errors", "errors"])
def test_an_output_that_is_an_input_or_the_errors_file_is_refused(archive, tmp_path, case):
    jsonl = archive / "archive" / "batch_2025.jsonl"
    before = jsonl.read_bytes()
    args = {
        "input": [str(jsonl), "-o", str(jsonl)],
        "input_in_folder": [str(archive), str(jsonl), "-o", str(jsonl)],
        "walked_input": [str(archive), "-o", str(jsonl)],  # found by the walk, not an earlier output
        "walked_errors": [str(archive), "-o", str(tmp_path / "o.jsonl"), "--errors", str(jsonl)],
        "errors": [str(archive), "-o", str(tmp_path / "o.jsonl"), "--errors", str(tmp_path / "o.jsonl")],
    }[case]
    result = runner.invoke(app, ["extract", *args])
    assert result.exit_code == 2, result.output
    assert "[E014]" in result.stderr or "[E015]" in result.stderr
    assert jsonl.read_bytes() == before and not (tmp_path / "o.jsonl").exists()
    assert not list(tmp_path.rglob("*.lock")) and not list(tmp_path.rglob("*.parts"))


def test_an_output_that_is_a_folder_is_refused_before_any_work(archive, tmp_path, monkeypatch):
    (tmp_path / "out").mkdir()

    def no_reading(*a, **k):
        raise AssertionError("inputs were read")

    monkeypatch.setattr(batch, "read_inputs", no_reading)
    result = runner.invoke(app, ["extract", str(archive), "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "[E013]" in result.stderr
    assert os.listdir(tmp_path / "out") == [] and sorted(os.listdir(tmp_path)) == ["in", "out"]


@pytest.mark.parametrize("mask,mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_output_files_honour_the_umask(archive, tmp_path, mask, mode):
    old = os.umask(mask)
    try:
        out = tmp_path / "claims.jsonl"
        run_batch([str(archive / "articles")], output=out, job=JOB, batch_size=SIZE)
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == mode
    assert stat.S_IMODE((tmp_path / "claims.errors.jsonl").stat().st_mode) == mode


def test_outputs_inside_the_input_folder_are_not_read_back(archive, tmp_path):
    out = archive / "claims.jsonl"
    counts = []
    for _ in range(3):
        summary = run_batch([str(archive)], output=out, job=JOB, batch_size=SIZE)
        counts.append(summary.inputs)
    assert counts == [corpus_size()] * 3


# 4. Leftovers ------------------------------------------------------------------------------------------


def test_a_killed_join_leaves_no_temp_file_after_the_next_run(archive, tmp_path):
    out = tmp_path / "claims.jsonl"
    stale = [tmp_path / ".claims.jsonl.k2j4_x9a.tmp", tmp_path / ".claims.errors.jsonl.0abcdefg.tmp"]
    for path in stale:
        path.write_text("half a file")
    keep = tmp_path / ".claims.jsonl.notes"  # not claimx's
    keep.write_text("mine")
    run_batch([str(archive / "articles")], output=out, job=JOB, batch_size=SIZE)
    assert not any(p.exists() for p in stale) and keep.exists()


@pytest.mark.parametrize("breakage", ["unknown_pack", "broken_pack", "bad_regex"])
def test_a_bad_rule_setting_leaves_nothing(archive, tmp_path, breakage):
    pack = tmp_path / "pack"
    shutil.copytree(ROOT / "configs" / "rules" / "deception", pack)
    if breakage == "broken_pack":
        with (pack / "tactics.jsonl").open("a") as fh:
            fh.write("{not json\n")
    if breakage == "bad_regex":
        with (pack / "tactics.jsonl").open("a") as fh:
            fh.write(
                json.dumps({"id": "dc.bad.001", "label": "PHISHING", "pattern": [{"TEXT": {"REGEX": "(("}}]}) + "\n"
            )
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    rules = "nope" if breakage == "unknown_pack" else str(pack)
    result = runner.invoke(app, ["extract", str(archive), "-o", str(out_dir / "claims.jsonl"), "--rules", rules])
    assert result.exit_code == 2 or breakage == "bad_regex", result.output  # a bad regex: another part of issue 17
    assert result.exit_code != 0 and os.listdir(out_dir) == []


# 5. Workers and signals -----------------------------------------------------------------------------


def dying_shard_batch(job, inputs, parts, index, *args, **kwargs):
    """shard_batch whose worker is killed (as by the OOM killer) on the batch holding article 08."""
    if any("08_scientist" in inp.doc_id for inp in inputs):
        os.kill(os.getpid(), signal.SIGKILL)
    return _REAL_SHARD_BATCH(job, inputs, parts, index, *args, **kwargs)


_REAL_SHARD_BATCH = batch.shard_batch


def test_a_killed_worker_stops_the_run_with_a_resumable_state(archive, tmp_path, monkeypatch):
    out = tmp_path / "claims.jsonl"
    monkeypatch.setattr(batch, "shard_batch", dying_shard_batch)
    with pytest.raises(RunError) as info:
        run_batch([str(archive)], output=out, job=JOB, workers=2, batch_size=SIZE)
    assert info.value.code == "E017" and "--resume" in info.value.message
    assert not out.exists() and not (tmp_path / "claims.jsonl.lock").exists()
    parts = tmp_path / "claims.jsonl.parts"
    assert len(list(parts.glob("part-*.json"))) >= 1
    monkeypatch.setattr(batch, "shard_batch", _REAL_SHARD_BATCH)
    summary = run_batch([str(archive)], output=out, job=JOB, workers=2, batch_size=SIZE, resume=True)
    assert summary.skipped > 0
    assert outputs(out) == fresh([archive], tmp_path)


def test_a_killed_worker_is_one_error_line_and_exit_3(archive, tmp_path, monkeypatch):
    monkeypatch.setattr(batch, "shard_batch", dying_shard_batch)
    result = runner.invoke(
        app, ["extract", str(archive), "-o", str(tmp_path / "o.jsonl"), "-w", "2", "-q", "--batch-size", str(SIZE)]
    )
    assert result.exit_code == 3
    assert result.stderr.startswith("claimx: error: [E017]") and result.stderr.count("\n") == 1


def _children(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def big_archive(tmp_path):
    root = tmp_path / "big"
    for n in range(4):
        shutil.copytree(ROOT / "corpora" / "articles", root / f"copy{n}")
    return root  # 56 documents


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_signal_to_the_main_process_takes_the_workers_with_it(big_archive, tmp_path, sig):
    out = tmp_path / "claims.jsonl"
    parts = tmp_path / "claims.jsonl.parts"
    cmd = [
        sys.executable,
        "-m",
        "claimx",
        "extract",
        str(big_archive),
        "-o",
        str(out),
        "-w",
        "2",
        "--batch-size",
        "2",
        "-q",
    ]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    # A shard counts as finished once its .json (written last, after both .jsonl files) is there.
    while time.monotonic() < deadline and len(list(parts.glob("part-*.json"))) < 2:
        time.sleep(0.05)
    children = _children(proc.pid)
    assert len(children) >= 2, "the workers are running"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    if sig == signal.SIGTERM:
        assert proc.returncode == 130 and err == "claimx: interrupted\n", err
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(c) for c in children):
        time.sleep(0.05)
    orphans = [c for c in children if _alive(c)]
    for pid in orphans:  # do not leave them running when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not orphans, "no orphan workers"
    assert not out.exists()
    summary = run_batch([str(big_archive)], output=out, job=JOB, batch_size=2, resume=True)
    assert summary.skipped >= 2 * 2
    assert out.read_bytes() == fresh([big_archive], tmp_path)[0]


# 6. A full disk, a read-only output ------------------------------------------------------------------


def _failing_fsync(monkeypatch, names: tuple[str, ...], err: int):
    """os.fsync raising ``err`` for temp files whose name starts with one of ``names`` (a full disk)."""
    real = os.fsync

    def fsync(fd):
        where = os.readlink(f"/proc/self/fd/{fd}")
        if any(os.path.basename(where).startswith(n) for n in names):
            raise OSError(err, os.strerror(err))
        return real(fd)

    monkeypatch.setattr(os, "fsync", fsync)


@pytest.mark.parametrize(
    "where,err",
    [(".claims.jsonl.", errno.ENOSPC), (".part-00000002", errno.ENOSPC), (".claims.errors.jsonl.", errno.EROFS)],
)
def test_a_full_disk_is_one_error_line_and_no_partial_output(archive, tmp_path, monkeypatch, where, err):
    out = tmp_path / "claims.jsonl"
    out.write_text("the previous output\n")
    _failing_fsync(monkeypatch, (where,), err)
    result = runner.invoke(app, ["extract", str(archive), "-o", str(out), "-q", "--batch-size", str(SIZE)])
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith("claimx: error: [E010]") and result.stderr.count("\n") == 1
    assert f"{tmp_path}: {os.strerror(err)}" in result.stderr or f"{tmp_path}/" in result.stderr
    assert out.read_text() == "the previous output\n"
    leftovers = [p for p in tmp_path.rglob(".*.tmp")]
    assert leftovers == [] and not (tmp_path / "claims.jsonl.lock").exists()
    monkeypatch.undo()
    run_batch([str(archive)], output=out, job=JOB, batch_size=SIZE, resume=True)
    assert outputs(out) == fresh([archive], tmp_path)


@pytest.fixture
def tiny_disk(tmp_path):
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(mnt)], capture_output=True).returncode:
        pytest.skip("cannot mount a small tmpfs here")
    yield mnt
    subprocess.run(["umount", str(mnt)], check=False)


def test_a_really_full_disk(archive, tiny_disk):
    result = runner.invoke(app, ["extract", str(archive), "-o", str(tiny_disk / "claims.jsonl"), "-q"])
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith("claimx: error: [E010]") and "No space left on device" in result.stderr
    assert not (tiny_disk / "claims.jsonl").exists()
    assert not list(tiny_disk.rglob(".*.tmp")) and not (tiny_disk / "claims.jsonl.lock").exists()


# 7. stdout stays as it was ---------------------------------------------------------------------------


def test_stdout_output_gives_the_file_output_bytes(archive, tmp_path):
    result = runner.invoke(app, ["extract", str(archive), "-o", "-", "--errors", str(tmp_path / "e.jsonl"), "-q"])
    assert result.exit_code == 0
    assert result.stdout.encode() == fresh([archive], tmp_path)[0]


def test_stdout_with_a_device_errors_file(archive, tmp_path):
    errors = tmp_path / "e.jsonl"
    errors.symlink_to(os.devnull)
    result = runner.invoke(app, ["extract", str(archive), "-o", "-", "--errors", str(errors), "-q"])
    assert result.exit_code == 0 and errors.is_symlink() and _is_char_device(os.devnull)
