"""claimx throughput and memory, against a naive baseline and a regex floor, in one run.

    python benchmarks/run.py                 # N=2,000 and N=20,000 (several minutes)
    python benchmarks/run.py --n 300 --n-large 1000   # a quick look

Prints docs/s and words/s for claimx with 1 and 2 workers, for a naive spaCy
pipeline applying the same rules to whole documents (blank English +
sentencizer + lookup lemmatizer + a plain Matcher), and for a floor that only
reads the files and finds markers with a regular expression; the ratios
between them; and the peak RSS of `claimx extract` at both archive sizes.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import spacy
from spacy.matcher import Matcher

from claimx.batch import Job, run_batch
import claimx
from claimx.settings import load_config

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate  # noqa: E402


def archive(workdir: Path, n: int, seed: int) -> Path:
    path = workdir / f"archive-{n}-{seed}"
    if not (path / "done").exists():
        generate(path, n, seed)
        (path / "done").write_text("")
    return path


def texts(path: Path) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(path.rglob("*.txt"))]


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def regex_floor(path: Path) -> None:
    marker = re.compile(r"\[\d+(?:\s*[,\u2013-]\s*\d+)*\]")
    for p in sorted(path.rglob("*.txt")):
        marker.findall(p.read_text(encoding="utf-8"))


def naive_baseline(path: Path) -> None:
    config = load_config()
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    matcher = Matcher(nlp.vocab)
    # The same rules as claimx, compiled as claimx compiles them (lexicons and variants expanded).
    for rid, rule in claimx.load(config.file).get_pipe("claimx_rules").rules.items():
        matcher.add(rid, rule.compiled.patterns)
    found = 0
    for doc in nlp.pipe(p.read_text(encoding="utf-8") for p in sorted(path.rglob("*.txt"))):
        found += len(matcher(doc)) + sum(1 for _ in doc.sents)


def tokenizer_trap(path: Path) -> tuple[float, float]:
    """Seconds to tokenize whole documents vs the same text paragraph by paragraph."""
    nlp = spacy.blank("en")
    docs = texts(path)
    whole = timed(lambda: [nlp.tokenizer(t) for t in docs])
    nlp = spacy.blank("en")  # a fresh cache for the second run
    paras = timed(lambda: [nlp.tokenizer(line) for t in docs for line in t.split("\n")])
    return whole, paras


def peak_rss_mb(path: Path, out: Path) -> float:
    proc = subprocess.Popen([sys.executable, "-m", "claimx", "extract", str(path), "-o", str(out), "-q"])
    _, _, usage = os.wait4(proc.pid, 0)
    return usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--n-large", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/claimx-bench"))
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    small = archive(args.workdir, args.n, args.seed)
    words = sum(len(t.split()) for t in texts(small))
    n = args.n
    print(f"archive: {n} documents, {words} words ({small})")

    results = {}
    results["regex floor"] = timed(lambda: regex_floor(small))
    results["naive baseline"] = timed(lambda: naive_baseline(small))
    for workers in (1, 2):
        out = args.workdir / f"claims-{workers}.jsonl"
        results[f"claimx, {workers} worker{'s' if workers > 1 else ''}"] = timed(
            lambda w=workers, o=out: run_batch([str(small)], output=o, job=Job(None, None), workers=w))
    same = (args.workdir / "claims-1.jsonl").read_bytes() == (args.workdir / "claims-2.jsonl").read_bytes()

    print(f"\n{'run':<22}{'seconds':>10}{'docs/s':>10}{'words/s':>12}")
    for name, secs in results.items():
        print(f"{name:<22}{secs:>10.2f}{n / secs:>10.1f}{words / secs:>12.0f}")
    one, two = results["claimx, 1 worker"], results["claimx, 2 workers"]
    print(f"\nclaimx / naive baseline (1 worker): {results['naive baseline'] / one:.2f}x docs/s")
    print(f"claimx / regex floor   (1 worker): {results['regex floor'] / one:.3f}x docs/s")
    print(f"2 workers / 1 worker:              {one / two:.2f}x docs/s (identical output: {same})")

    whole, paras = tokenizer_trap(small)
    print(f"tokenizer alone: whole documents {whole:.2f} s, paragraph by paragraph {paras:.2f} s"
          f" ({whole / paras:.2f}x)")

    large = archive(args.workdir, args.n_large, args.seed)
    rss_small = peak_rss_mb(small, args.workdir / "rss-small.jsonl")
    rss_large = peak_rss_mb(large, args.workdir / "rss-large.jsonl")
    print(f"\npeak RSS, claimx extract: N={args.n}: {rss_small:.0f} MB; N={args.n_large}: {rss_large:.0f} MB;"
          f" ratio {rss_large / rss_small:.2f}")


if __name__ == "__main__":
    main()
