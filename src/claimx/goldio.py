"""Read records and span annotations from JSONL files or folders, reporting ``path:line``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import ConfigError, Errors
from .records import ErrorRecord, Record
from .rulefiles import json_chunks, json_error_line, read_objects

M = TypeVar("M", bound=BaseModel)

PER_OBJECT = 5  # problems named per record or annotation
LISTED = 10  # records or annotations named in one error


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


def _loc(loc: tuple) -> str:
    """pydantic's ``("spans", 0, "end")`` as ``spans[0].end``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f"{'.' if out else ''}{part}"
    return out


def describe(exc: ValidationError) -> list[str]:
    """One readable line per problem pydantic found (``spans[0].end: Field required``)."""
    out = []
    for err in exc.errors(include_url=False):
        msg = err["msg"].removeprefix("Value error, ")
        where = _loc(err["loc"])
        out.append(f"{where}: {msg}" if where else msg)
    return out


def _joined(problems: list[str]) -> str:
    more = len(problems) - PER_OBJECT
    return "; ".join(problems[:PER_OBJECT]) + (f"; and {more} more" if more > 0 else "")


def _span_problem(where: str, start: int | None, end: int | None, doc_text: str | None) -> str | None:
    """Why ``start``-``end`` is not a span of ``doc_text`` (None when it is, or when nothing can be checked).

    Only the bounds are checked, not that a span's ``text`` equals the characters: a
    reviewer who moves an offset in a gold file by hand is making a change, not an error.
    """
    if start is None or end is None:
        return None
    if not 0 <= start <= end:
        return f"{where}: offsets {start}-{end} are not a span"
    if doc_text is not None and end > len(doc_text):
        return f"{where}: offsets {start}-{end} lie outside the text ({len(doc_text)} characters)"
    return None


def offset_problems(record: Record) -> list[str]:
    """Every span of ``record`` whose offsets do not fit its text, one line each.

    Records are checked as they are read because a record edited or cut by hand would
    otherwise give wrong rows (table), scores (eval) or a crash (report) instead of an
    error naming the line. Without text only the order of the offsets can be checked.
    """
    checks: list[tuple[str, int | None, int | None]] = []
    for i, s in enumerate(record.sections):
        checks += [(f"sections[{i}]", s.start, s.end), (f"sections[{i}].heading", s.heading_start, s.heading_end)]
    for i, c in enumerate(record.citations):
        checks += [(f"citations[{i}]", c.start, c.end), (f"citations[{i}].sentence", c.sentence_start, c.sentence_end)]
    checks += [(f"references[{i}]", r.start, r.end) for i, r in enumerate(record.references)]
    for i, k in enumerate(record.claims):
        checks.append((f"claims[{i}]", k.start, k.end))
        for name in ("tactics", "quantities", "hedges", "actors"):
            checks += [(f"claims[{i}].{name}[{j}]", m.start, m.end) for j, m in enumerate(getattr(k, name))]
    return [p for where, a, b in checks if (p := _span_problem(where, a, b, record.text)) is not None]


def spans_outside(doc: SpanDoc, text: str | None) -> list[str]:
    """The spans of ``doc`` that do not fit ``text`` (its own, or that of the record it is scored on or built from)."""
    return [p for i, s in enumerate(doc.spans) if (p := _span_problem(f"spans[{i}]", s["start"], s["end"], text))]


def raise_problems(problems: list[tuple[Path, int, str]]) -> None:
    """One ConfigError (exit 2) naming every bad record or annotation, ``path:line: message`` each."""
    if not problems:
        return
    (path, line, message), rest = problems[0], problems[1:]
    lines = [f"\n  {p}:{n}: {m}" for p, n, m in rest[: LISTED - 1]]
    if len(rest) >= LISTED:
        lines.append(f"\n  ... and {len(rest) - LISTED + 1} more")
    raise ConfigError(Errors.E050, path=path, line=line, problem=message + "".join(lines))


