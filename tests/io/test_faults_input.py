"""Issue 17, reading inputs: no hang, no crash, no surprise reads.

Each test is one fault case of the issue, reproduced on the code before the fix:
a gzip bomb or an endless stream read whole, a FIFO that blocks the run forever, a
file name that is not UTF-8 aborting the run, a link leaving the input folder
followed, two input folders losing a document to E109, an output read back as
input, an unbounded doc_id index, and one slow document stalling a batch.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import io
import json
import os
import signal
import socket
import stat
import sys
import threading
import time
import tracemalloc
import zlib

import pytest
from spacy.language import Language
from typer.testing import CliRunner

from claimx.cli.main import app
from claimx.io.readers import Input, SeenIds, discover, jsonl_chunks, read_inputs, read_jsonl_chunk
from claimx.io.source import Source
from claimx.records.schema import ErrorRecord, Record
from claimx.run.extractor import Extractor

ARTICLE = "Fact check: q?\nExecutive Summary\nPolice ran stings [1].\n1. Head\nBody [2].\n"
runner = CliRunner()


@pytest.fixture
def settings(config):
    return config.settings.input


def limited(settings, **update):
    """Input settings with some limits changed (validated, like a settings file would be)."""
    return type(settings).model_validate({**settings.model_dump(), **update})


def read(paths, settings, **kwargs) -> list[Input]:
    return list(read_inputs([str(p) for p in paths], settings, **kwargs))


def within(seconds: float, fn):
    """fn()'s result, or a failure if it has not returned after ``seconds`` (a hang)."""
    box: list = []
    worker = threading.Thread(target=lambda: box.append(fn()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert box, f"still running after {seconds} s (blocked)"
    return box[0]


def extract_cli(*args: str):
    result = runner.invoke(app, ["extract", *args, "-q"])
    assert result.exit_code in (0, 1), (result.exit_code, result.output)
    return result


def records_of(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def gzip_bomb(path, size: int) -> int:
    """``size`` zero bytes, gzipped into ``path`` a MiB at a time; the compressed size."""
    comp, block = zlib.compressobj(9, zlib.DEFLATED, 31), bytes(1 << 20)
    with open(path, "wb") as fh:
        for _ in range(size >> 20):
            fh.write(comp.compress(block))
        fh.write(comp.flush())
    return path.stat().st_size


# -- 1. size limit, on decompressed bytes, read streaming ------------------------------------------------


def test_max_bytes_is_a_setting_with_a_generous_default(settings):
    assert settings.max_bytes == 16 * 2**20
    with pytest.raises(ValueError):
        limited(settings, max_bytes=0)


def test_gzip_bomb_stops_at_the_limit(tmp_path, settings):
    packed = gzip_bomb(tmp_path / "bomb.txt.gz", 256 << 20)
    assert packed < 1 << 20, "256 MiB of zeros pack into well under 1 MiB"
    (tmp_path / "ok.txt").write_text(ARTICLE, encoding="utf-8")
    tracemalloc.start()
    started = time.monotonic()
    bomb, ok = read([tmp_path], limited(settings, max_bytes=1 << 20))
    seconds, (_, peak) = time.monotonic() - started, tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert (bomb.doc_id, bomb.error.code) == ("bomb.txt.gz", "E115")
    assert "1048576 bytes" in bomb.error.message
    assert ok.error is None and ok.text == ARTICLE
    assert peak < 8 << 20, f"read {peak} bytes at once: the bomb was not read in chunks"
    assert seconds < 5


def test_a_file_one_byte_over_the_limit(tmp_path, settings):
    (tmp_path / "at.txt").write_text("x" * 1000, encoding="utf-8")
    (tmp_path / "over.txt").write_text("x" * 1001, encoding="utf-8")
    at, over = read([tmp_path], limited(settings, max_bytes=1000))
    assert at.error is None and over.error.code == "E115"


def test_endless_stdin_stops_at_the_limit(monkeypatch, settings):
    class Zeros(io.RawIOBase):  # a stream that never ends, like `cat /dev/zero | claimx extract -`
        def readable(self):
            return True

        def readinto(self, buf):
            buf[:] = bytes(len(buf))
            return len(buf)

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(Zeros())))
    (inp,) = within(10, lambda: read(["-"], limited(settings, max_bytes=1 << 20)))
    assert (inp.doc_id, inp.error.code) == ("stdin", "E115")


def test_stdin_still_works(monkeypatch, settings):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(ARTICLE.encode())))
    (inp,) = read(["-"], settings)
    assert (inp.doc_id, inp.source.path, inp.text, inp.error) == ("stdin", "-", ARTICLE, None)


