"""Peak RSS of the `--engine dask` driver at N and 10·N documents.

    python benchmarks/dask_memory.py                   # N=200 and N=2,000: about a minute on 2 cores
    python benchmarks/dask_memory.py --n 2000          # N=2,000 and N=20,000 (the README figures)
    python benchmarks/dask_memory.py --jsonl           # the same documents as one JSONL archive
    python benchmarks/dask_memory.py --src /tmp/old/src   # measure another build (driver and workers)

The archives come from benchmarks/generate.py (one .txt file per document; with
``--jsonl`` packed into one JSONL file, which the driver cuts into pieces and whose
ids a reading pass checks). A scheduler and two one-thread workers run in their own
processes, so the driver, `claimx extract --engine dask --scheduler ADDRESS` in a
subprocess, has no children: its peak RSS from os.wait4 is the driver's alone.
Memory that does not grow with the archive shows as a ratio near 1.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def generate(n: int, workdir: Path, jsonl: bool) -> Path:
    """The archive of ``n`` documents (a folder of .txt files, or one .jsonl), made once."""
    folder = workdir / f"archive-{n}"
    if not folder.exists():
        tmp = workdir / f"archive-{n}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(tmp), "-n", str(n)], check=True)
        tmp.rename(folder)
    if not jsonl:
        return folder
    path = workdir / f"archive-{n}.jsonl"
    if not path.exists():
        with path.open("w", encoding="utf-8") as out:
            for doc in sorted(folder.rglob("*.txt")):
                line = {"id": doc.relative_to(folder).as_posix(), "text": doc.read_text(encoding="utf-8")}
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return path


class Cluster:
    """A scheduler and ``workers`` one-thread workers, each its own process (`dask scheduler`, `dask worker`)."""

    def __init__(self, workers: int, env: dict, workdir: Path) -> None:
        self.env = env
        info = workdir / "scheduler.json"
        info.unlink(missing_ok=True)
        dask = [sys.executable, "-m", "dask"]
        quiet = {"env": env, "stderr": subprocess.DEVNULL}
        self.procs = [
            subprocess.Popen(
                [
                    *dask,
                    "scheduler",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--no-dashboard",
                    "--scheduler-file",
                    str(info),
                ],
                **quiet,
            )
        ]
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        self.address = json.loads(info.read_text())["address"]
        self.procs.append(
            subprocess.Popen(
                [*dask, "worker", self.address, "--nworkers", str(workers), "--nthreads", "1", "--no-dashboard"],
                **quiet,
            )
        )
        code = (
            f"from dask.distributed import Client; c = Client({self.address!r}, timeout=30); "
            f"c.wait_for_workers({workers:d}, timeout=120); c.close()"
        )
        subprocess.run([sys.executable, "-c", code], env=env, check=True)

    def close(self) -> None:
        for proc in reversed(self.procs):
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def run_driver(archive: Path, out: Path, address: str, env: dict) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one `claimx extract --engine dask` driver."""
    cmd = [
        sys.executable,
        "-m",
        "claimx",
        "extract",
        str(archive),
        "-o",
        str(out),
        "--engine",
        "dask",
        "--scheduler",
        address,
        "-q",
    ]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    secs = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"claimx extract --engine dask failed on {archive}")
    return secs, usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200, help="the small archive; the large one has 10·N documents")
    ap.add_argument("--jsonl", action="store_true", help="pack each archive into one JSONL file")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/claimx-bench-dask"))
    ap.add_argument("--src", type=Path, help="a claimx source folder to run instead (another build's src/)")
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    if args.src:
        env["PYTHONPATH"] = os.pathsep.join([str(args.src.resolve()), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    sizes = (args.n, 10 * args.n)
    archives = {n: generate(n, args.workdir, args.jsonl) for n in sizes}
    cluster = Cluster(args.workers, env, args.workdir)
    try:
        results = {}
        print(f"{'documents':>10}{'output MB':>11}{'seconds':>10}{'docs/s':>9}{'driver peak RSS MB':>20}")
        for n in sizes:
            out = args.workdir / f"claims-{n}.jsonl"
            secs, rss = results[n] = run_driver(archives[n], out, cluster.address, env)
            print(f"{n:>10}{out.stat().st_size / 2**20:>11.1f}{secs:>10.1f}{n / secs:>9.1f}{rss:>20.0f}")
    finally:
        cluster.close()
    (_, small), (_, large) = results.values()
    print(f"\n10·N / N: driver peak RSS {large / small:.2f}x")


if __name__ == "__main__":
    main()
