"""Read records from JSONL files or folders (one-line or pretty-printed), reporting ``path:line``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import ConfigError, Errors, validation_problems
from ..io.jsonl import read_jsonl
from .schema import ErrorRecord, Record

M = TypeVar("M", bound=BaseModel)


PER_OBJECT = 5  # problems named per record or annotation


LISTED = 10  # records or annotations named in one error


def joined_problems(problems: list[str]) -> str:
    more = len(problems) - PER_OBJECT
    return "; ".join(problems[:PER_OBJECT]) + (f"; and {more} more" if more > 0 else "")


def span_problem(where: str, start: int | None, end: int | None, doc_text: str | None) -> str | None:
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
    return [p for where, a, b in checks if (p := span_problem(where, a, b, record.text)) is not None]


def jsonl_files(path: Path) -> list[Path]:
    """``path`` itself, or the ``*.jsonl`` under a folder in sorted order.

    Error records (``*.errors.jsonl``), hidden files and the shards of an unfinished
    run (``<output>.parts/``) are not records of the folder: reading them would report
    documents twice.
    """
    if path.is_dir():
        return sorted(
            p
            for p in path.rglob("*.jsonl")
            if not p.name.endswith(".errors.jsonl")
            and not any(part.startswith(".") or part.endswith(".parts") for part in p.relative_to(path).parts)
        )
    if not path.exists():
        raise ConfigError(Errors.E004, path=path)
    return [path]


def error_files(path: Path) -> list[Path]:
    """The error records beside a folder's records (see :func:`jsonl_files`)."""
    return sorted(
        p
        for p in path.rglob("*.errors.jsonl")
        if not any(part.startswith(".") or part.endswith(".parts") for part in p.relative_to(path).parts)
    )


def read_models(path: Path, model: type[M], *, errors_too: bool = False) -> Iterator[tuple[int, M | ErrorRecord]]:
    """(line number, ``model``) for each record of ``path``, read lazily by :func:`claimx.io.jsonl.read_jsonl`.

    A record is one non-blank line, or a pretty-printed object as gold is stored
    (numbered by its first line). With ``errors_too``, a record holding an error
    (``code`` and no ``sections``) gives an :class:`ErrorRecord` instead. A line that
    is not UTF-8 or not JSON raises :class:`ConfigError` ``E053``, one that is not a
    valid ``model`` (for a Record: offsets that do not fit its text,
    :func:`offset_problems`) ``E050``, each naming ``path:line``.
    """
    for lineno, obj in read_jsonl(path):
        is_error = errors_too and isinstance(obj, dict) and "code" in obj and "sections" not in obj
        try:
            item = (ErrorRecord if is_error else model).model_validate(obj)
        except ValidationError as exc:
            msg = f"not a claimx {model.__name__}: {joined_problems(validation_problems(exc))}"
            raise ConfigError(Errors.E050, path=path, line=lineno, problem=msg) from None
        if isinstance(item, Record) and (problems := offset_problems(item)):
            raise ConfigError(
                Errors.E050, path=path, line=lineno, problem=f"not a claimx Record: {joined_problems(problems)}"
            )
        yield lineno, item


def read_records(
    path: Path, *, errors_too: bool = False, seen: dict[str, tuple[Path, int]] | None = None
) -> Iterator[Record | ErrorRecord]:
    """The records of one file, one at a time; a doc_id seen before raises :class:`ConfigError`.

    ``seen`` carries the doc_ids across files; ``errors_too`` as in :func:`read_models`.
    """
    seen = {} if seen is None else seen
    for lineno, rec in read_models(path, Record, errors_too=errors_too):
        if isinstance(rec, Record):
            if rec.doc_id in seen:
                file, first = seen[rec.doc_id]
                raise ConfigError(
                    Errors.E050,
                    path=path,
                    line=lineno,
                    problem=f"duplicate doc_id {rec.doc_id!r} (first on line {first} of {file})",
                )
            seen[rec.doc_id] = (path, lineno)
        yield rec