def test_link_to_the_zero_device_is_never_read_whole(tmp_path, settings):
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    (tmp_path / "ok.txt").write_text(ARTICLE, encoding="utf-8")
    ok, strict = within(10, lambda: read([tmp_path], settings))
    assert strict.error.code == "E117" and ok.error is None  # its target is outside the folder
    _, followed = within(10, lambda: read([tmp_path], settings, follow_links=True))
    assert followed.error.code == "E116" and "character device" in followed.error.message
    (direct,) = within(10, lambda: read([tmp_path / "zero.txt"], settings))
    assert direct.error.code == "E116"
    assert stat.S_ISCHR(os.stat("/dev/zero").st_mode), "the device is untouched"


@pytest.mark.parametrize("gz", [False, True])
def test_jsonl_line_over_the_limit_is_one_error(tmp_path, settings, gz):
    lines = [
        json.dumps({"id": "a", "text": ARTICLE}),
        json.dumps({"id": "big", "text": "x" * 5000}),
        json.dumps({"id": "b", "text": ARTICLE}),
        json.dumps({"id": "c", "text": "y" * 900}),
    ]
    data = "".join(line + "\n" for line in lines).encode()
    path = tmp_path / ("a.jsonl.gz" if gz else "a.jsonl")
    path.write_bytes(gzip.compress(data) if gz else data)
    small = limited(settings, max_bytes=1000)
    got = read([path], small)
    assert [(i.doc_id, i.error and i.error.code) for i in got] == [
        ("a", None),
        (f"{path.name}:2", "E115"),
        ("b", None),
        ("c", None),
    ]
    assert got[1].source.line == 2 and f"{path.name}:2" in got[1].error.message
    # Pieces for a cluster count that line like the reader does.
    chunks = jsonl_chunks(str(path), 2, small.max_bytes)
    assert [c[::2] for c in chunks] == ([(1, -1)] if gz else [(1, 2), (3, 2)])  # a .gz is one piece
    pieces = [i for c in chunks for i in read_jsonl_chunk(str(path), path.name, small, c)]
    assert [(i.doc_id, i.error and i.error.code) for i in pieces] == [(i.doc_id, i.error and i.error.code) for i in got]


def test_endless_jsonl_line_is_skipped_in_chunks(tmp_path, settings):
    path = tmp_path / "bomb.jsonl.gz"
    with gzip.open(path, "wb", compresslevel=9) as fh:
        fh.write(json.dumps({"id": "a", "text": ARTICLE}).encode() + b"\n")
        fh.write(b'{"id": "z", "text": "')
        for _ in range(64):
            fh.write(b" " * (1 << 20))
        fh.write(b'"}\n' + json.dumps({"id": "b", "text": ARTICLE}).encode() + b"\n")
    tracemalloc.start()
    got = read([path], limited(settings, max_bytes=1 << 20))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [(i.doc_id, i.error and i.error.code) for i in got] == [
        ("a", None),
        ("bomb.jsonl.gz:2", "E115"),
        ("b", None),
    ]
    assert peak < 8 << 20, f"held {peak} bytes: the long line was read whole"


# -- 2. FIFOs, sockets and devices are never opened --------------------------------------------------------


