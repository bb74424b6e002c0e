"""What ``--resume`` may keep: the run's fingerprint, and the inputs each finished shard was made from.

A finished shard is kept only when a fresh run would write it byte for byte. What it
depends on, and how each part is checked:

1. The run itself: claimx's code, spaCy's version, the inputs as given, the options,
   the pipeline config and the bytes of every file the configuration loads (settings,
   line and marker rules, cues, lexicons, variants, every file of every pack). Any change
   here starts afresh (:func:`fingerprint`).
2. The files its documents come from: each shard records the path, doc_id and content
   hash of every input file it covers; a changed file redoes the shards it is in.
3. What comes before it: which documents fall into batch N, and which doc_ids are taken
   already (a repeated id is an E109 error record), depend on every input file listed
   before the shard's first one. A file that is not JSONL gives one document whose id is
   its path, whatever it holds; a JSONL file's documents and ids depend on its content.
   So each shard records a digest of the listing before it (paths, ids, and the content
   hash of JSONL files); an input added or deleted there, or a JSONL file edited, redoes
   the shard and every later one, while an edited text file redoes only its own.

Input identity is a SHA-256 of the file's bytes, not (size, mtime): file times move in
coarse kernel ticks, and copies (``cp -p``, ``rsync -t``, archive tools) keep the time
of a file whose bytes changed. Hashing reads each input once more, right after the reader
has read it (from the page cache); it is small beside extracting it (README, Large archives).
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import stat
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..about import __version__

if TYPE_CHECKING:
    from ..io.readers import Input
    from .batch import Job


def config_files(job: Job) -> list[Path]:
    """Every file the job's configuration loads, resolved, in a stable order.

    Read from the resolved pipeline config: the ``.cfg``, each settings file a component
    or the tokenizer names, the rule files those settings name, and every file of each
    pack the rules components load (all packs of ``rules.dir`` when ``packs`` is null).
    """
    from ..config.pipeline import default_pipeline_path
    from ..config.settings import default_config_path, load_config
    from ..rules.packs import available_packs

    cfg = job.pipeline_config()
    given = job.config_path
    cfg_file = Path(given) if given and Path(given).suffix.lower() not in (".yaml", ".yml") else default_pipeline_path()
    files: list[Path] = [cfg_file]
    blocks = [cfg.get("nlp", {}).get("tokenizer", {}), *cfg.get("components", {}).values()]
    for block in blocks:
        if not isinstance(block, dict) or "settings" not in block:
            continue
        config = load_config(block["settings"])
        files.extend(_settings_files(config))
        if block.get("factory") == "claimx_rules":
            files.extend(_pack_files(config, block.get("packs"), available_packs(config)))
    settings = cfg.get("paths", {}).get("settings")
    if settings:
        files.append(Path(settings))
    files.append(default_config_path())  # every settings file is merged over the packaged defaults
    seen: dict[Path, None] = {}
    for path in files:
        seen.setdefault(path.resolve(), None)
    return list(seen)


def _settings_files(config) -> list[Path]:
    s = config.settings
    named = [
        s.layout.lines,
        s.layout.markers,
        s.rules.hedges,
        s.rules.quantities,
        s.rules.verdicts,
        s.rules.lexicons,
        s.rules.variants,
    ]
    markup = s.input.html.markup
    return [config.file, *(config.path(rel) for rel in named if rel), *([Path(markup)] if markup else [])]


def _pack_files(config, packs, known: dict[str, Path]) -> list[Path]:
    if isinstance(packs, str):
        packs = [p.strip() for p in packs.split(",") if p.strip()]
    out: list[Path] = []
    for name in known if packs is None else packs:
        folder = known.get(name) or (Path(name) if (Path(name) / "pack.yaml").exists() else None)
        if folder is None:
            continue  # an unknown pack: building the pipeline reports it (E003)
        out.extend(sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")))
    return out


@dataclass(frozen=True)
class Fingerprint:
    """A run's identity (``key``); ``config_key`` covers what the pipeline is built from."""

    key: str
    config_key: str
    files: dict[str, str] = field(default_factory=dict)  # configuration file -> content hash

    def to_json(self) -> dict:
        return {"key": self.key, "config_key": self.config_key, "files": self.files}

    def changes(self, previous: dict | None) -> str:
        """Why the shards of a run with manifest ``previous`` cannot be kept."""
        if not isinstance(previous, dict) or "key" not in previous:
            return "the interrupted run left no manifest this version can read"
        before = previous.get("files") if isinstance(previous.get("files"), dict) else {}
        changed = [p for p in sorted(set(before) | set(self.files)) if before.get(p) != self.files.get(p)]
        if changed:
            more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
            return f"configuration files changed since the interrupted run: {', '.join(changed[:3])}{more}"
        return (
            "the inputs given, the options, the pipeline config or claimx's version differ from the interrupted run's"
        )


