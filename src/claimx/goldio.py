"""Read records and span annotations from JSONL files or folders, reporting ``path:line``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from .errors import ConfigError, Errors
from .records import ErrorRecord, Record
from .rulefiles import json_chunks, json_error_line, read_objects

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class SpanDoc:
    """Span annotations for one document (spaCy/Prodigy form)."""

    doc_id: str
    spans: list[dict]
    text: str | None = None


def jsonl_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*.jsonl") if not p.name.endswith(".errors.jsonl"))
    if not path.exists():
        raise ConfigError(Errors.E004, path=path)
    return [path]


def read_jsonl(path: Path, model: type[M], *, errors_too: bool = False) -> Iterator[tuple[int, M | ErrorRecord]]:
    """(line number, ``model``) for each record of ``path``, read lazily.

    A record is one non-blank line, or a pretty-printed object as gold is stored
    (numbered by its first line). With ``errors_too``, a record holding an error
    (``code`` and no ``sections``) gives an :class:`ErrorRecord` instead. A line that
    is not UTF-8, not JSON or not a valid ``model`` raises :class:`ConfigError`
    naming ``path:line``.
    """
    if not path.exists():
        raise ConfigError(Errors.E004, path=path)

    def decoded(fh) -> Iterator[tuple[int, str]]:
        for lineno, raw in enumerate(fh, 1):
            try:
                yield lineno, raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise ConfigError(Errors.E001, path=path, line=lineno, message=f"not UTF-8: {exc.reason}") from None

    try:
        with path.open("rb") as fh:
            for lineno, line in json_chunks(decoded(fh)):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                    is_error = errors_too and isinstance(obj, dict) and "code" in obj and "sections" not in obj
                    item = (ErrorRecord if is_error else model).model_validate(obj)
                except json.JSONDecodeError as exc:
                    raise ConfigError(Errors.E001, path=path, line=json_error_line(lineno, exc),
                                      message=f"invalid JSON: {exc.msg}") from None
                except ValidationError as exc:
                    first = exc.errors()[0]
                    where = ".".join(str(p) for p in first["loc"]) or "line"
                    msg = f"not a claimx {model.__name__}: {where}: {first['msg']} ({exc.error_count()} problem(s))"
                    raise ConfigError(Errors.E001, path=path, line=lineno, message=msg) from None
                yield lineno, item
    except OSError as exc:
        raise ConfigError(Errors.E105, source=path, message=exc.strerror or exc) from None


def read_records(path: Path, *, errors_too: bool = False,
                 seen: dict[str, tuple[Path, int]] | None = None) -> Iterator[Record | ErrorRecord]:
    """The records of one file, one at a time; a doc_id seen before raises :class:`ConfigError`.

    ``seen`` carries the doc_ids across files; ``errors_too`` as in :func:`read_jsonl`.
    """
    seen = {} if seen is None else seen
    for lineno, rec in read_jsonl(path, Record, errors_too=errors_too):
        if isinstance(rec, Record):
            if rec.doc_id in seen:
                file, first = seen[rec.doc_id]
                raise ConfigError(Errors.E001, path=path, line=lineno,
                                  message=f"duplicate doc_id {rec.doc_id!r} (first on line {first} of {file})")
            seen[rec.doc_id] = (path, lineno)
        yield rec


def load_docs(path: str | Path, files: dict[str, Path] | None = None) -> dict[str, Record | SpanDoc]:
    """Records (or span annotations) by doc_id, from a file or a folder of ``*.jsonl``.

    Records may be one per line or pretty-printed as gold is stored (:func:`claimx.records.dumps_gold`).
    ``files``, when given, is filled with the file each doc_id came from.
    """
    docs: dict[str, Record | SpanDoc] = {}
    for file in jsonl_files(Path(path)):
        for lineno, obj in read_objects(file, what="a record", multiline=True):
            try:
                if "schema_version" in obj:
                    doc: Record | SpanDoc = Record.model_validate(obj)
                elif "spans" in obj and "doc_id" in obj:
                    doc = SpanDoc(str(obj["doc_id"]), list(obj["spans"]), obj.get("text"))
                else:
                    raise ValueError("neither a claimx record nor a span annotation (doc_id, spans)")
            except (ValidationError, ValueError) as exc:
                msg = " ".join(str(exc).split())[:300]
                raise ConfigError(Errors.E001, path=file, line=lineno, message=msg) from None
            if doc.doc_id in docs:
                raise ConfigError(Errors.E001, path=file, line=lineno, message=f"duplicate doc_id {doc.doc_id!r}")
            docs[doc.doc_id] = doc
            if files is not None:
                files[doc.doc_id] = file
    return docs


def export_spans(record: Record) -> dict:
    """A record's tactic mentions in the spaCy/Prodigy span form."""
    spans = sorted({(m.start, m.end, m.label, m.text, m.rule_id) for k in record.claims for m in k.tactics})
    return {"doc_id": record.doc_id, "text": record.text,
            "spans": [{"start": s, "end": e, "label": lab, "text": t, "rule_id": r} for s, e, lab, t, r in spans]}