@pytest.fixture
def fifo_folder(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    (root / "a.txt").write_text(ARTICLE, encoding="utf-8")
    os.mkfifo(root / "b.txt")
    (root / "c.txt").write_text(ARTICLE, encoding="utf-8")
    yield root
    # Unblock a reader that did open it (the code before the fix), so the thread can end.
    with contextlib.suppress(OSError):
        os.close(os.open(root / "b.txt", os.O_WRONLY | os.O_NONBLOCK))


def test_fifo_in_a_folder_is_an_error_record_not_a_hang(fifo_folder, settings):
    got = within(10, lambda: read([fifo_folder], settings))
    assert [(i.doc_id, i.error and i.error.code) for i in got] == [("a.txt", None), ("b.txt", "E116"), ("c.txt", None)]
    assert "FIFO" in got[1].error.message


def test_fifo_given_directly(fifo_folder, settings):
    (inp,) = within(10, lambda: read([fifo_folder / "b.txt"], settings))
    assert inp.error.code == "E116"


def test_fifo_end_to_end(fifo_folder, tmp_path):
    out = tmp_path / "out.jsonl"
    result = within(60, lambda: runner.invoke(app, ["extract", str(fifo_folder), "-o", str(out), "-q"]))
    assert result.exit_code == 1, result.output
    assert [r["doc_id"] for r in records_of(out)] == ["a.txt", "c.txt"]
    assert [(e["doc_id"], e["code"]) for e in records_of(tmp_path / "out.errors.jsonl")] == [("b.txt", "E116")]
    assert stat.S_ISFIFO(os.stat(fifo_folder / "b.txt").st_mode)


def test_socket_is_not_opened(tmp_path, settings):
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(tmp_path / "s.txt"))
        (inp,) = within(10, lambda: read([tmp_path], settings))
    finally:
        sock.close()
    assert inp.error.code == "E116" and "socket" in inp.error.message


# -- 3. file names that are not UTF-8 ----------------------------------------------------------------------