def spans_beyond_records(annotations: dict, records: dict, doc_ids: Iterable[str]) -> list[tuple[Path, int, str]]:
    """(path, line, message) of each annotation without text of its own whose spans run
    past the end of the text of the record with its doc_id (scored with it, or giving it its text)."""
    problems = []
    for doc_id in doc_ids:
        ann, rec = annotations.get(doc_id), records.get(doc_id)
        if isinstance(ann, SpanDoc) and ann.text is None and isinstance(rec, Record) and rec.text is not None:
            if found := spans_outside(ann, rec.text):
                path, line = ann.where or (Path("?"), 0)
                problems.append((path, line, f"spans of {doc_id!r} do not fit the text of its record: {_joined(found)}"))
    return problems


def check_output_path(path: Path) -> Path:
    """Refuse, before any work, an output path that cannot become a file.

    An existing folder, or a file where a parent folder should be, would otherwise fail
    only when the results are written, after all the reading and scoring; missing
    parent folders are fine (they are made, as for every claimx output).
    """
    if path.is_dir():
        raise ConfigError(Errors.E052, path=path, reason="is a folder; -o takes a file name")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ConfigError(Errors.E052, path=path, reason=f"{parent} is not a folder")
            break
    return path


def jsonl_files(path: Path) -> list[Path]:
    """``path`` itself, or the ``*.jsonl`` under a folder in sorted order.

    Error records (``*.errors.jsonl``), hidden files and the shards of an unfinished
    run (``<output>.parts/``) are not records of the folder: reading them would report
    documents twice.
    """
    if path.is_dir():
        return sorted(p for p in path.rglob("*.jsonl") if not p.name.endswith(".errors.jsonl")
                      and not any(part.startswith(".") or part.endswith(".parts")
                                  for part in p.relative_to(path).parts))
    if not path.exists():
        raise ConfigError(Errors.E004, path=path)
    return [path]


def error_files(path: Path) -> list[Path]:
    """The error records beside a folder's records (see :func:`jsonl_files`)."""
    return sorted(p for p in path.rglob("*.errors.jsonl")
                  if not any(part.startswith(".") or part.endswith(".parts") for part in p.relative_to(path).parts))


def read_jsonl(path: Path, model: type[M], *, errors_too: bool = False) -> Iterator[tuple[int, M | ErrorRecord]]:
    """(line number, ``model``) for each record of ``path``, read lazily.

    A record is one non-blank line, or a pretty-printed object as gold is stored
    (numbered by its first line). With ``errors_too``, a record holding an error
    (``code`` and no ``sections``) gives an :class:`ErrorRecord` instead. A line that
    is not UTF-8, not JSON or not a valid ``model`` (for a Record: offsets that do
    not fit its text, :func:`offset_problems`) raises :class:`ConfigError` naming
    ``path:line``.
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
                    msg = f"not a claimx {model.__name__}: {_joined(describe(exc))}"
                    raise ConfigError(Errors.E050, path=path, line=lineno, problem=msg) from None
                if isinstance(item, Record) and (problems := offset_problems(item)):
                    raise ConfigError(Errors.E050, path=path, line=lineno,
                                      problem=f"not a claimx Record: {_joined(problems)}")
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
    problems: list[tuple[Path, int, str]] = []
    for file in jsonl_files(Path(path)):
        for lineno, obj in read_objects(file, what="a record", multiline=True):
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
            return f"not a claimx Record: {_joined(describe(exc))}"
        problems = offset_problems(record)
        return f"not a claimx Record: {_joined(problems)}" if problems else record
    if "spans" in obj and "doc_id" in obj:
        try:
            ann = SpanAnnotation.model_validate(obj)
        except ValidationError as exc:
            return f"not a span annotation: {_joined(describe(exc))}"
        spans = [s.model_dump(exclude_none=True) for s in ann.spans]
        doc = SpanDoc(ann.doc_id, spans, ann.text, where=(file, lineno))
        problems = spans_outside(doc, doc.text)
        return f"not a span annotation: {_joined(problems)}" if problems else doc
    return "neither a claimx record (schema_version) nor a span annotation (doc_id, spans)"


def export_spans(record: Record) -> dict:
    """A record's tactic mentions in the spaCy/Prodigy span form."""
    spans = sorted({(m.start, m.end, m.label, m.text, m.rule_id) for k in record.claims for m in k.tactics})
    return {"doc_id": record.doc_id, "text": record.text,
            "spans": [{"start": s, "end": e, "label": lab, "text": t, "rule_id": r} for s, e, lab, t, r in spans]}
