"""claimx throughput, start-up and memory, against a fair spaCy baseline and two floors, in one run.

    python benchmarks/run.py                          # N=2,000 and N=20,000 (about a quarter of an hour)
    python benchmarks/run.py --n 300 --n-large 1000   # a quick look

All figures come from one run on one generated archive (prose varies, so the
tokenizer cache is not flattered):

- claimx: ``claimx extract`` in a subprocess with 1 and 2 workers. Throughput has
  start-up taken out: a small run (``--small`` documents) is timed too and
  docs/s = (N - small) / (seconds(N) - seconds(small)).
- fair: what a user would write instead with stock spaCy: ``spacy.blank("en")`` +
  sentencizer + lookup lemmatizer + one ``SpanRuler`` holding claimx's own shipped
  rules (every tactic, actor, cue and quantity rule, compiled as claimx compiles
  them), on whole documents. Timed in process, after loading, on the first
  ``--fair-n`` documents (it is slow).
- tok: ``spacy.blank("en").tokenizer.pipe`` over the same documents' lines: the
  floor for anything built on spaCy's tokenizer. Timed before and after the claimx runs
  (the speed of shared cores drifts within minutes); the mean counts.
- floor: reading the files and finding markers with a regular expression.

Printed: docs/s and words/s of each, the ratios claimx/fair, claimx/tok and
2 workers/1 worker (and whether both outputs are byte-identical), start-up
seconds (``claimx extract`` of one document beside ``import spacy;
spacy.blank("en")``; with the compiled rules read from the benchmark's own cache
folder, and compiled, ``CLAIMX_NO_CACHE=1``), time per stage of claimx's pipeline (tokenizer, each
component, record building, writing), and peak RSS of ``claimx extract`` at N and
N-large documents.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate  # noqa: E402

CLAIMX = [sys.executable, "-m", "claimx"]


def archive(workdir: Path, n: int, seed: int) -> Path:
    path, done = workdir / f"archive-{n}-{seed}", workdir / f"archive-{n}-{seed}.done"
    if not done.exists():
        if path.exists():
            shutil.rmtree(path)
        generate(path, n, seed)
        done.write_text("")
    return path


def files(path: Path) -> list[Path]:
    return sorted(path.rglob("*.txt"))


def subset(src: Path, dest: Path, n: int) -> Path:
    """The first n documents of an archive, in a folder of their own."""
    if dest.exists():
        shutil.rmtree(dest)
    for p in files(src)[:n]:
        target = dest / p.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(p, target)
    return dest


def run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of a subprocess; ``env`` is added to this process's environment."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, env={**os.environ, **(env or {})})
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"failed ({status}): {' '.join(cmd)}")
    return seconds, usage.ru_maxrss / 1024


def extract(path: Path, out: Path, workers: int, env: dict[str, str] | None = None) -> tuple[float, float]:
    return run([*CLAIMX, "extract", str(path), "-o", str(out), "-q", "--workers", str(workers)], env)


def fair_baseline(texts: list[str]) -> tuple[float, float]:
    """(load seconds, processing seconds) of stock spaCy holding claimx's rules."""
    import spacy

    import claimx

    start = time.perf_counter()
    rules = claimx.load().get_pipe("claimx_rules").rules
    patterns = [
        {"label": r.item.label, "pattern": p, "id": rid} for rid, r in rules.items() for p in r.compiled.patterns
    ]
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    ruler = nlp.add_pipe("span_ruler", config={"spans_key": "claimx", "validate": False})
    nlp.initialize()  # (initialising a SpanRuler clears its patterns: add them after)
    ruler.add_patterns(patterns)
    loaded = time.perf_counter()
    found = 0
    for doc in nlp.pipe(texts):
        found += len(doc.spans["claimx"])
    return loaded - start, time.perf_counter() - loaded


def tokenizer_floor(texts: list[str]) -> float:
    import spacy

    tokenizer = spacy.blank("en").tokenizer
    lines = [line for t in texts for line in t.split("\n")]
    start = time.perf_counter()
    for _ in tokenizer.pipe(lines):
        pass
    return time.perf_counter() - start


def regex_floor(path: Path) -> float:
    marker = re.compile(r"\[\d+(?:\s*[,\u2013-]\s*\d+)*\]")
    start = time.perf_counter()
    for p in files(path):
        marker.findall(p.read_text(encoding="utf-8"))
    return time.perf_counter() - start