def test_name_that_is_not_utf8_end_to_end(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    bad = os.fsdecode(os.fsencode(root) + b"/bad\xff.txt")
    with open(bad, "w", encoding="utf-8") as fh:
        fh.write(ARTICLE)
    (root / "ok.txt").write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = extract_cli(str(root), "-o", str(out))
    assert result.exit_code == 0, result.output
    recs = records_of(out)
    assert [r["doc_id"] for r in recs] == ["bad\\xff.txt", "ok.txt"]
    assert recs[0]["source"]["path"].endswith("/in/bad\\xff.txt")
    assert recs[0]["text"] == ARTICLE
    # Given directly (argv holds the same surrogate escapes).
    result = extract_cli(bad, "-o", str(out))
    assert result.exit_code == 0 and records_of(out)[0]["doc_id"] == "bad\\xff.txt"


def test_name_that_is_not_utf8_in_an_error_record(tmp_path, settings):
    bad = os.fsdecode(os.fsencode(tmp_path) + b"/bad\xfe.pdf")
    open(bad, "wb").close()
    (inp,) = read([tmp_path], settings)
    rec = ErrorRecord(doc_id=inp.doc_id, source=inp.source, code=inp.error.code, message=inp.error.message)
    assert inp.error.code == "E106"
    assert json.loads(rec.model_dump_json())["doc_id"] == "bad\\xfe.pdf"


def test_lone_surrogates_in_jsonl_fields(tmp_path, settings):
    (tmp_path / "a.jsonl").write_text(
        '{"id": "s\\ud800", "title": "T\\udfff", "text": "Fact check: \\ud800 q?"}\n', encoding="utf-8"
    )
    (inp,) = read([tmp_path], settings)
    assert (inp.doc_id, inp.title, inp.text) == ("s\ufffd", "T\ufffd", "Fact check: \ufffd q?")
    assert [c for c, _ in inp.warnings] == ["W002"] * 3
    json.dumps(inp.text, ensure_ascii=False).encode("utf-8")  # writable


# -- 4. links that leave the input folder -------------------------------------------------------------------


@pytest.fixture
def linked(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("Fact check: secret?\nPRIVATE\n", encoding="utf-8")
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "real.txt").write_text(ARTICLE, encoding="utf-8")
    (root / "inner.txt").symlink_to("sub/real.txt")
    (root / "leak.txt").symlink_to(outside / "secret.txt")
    (root / "dirlink").symlink_to(outside, target_is_directory=True)
    return root


def test_link_leaving_the_folder_is_not_followed(linked, settings):
    got = read([linked], settings)
    assert [(i.doc_id, i.error and i.error.code) for i in got] == [
        ("inner.txt", None),
        ("leak.txt", "E117"),
        ("sub/real.txt", None),
    ]
    leak = got[1]
    assert leak.text is None and leak.source.path == str(linked / "leak.txt")
    assert "leak.txt" in leak.error.message and "--follow-links" in leak.error.message


def test_follow_links_reads_it(linked, settings):
    got = read([linked], settings, follow_links=True)
    assert [(i.doc_id, i.error) for i in got] == [("inner.txt", None), ("leak.txt", None), ("sub/real.txt", None)]
    assert "PRIVATE" in got[1].text


def test_follow_links_on_the_command_line(linked, tmp_path):
    out = tmp_path / "out.jsonl"
    assert extract_cli(str(linked), "-o", str(out)).exit_code == 1
    assert "PRIVATE" not in out.read_text(encoding="utf-8")
    assert [e["code"] for e in records_of(tmp_path / "out.errors.jsonl")] == ["E117"]
    assert extract_cli(str(linked), "-o", str(out), "--follow-links").exit_code == 0
    assert "PRIVATE" in out.read_text(encoding="utf-8")


# -- 5. unique doc_ids across several inputs ----------------------------------------------------------------


def test_same_file_name_in_two_folders_gives_two_records(tmp_path, monkeypatch):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.txt").write_text(ARTICLE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = extract_cli("a/", "b", "-o", "out.jsonl")
    assert result.exit_code == 0, result.output
    assert [r["doc_id"] for r in records_of(tmp_path / "out.jsonl")] == ["a/x.txt", "b/x.txt"]


def test_inputs_with_the_same_name_are_named_by_their_path(tmp_path, monkeypatch, settings):
    for folder in ("one/data", "two/data"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "x.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "one" / "x.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "two" / "x.txt").write_text(ARTICLE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    got = read(["one/data", "./two/data/", "one/x.txt", "two/x.txt"], settings)
    assert [(i.doc_id, i.error) for i in got] == [
        ("one/data/x.txt", None),
        ("two/data/x.txt", None),
        ("one/x.txt", None),
        ("two/x.txt", None),
    ]


def test_one_input_keeps_its_ids_and_the_same_input_twice_is_a_duplicate(tmp_path, monkeypatch, settings):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text(ARTICLE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert [i.doc_id for i in read(["a"], settings)] == ["x.txt"]
    first, again = read(["a", "./a/"], settings)
    assert (first.doc_id, first.error, again.error.code) == ("a/x.txt", None, "E109")


def test_jsonl_ids_are_not_prefixed(tmp_path, settings):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "x.jsonl").write_text(
            json.dumps({"id": f"{folder}1", "text": ARTICLE}) + "\n" + json.dumps({"text": ARTICLE}) + "\n",
            encoding="utf-8",
        )
    got = read([tmp_path / "a", tmp_path / "b"], settings)
    assert [i.doc_id for i in got] == ["a1", "a/x.jsonl:2", "b1", "b/x.jsonl:2"]


# -- 6. the run's own outputs are never read -----------------------------------------------------------------


def test_discover_skips_outputs_their_parts_and_temporary_files(tmp_path, settings):
    for rel in [
        "a.txt",
        "out.jsonl",
        "out.errors.jsonl",
        "out.jsonl.parts/part-00000000.jsonl",
        ".out.jsonl.x1y2.tmp",
        "other.jsonl",
    ]:
        (tmp_path / rel).parent.mkdir(exist_ok=True)
        (tmp_path / rel).write_text(json.dumps({"text": ARTICLE}) + "\n", encoding="utf-8")
    (tmp_path / "link.jsonl").symlink_to("out.jsonl")
    outputs = [tmp_path / "sub" / ".." / "out.jsonl", tmp_path / "out.errors.jsonl"]
    no_exclude = limited(settings, exclude=[])
    names = [f.doc_id for f in discover([str(tmp_path)], no_exclude.exclude, skip=outputs)]
    assert names == ["a.txt", "other.jsonl"]
    assert [f.doc_id for f in discover([str(tmp_path / "out.jsonl")], [], skip=outputs)] == []


def test_output_inside_the_input_folder_is_not_read_back(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "b.txt").write_text(ARTICLE, encoding="utf-8")
    out = tmp_path / "claims.jsonl"
    for _ in range(3):
        assert extract_cli(str(tmp_path), "-o", str(out)).exit_code == 0
        assert [r["doc_id"] for r in records_of(out)] == ["a.txt", "b.txt"]


# -- 7. the duplicate check in bounded memory ----------------------------------------------------------------


def test_seen_ids_spill_to_disk_and_stay_exact():
    seen = SeenIds(in_memory=50)
    try:
        for i in range(200):
            assert seen.add(f"id{i}", f"f.jsonl:{i}") is None
            assert seen.add(f"id{i // 2}", "again") == f"f.jsonl:{i // 2}"
        assert seen.db is not None and not seen.ids, "past in_memory, the ids live in SQLite"
        assert seen.add("id7", "g.jsonl:1") == "f.jsonl:7"
        assert seen.add("id199", "h.jsonl:3") == "f.jsonl:199"
        assert seen.add("new\udcff", "x\\xff") is None  # any str, surrogates too
        assert seen.add("new\udcff", "y") == "x\\xff"
    finally:
        seen.close()


def test_seen_ids_memory_is_bounded():
    seen = SeenIds(in_memory=1000)
    tracemalloc.start()
    for i in range(100_000):
        seen.add(f"archive-{i:09d}", f"archive.jsonl:{i + 1}")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    seen.close()
    assert peak < 2 << 20, f"{peak / 100_000:.0f} B per id on the Python heap"


def test_duplicates_past_the_spill_are_still_found(tmp_path, settings, monkeypatch):
    import claimx.io.readers as readers

    monkeypatch.setattr(readers.SeenIds.__init__, "__defaults__", (20, 1024))
    lines = [json.dumps({"id": f"d{i % 60}", "text": ARTICLE}) for i in range(120)]
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    got = read([tmp_path], settings)
    assert [i.error is None for i in got] == [True] * 60 + [False] * 60
    assert got[100].error.code == "E109" and "first seen at" in got[100].error.message
    assert got[100].error.message.endswith(f"{tmp_path / 'a.jsonl'}:41)")


# -- 8. a time budget per document ---------------------------------------------------------------------------


@Language.component("test_faults_sleep")
def _sleep_on_slow(doc):
    if "SLOW" in doc.text:
        time.sleep(30)
    return doc


@pytest.fixture(scope="module")
def slow_extractor():
    from claimx.nlp.language import load

    nlp = load()
    nlp.add_pipe("test_faults_sleep", first=True)
    ext = Extractor(nlp=nlp)
    cfg = ext.config
    inputs = cfg.settings.input.model_copy(update={"max_seconds": 0.5})
    ext.config = dataclasses.replace(cfg, settings=cfg.settings.model_copy(update={"input": inputs}))
    return ext


def test_max_seconds_is_a_setting(settings):
    assert settings.max_seconds == 120
    with pytest.raises(ValueError):
        limited(settings, max_seconds=-1)


def test_slow_document_becomes_an_error_and_the_batch_goes_on(slow_extractor):
    src = Source(path="<test>", format="txt")
    docs = [
        Input("a", src, text=ARTICLE),
        Input("slow", src, text="Fact check: SLOW?\n"),
        Input("b", src, text=ARTICLE),
    ]
    previous = signal.getsignal(signal.SIGALRM)
    started = time.monotonic()
    got = list(slow_extractor(docs))
    assert time.monotonic() - started < 10
    assert [type(r) for r in got] == [Record, ErrorRecord, Record]
    assert got[1].code == "E118" and "0.5 s" in got[1].message
    assert got[0].model_dump(exclude={"doc_id"}) == got[2].model_dump(exclude={"doc_id"})
    assert signal.getsignal(signal.SIGALRM) is previous
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_budget_restores_a_handler_and_timer_set_before():
    from claimx.run.timebudget import DocumentTimeout, time_budget

    fired = []

    def mine(signum, frame):
        fired.append(signum)

    old = signal.signal(signal.SIGALRM, mine)
    try:
        signal.setitimer(signal.ITIMER_REAL, 1.0)
        with pytest.raises(DocumentTimeout), time_budget(0.2):
            time.sleep(5)
        assert signal.getsignal(signal.SIGALRM) is mine
        assert 0 < signal.getitimer(signal.ITIMER_REAL)[0] <= 0.85
        time.sleep(1.0)
        assert fired == [signal.SIGALRM]
        with time_budget(0):  # off
            time.sleep(0.01)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_budget_is_off_outside_the_main_thread():
    from claimx.run.timebudget import time_budget

    def run():
        with time_budget(0.01):
            time.sleep(0.1)
        return "finished"

    assert within(5, run) == "finished"