def fingerprint(
    paths: list[str], job: Job, batch_size: int, force_format: str | None, follow_links: bool = False
) -> Fingerprint:
    """The identity of a run: code, inputs given, options, pipeline config and every configuration file."""
    files = {str(p): _file_hash(p) for p in config_files(job)}
    config_key = _digest([job.pipeline_config().to_str(), files])
    key = _digest(
        [
            __version__,
            _code_digest(),
            [os.path.abspath(p) for p in paths],
            job.include_text,
            batch_size,
            force_format,
            follow_links,
            config_key,
        ]
    )
    return Fingerprint(key, config_key, files)


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def _file_hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        return f"unreadable: {exc.strerror}"


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """claimx's own source and spaCy's version: an upgrade between two runs starts afresh."""
    import spacy

    h = hashlib.sha256(spacy.__version__.encode())
    root = Path(__file__).parent
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def file_identity(path: str) -> str:
    """A content hash of an input file; never equal to another for stdin and non-regular files.

    A FIFO or a device cannot be read twice (nor hashed without reading it), so shards
    holding one are always redone.
    """
    if path == "-":
        return f"stdin {uuid.uuid4().hex}"
    try:
        st = os.stat(path)
    except OSError as exc:
        return f"missing {exc.errno}"
    if not stat.S_ISREG(st.st_mode):
        return f"special {uuid.uuid4().hex}"
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    except OSError as exc:
        return f"unreadable {exc.errno} {st.st_size} {st.st_mtime_ns}"
    return "sha256 " + h.hexdigest()


class Listing:
    """The input files of a run in walk order; identities are hashed on first need, once each."""

    def __init__(self, files: Iterable[tuple[str, str]], force_format: str | None) -> None:
        from ..io.readers import format_of

        entries = list(files)
        self.paths = [p for p, _ in entries]
        self.ids = [d for _, d in entries]
        self.jsonl = [(force_format or format_of(p)[0]) == "jsonl" for p in self.paths]
        self._identity: dict[int, str] = {}
        self._prefix = [hashlib.sha256(b"claimx listing").hexdigest()]
        self._where: dict[str, list[int]] = {}
        for i, path in enumerate(self.paths):
            self._where.setdefault(path, []).append(i)
        self._cursor = 0

    def __len__(self) -> int:
        return len(self.paths)

    def identity(self, i: int) -> str:
        if i not in self._identity:
            self._identity[i] = file_identity(self.paths[i])
        return self._identity[i]

    def prefix(self, i: int) -> str:
        """A digest of what entries ``[0, i)`` decide for later documents (positions and ids)."""
        while len(self._prefix) <= i:
            j = len(self._prefix) - 1
            shape = [self.paths[j], self.ids[j], self.identity(j) if self.jsonl[j] else None]
            self._prefix.append(hashlib.sha256((self._prefix[j] + json.dumps(shape)).encode()).hexdigest())
        return self._prefix[i]

    def _locate(self, path: str) -> int | None:
        """The entry a document of ``path`` comes from (documents arrive in listing order)."""
        where = self._where.get(path)
        if not where:
            return None
        k = bisect.bisect_left(where, self._cursor)
        if k == len(where):
            return None
        self._cursor = where[k]
        return self._cursor

    def cover(self, batch: list[Input], batch_size: int, index: int) -> dict:
        """The record kept beside shard ``index``: the input files it covers and the listing before it.

        A short batch is the last one: it covers the rest of the listing, so an input
        added after it redoes it.
        """
        found = [self._locate(inp.source.path) for inp in batch]
        meta: dict = {"index": index, "docs": len(batch), "prefix": None, "files": None}
        if not found or None in found:
            return meta  # a document this listing does not know: the shard is never kept
        first, last = found[0], found[-1]
        if len(batch) < batch_size:
            last = len(self) - 1
        meta["prefix"] = self.prefix(first)
        meta["files"] = [[i, self.paths[i], self.ids[i], self.identity(i)] for i in range(first, last + 1)]
        return meta

    def why_not(self, meta: dict, batch_size: int) -> tuple[str, str] | None:
        """(reason, doc_id) when a shard made as ``meta`` records must be redone; None to keep it."""
        files = meta.get("files")
        if not files:
            return "unrecorded", f"batch {meta.get('index')}"
        first, last = files[0][0], files[-1][0]
        for i, path, doc_id, identity in files:
            if i >= len(self) or (self.paths[i], self.ids[i]) != (path, doc_id):
                return "moved", doc_id
            if self.identity(i) != identity:
                return "changed", doc_id
        if self.prefix(first) != meta.get("prefix"):
            return "shifted", files[0][2]
        if meta.get("docs", 0) < batch_size and len(self) != last + 1:
            return "grew", files[-1][2]
        return None
