"""Figures for reading under faults (issue 17): the doc_id index, and one huge line.

    python benchmarks/input_faults.py                  # short: 100,000 ids, a 1 MB line
    python benchmarks/input_faults.py --n 1000000      # the issue's 1,000,000 JSONL lines
    python benchmarks/input_faults.py --huge-mb 5      # a 5 MB line of article text (about a minute)

``ids``: memory of the duplicate-id check per document, measured as resident memory
(RSS, so SQLite's own cache counts too) before and after adding N ids, each variant
in a fresh process: the dict ``read_inputs`` kept before (doc_id -> place) against
:class:`claimx.io.readers.SeenIds`. Then ``read_inputs`` over a JSONL file of N tiny
lines, RSS growth per line.

``huge``: one line of MB megabytes made of the bundled corpus' article text
(dense in tactic phrases, markers and hedges) through the default pipeline, with
the default ``input.max_seconds``: seconds, peak RSS and the outcome.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def rss() -> int:
    """Resident memory now, in bytes (Linux)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize()


def ids_child(variant: str, n: int) -> dict:
    from claimx.io.readers import SeenIds

    keys = (f"archive-{i:09d}" for i in range(n))
    before, started = rss(), time.perf_counter()
    if variant == "dict":
        seen: dict[str, str] = {}
        for i, key in enumerate(keys, 1):
            seen.setdefault(key, f"archive/batch.jsonl:{i}")
    else:
        index = SeenIds()
        for i, key in enumerate(keys, 1):
            index.add(key, f"archive/batch.jsonl:{i}")
    seconds = time.perf_counter() - started
    return {"variant": variant, "n": n, "bytes_per_doc": (rss() - before) / n, "us_per_doc": seconds / n * 1e6}


def read_child(n: int) -> dict:
    from claimx.config.settings import load_config
    from claimx.io.readers import read_inputs

    settings = load_config().settings.input
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tiny.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for i in range(n):
                fh.write(json.dumps({"id": f"t{i}", "text": f"Fact check: q{i}?"}) + "\n")
        before, started, count, peak = rss(), time.perf_counter(), 0, 0
        for _ in read_inputs([str(path)], settings):
            count += 1
            if count % 10_000 == 0 or count == n:  # while the generator (and its index) is alive
                peak = max(peak, rss())
        seconds = time.perf_counter() - started
    return {"variant": "read_inputs", "n": count, "bytes_per_doc": (peak - before) / n, "us_per_doc": seconds / n * 1e6}


def huge_child(mb: float) -> dict:
    from claimx.io.readers import Input, read_inputs
    from claimx.io.source import Source
    from claimx.records.schema import ErrorRecord
    from claimx.run.extractor import Extractor

    ext = Extractor()
    texts = [i.text for i in read_inputs([str(ROOT / "corpora" / "articles")], ext.config.settings.input) if i.text]
    unit = " ".join(" ".join(t.split()) for t in texts)
    size = int(mb * 1_000_000)
    line = (unit + " ") * (size // (len(unit) + 1) + 1)
    line = line[:size]
    started = time.perf_counter()
    (rec,) = ext([Input("huge", Source(path="<huge>", format="txt"), text=line)])
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    mentions = 0 if isinstance(rec, ErrorRecord) else sum(len(k.tactics) for k in rec.claims)
    outcome = rec.code if isinstance(rec, ErrorRecord) else f"record, {mentions} tactic mentions"
    return {
        "mb": mb,
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(peak / 2**20),
        "max_seconds": ext.config.settings.input.max_seconds,
        "outcome": outcome,
    }


def child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000, help="ids / JSONL lines [100,000; the issue: 1,000,000]")
    ap.add_argument("--huge-mb", type=float, default=1.0, help="size of the one-line document in MB [1]")
    ap.add_argument("--skip-huge", action="store_true", help="only the id figures")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, *rest = args.child
        result = {
            "ids": lambda: ids_child(rest[0], int(rest[1])),
            "read": lambda: read_child(int(rest[0])),
            "huge": lambda: huge_child(float(rest[0])),
        }[kind]()
        print(json.dumps(result))
        return
    print(f"doc_id index, {args.n:,} ids:")
    for variant in ("dict", "seen"):
        r = child("ids", variant, str(args.n))
        label = "dict (before)" if variant == "dict" else "SeenIds"
        print(f"  {label:<14} {r['bytes_per_doc']:7.1f} B/doc  {r['us_per_doc']:5.2f} us/doc")
    r = child("read", str(args.n))
    print(
        f"  read_inputs over {args.n:,} JSONL lines: RSS grows {r['bytes_per_doc']:.1f} B/doc, "
        f"{r['us_per_doc']:.1f} us/doc"
    )
    if not args.skip_huge:
        r = child("huge", str(args.huge_mb))
        print(
            f"one line of {r['mb']:g} MB of article text: {r['seconds']} s, peak RSS {r['peak_rss_mb']} MB, "
            f"{r['outcome']} (input.max_seconds {r['max_seconds']:g})"
        )


if __name__ == "__main__":
    main()