def stages(path: Path) -> dict[str, float]:
    """Seconds per stage of claimx's pipeline over an archive, in one process."""
    from claimx.io.readers import read_inputs
    from claimx.records.build import build_record
    from claimx.records.schema import dumps
    from claimx.run.extractor import Extractor

    ex = Extractor()
    nlp = ex.nlp
    spent: dict[str, float] = defaultdict(float)
    clock = time.perf_counter
    for inp in read_inputs([str(path)], ex.config.settings.input):
        t = clock()
        doc = nlp.make_doc(inp.text)
        spent["tokenizer (with sections, markers)"] += clock() - t
        for name, proc in nlp.pipeline:
            t = clock()
            doc = proc(doc)
            spent[name] += clock() - t
        t = clock()
        record = build_record(inp, doc)
        spent["record building"] += clock() - t
        t = clock()
        dumps(record)
        spent["writing (serialising)"] += clock() - t
    return dict(spent)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--n-large", type=int, default=20000)
    ap.add_argument("--small", type=int, default=50, help="Documents in the run that measures start-up.")
    ap.add_argument(
        "--fair-n",
        type=int,
        default=300,
        help="Documents the fair baseline reads (it is slow; docs/s is per document all the same).",
    )
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/claimx-bench"))
    args = ap.parse_args()
    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    big = archive(work, args.n, args.seed)
    small = subset(big, work / f"small-{args.small}", args.small)
    one = subset(big, work / "one", 1)
    texts = [p.read_text(encoding="utf-8") for p in files(big)]
    n, words = len(texts), sum(len(t.split()) for t in texts)
    print(f"archive: {n} documents, {words} words ({big}); {os.cpu_count()} CPUs")

    # Start-up first, while nothing else is warm: interleaved, best of 3 each. Warm: the
    # compiled rules read from the benchmark's own cache folder (claimx.rules.cache);
    # cold: compiled (CLAIMX_NO_CACHE=1), as on a first run or after a rule changed.
    os.environ["CLAIMX_CACHE_DIR"] = str(work / "cache")
    extract(one, work / "one.jsonl", 1)  # fills the cache
    cold, warm, bare = [], [], []
    for _ in range(3):
        cold.append(extract(one, work / "one.jsonl", 1, {"CLAIMX_NO_CACHE": "1"})[0])
        warm.append(extract(one, work / "one.jsonl", 1)[0])
        bare.append(run([sys.executable, "-c", "import spacy; spacy.blank('en')"])[0])
    startup, startup_cold, bare = min(warm), min(cold), min(bare)

    tok_before = tokenizer_floor(texts)  # measured before and after claimx: the shared cores' speed drifts
    rate: dict[str, float] = {}
    for workers in (1, 2):
        full, _ = extract(big, work / f"claims-{workers}.jsonl", workers)
        short, _ = extract(small, work / f"small-{workers}.jsonl", workers)
        rate[f"claimx, {workers} worker{'s' if workers > 1 else ''}"] = full - short
    same = (work / "claims-1.jsonl").read_bytes() == (work / "claims-2.jsonl").read_bytes()
    counted = n - args.small
    fair_n = min(args.fair_n, n)
    fair_load, fair = fair_baseline(texts[:fair_n])
    tok_after = tokenizer_floor(texts)
    tok = (tok_before + tok_after) / 2
    floor = regex_floor(big)

    rows = {name: counted / secs for name, secs in rate.items()}
    rows["fair (spaCy + SpanRuler)"] = fair_n / fair
    rows["tok (tokenizer.pipe)"] = n / tok
    rows["floor (regex)"] = n / floor
    print(f"\n{'run':<26}{'docs/s':>10}{'words/s':>12}")
    for name, docs_s in rows.items():
        print(f"{name:<26}{docs_s:>10.1f}{docs_s * words / n:>12.0f}")
    one_w, two_w = rows["claimx, 1 worker"], rows["claimx, 2 workers"]
    print(f"\nclaimx / fair:            {one_w / rows['fair (spaCy + SpanRuler)']:.1f}x  (1 worker)")
    print(
        f"claimx / tok:             {one_w / rows['tok (tokenizer.pipe)']:.3f}  (1 worker; tok before claimx"
        f" {n / tok_before:.1f}, after {n / tok_after:.1f} docs/s, the mean counted)"
    )
    print(f"2 workers / 1 worker:     {two_w / one_w:.2f}x  (identical output: {same})")
    print(
        f"start-up: claimx extract of one document {startup:.2f} s (rules compiled: {startup_cold:.2f} s); "
        f"import spacy + spacy.blank('en') {bare:.2f} s (+{startup - bare:.2f} s; "
        f"compiled +{startup_cold - bare:.2f} s); "
        f"fair baseline load {fair_load:.2f} s"
    )

    spent = stages(big)
    total = sum(spent.values())
    print(f"\ntime per stage (1 process, {n} documents, {total:.1f} s):")
    for name, secs in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<36}{secs:>8.2f} s {100 * secs / total:>5.1f} %  {1000 * secs / n:>6.2f} ms/doc")

    large = archive(work, args.n_large, args.seed)
    _, rss_small = extract(big, work / "rss-small.jsonl", 1)
    _, rss_large = extract(large, work / "rss-large.jsonl", 1)
    print(
        f"\npeak RSS, claimx extract: N={args.n}: {rss_small:.0f} MB; N={args.n_large}: {rss_large:.0f} MB;"
        f" ratio {rss_large / rss_small:.2f}"
    )


if __name__ == "__main__":
    main()
