"""claimx's pipeline counted in instructions (valgrind's callgrind), not seconds: the same figures on every run.

    python benchmarks/instructions.py            # 100 documents of the benchmark archive (about 5 minutes)
    python benchmarks/instructions.py --n 20     # a quick look

On shared cores wall time moves by 20-50 % between runs, so a change worth a few percent
cannot be seen in ``run.py``'s seconds. Instructions can: callgrind counts what the CPU
executes, whatever else the machine is doing (it does not see cache misses or the memory
bus, so it ranks changes rather than predicting seconds). Two children run under
``valgrind --tool=callgrind``:

- claimx: the pipeline stage by stage over all N documents (tokenizer, each component,
  record building, serialising), as ``run.py``'s per-stage table does;
- tok: ``spacy.blank("en").tokenizer.pipe`` over the same documents' lines (``run.py``'s tok).

Each child calls ``zlib.adler32`` between stages and callgrind dumps its counters before
each call (``--dump-before=zlib_adler32``), so each part of the output counts one stage;
start-up (imports, building the pipeline, reading the files) and the exit are parts of
their own and left out. Printed: instructions per document for each stage and its share, and claimx/tok in
instructions (tok's instructions over claimx's: the ratio ``run.py`` prints in docs/s).
Hash randomisation is off in the children (``PYTHONHASHSEED=0``) and the rules are compiled
rather than read from the cache (``CLAIMX_NO_CACHE=1``), so a rerun of the same code gives
the same counts (identical to 0.1 M in three runs, two of them at once).

To compare two commits, run the script in a checkout of each (``git worktree add``) on the
same ``--n``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from run import archive, subset  # noqa: E402

TRIGGER = "zlib_adler32"


def mark() -> None:
    """The boundary between two parts: callgrind dumps its counters before this C function runs."""
    import zlib

    zlib.adler32(b"claimx")


def child_claimx(folder: str) -> list[str]:
    from claimx.io.readers import read_inputs
    from claimx.records.build import build_record
    from claimx.records.schema import dumps
    from claimx.run.extractor import Extractor

    ex = Extractor()
    nlp = ex.nlp
    inputs = [inp for inp in read_inputs([folder], ex.config.settings.input) if inp.error is None]
    names = ["tokenizer (with sections, markers)"]
    mark()
    docs = [nlp.make_doc(inp.text) for inp in inputs]
    for name, proc in nlp.pipeline:
        mark()
        docs = [proc(doc) for doc in docs]
        names.append(name)
    mark()
    records = [build_record(inp, doc) for inp, doc in zip(inputs, docs, strict=True)]
    names.append("record building")
    mark()
    for record in records:
        dumps(record)
    names.append("writing (serialising)")
    mark()
    return names


def child_tok(folder: str) -> list[str]:
    import spacy

    from claimx.config.settings import load_config
    from claimx.io.readers import read_inputs

    tokenizer = spacy.blank("en").tokenizer
    lines = [line for inp in read_inputs([folder], load_config(None).settings.input) for line in inp.text.split("\n")]
    mark()
    for _ in tokenizer.pipe(lines):
        pass
    mark()
    return ["tok (tokenizer.pipe)"]


def counted(kind: str, folder: Path, workdir: Path) -> list[tuple[str, int]]:
    """(part, instructions) of one child run under callgrind, start-up left out."""
    python = sys.executable  # run with the interpreter itself (a venv's link to it), not a shim script
    out = workdir / f"{kind}.out"
    names = workdir / f"{kind}.json"
    cmd = [
        "valgrind",
        "--tool=callgrind",
        f"--dump-before={TRIGGER}",
        f"--callgrind-out-file={out}",
        python,
        __file__,
        "--child",
        kind,
        str(folder),
        str(names),
    ]
    # Rules compiled, not read from the cache: compiling leaves lexemes in the vocab that a cache hit does
    # not, so the tokenizer's count would depend on the cache's state (3,554 against 3,690 M at N=100).
    env = {**os.environ, "PYTHONHASHSEED": "0", "CLAIMX_NO_CACHE": "1"}
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{kind}: valgrind failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    parts = json.loads(names.read_text(encoding="utf-8"))
    # out.1 is start-up (dumped at the first mark), out.2 .. the stages, out itself the exit after the last mark.
    files = [Path(f"{out}.{i}") for i in range(1, len(parts) + 2)]
    if not all(f.exists() for f in files) or Path(f"{out}.{len(parts) + 2}").exists():
        raise SystemExit(
            f"{kind}: callgrind wrote {len(list(workdir.glob(out.name + '*')))} parts for {len(parts)} stages;"
            f" this Python's {TRIGGER} may have no symbol (an interpreter built from source has it)"
        )
    return list(zip(parts, (_total(f) for f in files[1:]), strict=True))


def _total(path: Path) -> int:
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("totals:") or line.startswith("summary:"):
            return int(line.split()[1])
    raise SystemExit(f"{path}: no totals line")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100, help="Documents (the first N of the benchmark archive).")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/claimx-bench"))
    ap.add_argument("--child", nargs=3, metavar=("KIND", "FOLDER", "NAMES"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, folder, names = args.child
        parts = (child_claimx if kind == "claimx" else child_tok)(folder)
        Path(names).write_text(json.dumps(parts), encoding="utf-8")
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    args.workdir.mkdir(parents=True, exist_ok=True)
    source = archive(args.workdir, max(args.n, 2000), args.seed)
    folder = subset(source, args.workdir / f"instructions-{args.n}", args.n)
    with tempfile.TemporaryDirectory(prefix="claimx-callgrind-") as tmp:
        stages = counted("claimx", folder, Path(tmp))
        (tok,) = counted("tok", folder, Path(tmp))
    total = sum(n for _, n in stages)
    print(f"{args.n} documents of {source} (first N); instructions counted by callgrind, start-up left out\n")
    print(f"{'stage':40} {'M instr':>10} {'share':>7} {'M instr/doc':>12}")
    for name, n in [*stages, ("claimx, all stages", total), tok]:
        share = f"{100 * n / total:6.1f}%" if name != tok[0] else ""
        print(f"{name:40} {n / 1e6:10.1f} {share:>7} {n / 1e6 / args.n:12.2f}")
    print(
        f"\nclaimx / tok in instructions: {tok[1] / total:.3f}  (claimx costs {total / tok[1]:.2f}x the bare tokenizer)"
    )


if __name__ == "__main__":
    main()
