"""Read records and span annotations from JSONL files or folders, reporting ``path:line``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from .errors import ConfigError, Errors
from .records import Record
from .rulefiles import read_objects


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


def load_docs(path: str | Path, files: dict[str, Path] | None = None) -> dict[str, Record | SpanDoc]:
    """Records (or span annotations) by doc_id, from a file or a folder of ``*.jsonl``.

    ``files``, when given, is filled with the file each doc_id came from.
    """
    docs: dict[str, Record | SpanDoc] = {}
    for file in jsonl_files(Path(path)):
        for lineno, obj in read_objects(file, what="a record"):
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
