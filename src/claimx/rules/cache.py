"""Compiled rules kept on disk between runs, so that start-up need not compile them again.

Compiling the packs (each word tokenized and inflected, every finite pattern spelled
out into the engine's tries) is most of what claimx adds to spaCy's own start-up. What it
gives depends only on the rules as loaded, the settings, claimx's code and the versions
of Python, spaCy and the lemma tables, so it is stored under a digest of all of them
(:func:`digest`) and read back when the same digest comes again. A change to any rule,
lexicon, setting or source file gives another digest, so a stale entry is never read.

The cache is a folder: ``$CLAIMX_CACHE_DIR``, else ``$XDG_CACHE_HOME/claimx``, else
``~/.cache/claimx``. ``CLAIMX_NO_CACHE=1`` turns it off. An entry is written atomically
(a temporary file renamed), the newest ``KEEP`` are kept, and one that cannot be read
(truncated, from another claimx) is compiled again and rewritten; a folder that cannot
be written only means compiling each time. Entries are pickles: the folder is trusted
as a user's own cache is (as pip's, ruff's and mypy's are).
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import hashlib
import json
import os
import pickle
import re
import sys
import tempfile
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from pydantic import BaseModel

FORMAT = 1  # bump when the stored layout changes
KEEP = 32  # entries kept in the folder (one per distinct set of rules and settings)
_PREFIX = "rules-"


def folder() -> Path | None:
    """The cache folder, or None when caching is off."""
    if os.environ.get("CLAIMX_NO_CACHE", "").strip() not in ("", "0"):
        return None
    given = os.environ.get("CLAIMX_CACHE_DIR", "").strip()
    if given:
        return Path(given).expanduser()
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "claimx"


def digest(*parts: Any) -> str:
    """A digest of ``parts`` (rules, settings) and of everything else a compilation depends on.

    Each part is reduced to plain JSON with sets sorted and objects as their public
    fields (:func:`canonical`), so the digest does not depend on the process's string
    hashing; a part that cannot be reduced raises TypeError (then nothing is cached).
    """
    h = hashlib.sha256()
    h.update(json.dumps([FORMAT, *_environment()]).encode())
    seen: dict[int, tuple[Any, Any]] = {}
    for part in parts:
        h.update(json.dumps(canonical(part, seen), sort_keys=True, ensure_ascii=False).encode())
    return h.hexdigest()


def canonical(obj: Any, seen: dict[int, tuple[Any, Any]] | None = None) -> Any:
    """``obj`` as JSON values: the same for the same rules and settings in any process.

    An object met again within one call (``seen``) is written as a reference to the first
    (whose content came before it, so a key still names one content; an equal copy where
    the object was shared only gives another key, a cache miss).
    """
    seen = {} if seen is None else seen
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, enum.Enum):
        return canonical(obj.value, seen)
    key = id(obj)
    if key in seen:  # a shared object (one lexicon table for a pack's rules): read once, then referred to
        return ["same", seen[key][1]]
    if isinstance(obj, Path):
        out: Any = ["path", str(obj)]
    elif isinstance(obj, re.Pattern):
        out = ["re", obj.pattern, obj.flags]
    elif isinstance(obj, (list, tuple)):
        out = [canonical(x, seen) for x in obj]
    elif isinstance(obj, (set, frozenset)):
        if all(type(x) is str for x in obj):
            out = ["set", sorted(obj)]
        else:
            out = ["set", sorted((canonical(x, seen) for x in obj), key=_order)]
    elif isinstance(obj, dict):
        if all(type(k) is str for k in obj):
            out = ["dict", [[k, canonical(obj[k], seen)] for k in sorted(obj)]]
        else:
            out = ["dict", sorted(([canonical(k, seen), canonical(v, seen)] for k, v in obj.items()), key=_order)]
    elif isinstance(obj, BaseModel):  # (claimx's models hold no sets: pydantic's JSON is stable)
        out = [type(obj).__qualname__, obj.model_dump_json()]
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        fields = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
        out = [type(obj).__qualname__, canonical(fields, seen)]
    elif hasattr(obj, "__dict__") and type(obj).__module__.startswith("claimx."):
        public = {k: v for k, v in vars(obj).items() if not k.startswith("_")}  # "_": caches made on use
        out = [type(obj).__qualname__, canonical(public, seen)]
    else:
        raise TypeError(f"cannot key the rule cache on a {type(obj).__name__}")
    seen[key] = (obj, len(seen))  # obj held, so that its id is not given to another object meanwhile
    return out


def _order(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


@cache
def _environment() -> list[str]:
    """Python, spaCy and lemma-table versions, and a digest of claimx's own source files."""
    versions = [sys.version]
    for dist in ("spacy", "spacy-lookups-data", "pydantic"):
        try:
            versions.append(f"{dist}=={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{dist} missing")
    package = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode())
        h.update(path.read_bytes())
    return [*versions, h.hexdigest()]


def read(key: str) -> Any | None:
    """The entry stored under ``key``, or None (no entry, caching off, or an entry that cannot be read)."""
    where = folder()
    if where is None:
        return None
    try:
        with open(where / f"{_PREFIX}{key}.pickle", "rb") as fh:
            stored_format, stored_key, value = pickle.load(fh)
    except Exception:  # noqa: BLE001 - missing, truncated or foreign: compile again
        return None
    if stored_format != FORMAT or stored_key != key:
        return None
    with contextlib.suppress(OSError):
        os.utime(where / f"{_PREFIX}{key}.pickle")  # recently used: kept by _prune
    return value


def write(key: str, value: Any) -> bool:
    """Store ``value`` under ``key`` atomically; False when the folder cannot be written."""
    where = folder()
    if where is None:
        return False
    tmp = None
    try:
        where.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=where, prefix=".tmp-", suffix=".pickle")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump((FORMAT, key, value), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, where / f"{_PREFIX}{key}.pickle")
        tmp = None
        _prune(where)
        return True
    except OSError:
        return False
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _prune(where: Path) -> None:
    """Keep the KEEP newest entries."""
    entries = []
    for p in where.glob(f"{_PREFIX}*.pickle"):
        try:
            entries.append((p.stat().st_mtime, p.name, p))
        except OSError:
            continue
    for _, _, p in sorted(entries, reverse=True)[KEEP:]:
        p.unlink(missing_ok=True)
