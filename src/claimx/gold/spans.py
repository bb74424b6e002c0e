"""Gold span annotations (spaCy/Prodigy form): reading and checking them, and turning records into them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import ConfigError, Errors, at, validation_problems
from ..io.jsonl import read_jsonl
from ..records.io import LISTED, joined_problems, jsonl_files, offset_problems, span_problem
from ..records.items import walk
from ..records.schema import Record


@dataclass(frozen=True)
class SpanDoc:
    """Span annotations for one document (spaCy/Prodigy form), validated by :class:`SpanAnnotation`.

    ``where`` is the file and line it was read from, so a later check (a span past the
    end of the predicted record's text) can name ``path:line`` too.
    """

    doc_id: str
    spans: list[dict]
    text: str | None = None
    where: tuple[Path, int] | None = field(default=None, compare=False)


class AnnotatedSpan(BaseModel):
    """One annotated span. Offsets must be real integers (not "12" or 12.0): a file that
    writes them otherwise was not made by a span tool, and guessing would score the wrong
    characters. Other keys (Prodigy's ``token_start`` ...) are kept."""

    model_config = ConfigDict(extra="allow", strict=True)

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    label: str = Field(min_length=1)
    text: str | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> AnnotatedSpan:
        if self.end <= self.start:
            raise ValueError(f"end {self.end} is not after start {self.start}")
        return self


class SpanAnnotation(BaseModel):
    """A line of a span annotation file: ``{doc_id, text?, spans: [{start, end, label}]}``."""

    model_config = ConfigDict(extra="allow")

    doc_id: str = Field(min_length=1)
    text: str | None = None
    spans: list[AnnotatedSpan]

    @field_validator("doc_id", mode="before")
    @classmethod
    def _number_ids(cls, value: object) -> object:
        # Prodigy exports may carry numeric ids; they were always read as their string.
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def spans_outside(doc: SpanDoc, text: str | None) -> list[str]:
    """The spans of ``doc`` that do not fit ``text`` (its own, or that of the record it is scored on or built from)."""
    return [p for i, s in enumerate(doc.spans) if (p := span_problem(f"spans[{i}]", s["start"], s["end"], text))]


def raise_problems(problems: list[tuple[Path, int, str]]) -> None:
    """One ConfigError (exit 2) naming every bad record or annotation, ``path:line: message`` each."""
    if not problems:
        return
    (path, line, message), rest = problems[0], problems[1:]
    lines = [f"\n  {at(p, n)}: {m}" for p, n, m in rest[: LISTED - 1]]
    if len(rest) >= LISTED:
        lines.append(f"\n  ... and {len(rest) - LISTED + 1} more")
    raise ConfigError(Errors.E050, path=path, line=line, problem=message + "".join(lines))


def spans_beyond_records(annotations: dict, records: dict, doc_ids: Iterable[str]) -> list[tuple[Path, int, str]]:
    """(path, line, message) of each annotation without text of its own whose spans run
    past the end of the text of the record with its doc_id (scored with it, or giving it its text)."""
    problems = []
    for doc_id in doc_ids:
        ann, rec = annotations.get(doc_id), records.get(doc_id)
        if (
            isinstance(ann, SpanDoc)
            and ann.text is None
            and isinstance(rec, Record)
            and rec.text is not None
            and (found := spans_outside(ann, rec.text))
        ):
            path, line = ann.where or (Path("?"), 0)
            problems.append(
                (path, line, f"spans of {doc_id!r} do not fit the text of its record: {joined_problems(found)}")
            )
    return problems


def load_docs(path: str | Path, files: dict[str, Path] | None = None) -> dict[str, Record | SpanDoc]:
    """Records (or span annotations) by doc_id, from a file or a folder of ``*.jsonl``.

    Records may be one per line or pretty-printed as gold is stored (:func:`claimx.records.schema.dumps_gold`).
    ``files``, when given, is filled with the file each doc_id came from.
    """
    docs: dict[str, Record | SpanDoc] = {}
    problems: list[tuple[Path, int, str]] = []
    for file in jsonl_files(Path(path)):
        for lineno, obj in read_jsonl(file, what="a record", comments=True):
            found = _document(obj, file, lineno)
            if isinstance(found, str):
                problems.append((file, lineno, found))
                continue
            if found.doc_id in docs:
                problems.append((file, lineno, f"duplicate doc_id {found.doc_id!r}"))
                continue
            docs[found.doc_id] = found
            if files is not None:
                files[found.doc_id] = file
    raise_problems(problems)
    return docs


def _document(obj: dict, file: Path, lineno: int) -> Record | SpanDoc | str:
    """The record or span annotation ``obj`` holds, or what is wrong with it (every problem, one message)."""
    if "schema_version" in obj:
        try:
            record = Record.model_validate(obj)
        except ValidationError as exc:
            return f"not a claimx Record: {joined_problems(validation_problems(exc))}"
        problems = offset_problems(record)
        return f"not a claimx Record: {joined_problems(problems)}" if problems else record
    if "spans" in obj and "doc_id" in obj:
        try:
            ann = SpanAnnotation.model_validate(obj)
        except ValidationError as exc:
            return f"not a span annotation: {joined_problems(validation_problems(exc))}"
        spans = [s.model_dump(exclude_none=True) for s in ann.spans]
        doc = SpanDoc(ann.doc_id, spans, ann.text, where=(file, lineno))
        problems = spans_outside(doc, doc.text)
        return f"not a span annotation: {joined_problems(problems)}" if problems else doc
    return "neither a claimx record (schema_version) nor a span annotation (doc_id, spans)"


def export_spans(record: Record) -> dict:
    """A record's tactic mentions in the spaCy/Prodigy span form."""
    spans = sorted({(m.start, m.end, m.label, m.text, m.rule_id) for m in walk(record, "mentions")})
    return {
        "doc_id": record.doc_id,
        "text": record.text,
        "spans": [{"start": s, "end": e, "label": lab, "text": t, "rule_id": r} for s, e, lab, t, r in spans],
    }
