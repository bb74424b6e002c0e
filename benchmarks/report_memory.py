"""Speed and peak memory of `claimx report` at N and 10·N documents.

    python benchmarks/report_memory.py                 # N=2,000 and N=20,000
    python benchmarks/report_memory.py --n 300         # a quick look

The archive is synthetic: the records of a claimx output file (by default
outputs/claims.jsonl, else the bundled corpus is extracted first) copied over and
over with new doc_ids. `claimx report` runs in a subprocess; its peak RSS comes from
os.wait4, as in benchmarks/run.py. Memory that does not grow with the archive shows
as a ratio near 1 between the two sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def source_records(path: Path, workdir: Path) -> list[dict]:
    if not path.is_file():
        path = workdir / "corpus.jsonl"
        subprocess.run(
            [sys.executable, "-m", "claimx", "extract", str(ROOT / "corpora"), "-o", str(path), "-q"], check=True
        )
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def archive(records: list[dict], n: int, workdir: Path) -> Path:
    """``n`` records, the source records in turn, each with a doc_id of its own."""
    path = workdir / f"records-{n}.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            rec = {**records[i % len(records)]}
            rec["doc_id"] = f"{rec['doc_id']}-{i:08d}"
            fh.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
    return path


def run_report(claimx: list[str], path: Path, out: Path) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one `claimx report` run."""
    start = time.perf_counter()
    proc = subprocess.Popen([*claimx, "report", str(path), "-o", str(out), "-q"])
    _, status, usage = os.wait4(proc.pid, 0)
    secs = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"claimx report failed on {path}")
    return secs, usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000, help="the small archive; the large one has 10·N documents")
    ap.add_argument(
        "--records",
        type=Path,
        default=ROOT / "outputs" / "claims.jsonl",
        help="records to copy (default: outputs/claims.jsonl)",
    )
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/claimx-bench"))
    ap.add_argument(
        "--claimx",
        default=f"{shlex.quote(sys.executable)} -m claimx",
        help="the command to run (to measure another build)",
    )
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    records = source_records(args.records, args.workdir)
    results = {}
    print(f"{'documents':>10}{'MB in':>9}{'seconds':>10}{'docs/s':>10}{'peak RSS MB':>13}")
    for n in (args.n, 10 * args.n):
        path = archive(records, n, args.workdir)
        secs, rss = results[n] = run_report(shlex.split(args.claimx), path, args.workdir / f"report-{n}")
        print(f"{n:>10}{path.stat().st_size / 2**20:>9.1f}{secs:>10.2f}{n / secs:>10.1f}{rss:>13.0f}")
    (small_s, small_rss), (large_s, large_rss) = results.values()
    print(f"\n10·N / N: peak RSS {large_rss / small_rss:.2f}x, docs/s {(10 * small_s / large_s):.2f}x")


if __name__ == "__main__":
    main()
