"""Read records from JSONL files or folders (one-line or pretty-printed), reporting ``path:line``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from ..config.rulefiles import json_chunks, json_error_line
from ..errors import ConfigError, Errors
from .schema import ErrorRecord, Record

M = TypeVar("M", bound=BaseModel)


PER_OBJECT = 5  # problems named per record or annotation


LISTED = 10  # records or annotations named in one error


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
                    raise ConfigError(
                        Errors.E001, path=path, line=json_error_line(lineno, exc), message=f"invalid JSON: {exc.msg}"
                    ) from None
                except ValidationError as exc:
                    msg = f"not a claimx {model.__name__}: {joined_problems(describe(exc))}"
                    raise ConfigError(Errors.E050, path=path, line=lineno, problem=msg) from None
                if isinstance(item, Record) and (problems := offset_problems(item)):
                    raise ConfigError(
                        Errors.E050, path=path, line=lineno, problem=f"not a claimx Record: {joined_problems(problems)}"
                    )
                yield lineno, item
    except OSError as exc:
        raise ConfigError(Errors.E105, source=path, message=exc.strerror or exc) from None


def read_records(
    path: Path, *, errors_too: bool = False, seen: dict[str, tuple[Path, int]] | None = None
) -> Iterator[Record | ErrorRecord]:
    """The records of one file, one at a time; a doc_id seen before raises :class:`ConfigError`.

    ``seen`` carries the doc_ids across files; ``errors_too`` as in :func:`read_jsonl`.
    """
    seen = {} if seen is None else seen
    for lineno, rec in read_jsonl(path, Record, errors_too=errors_too):
        if isinstance(rec, Record):
            if rec.doc_id in seen:
                file, first = seen[rec.doc_id]
                raise ConfigError(
                    Errors.E001,
                    path=path,
                    line=lineno,
                    message=f"duplicate doc_id {rec.doc_id!r} (first on line {first} of {file})",
                )
            seen[rec.doc_id] = (path, lineno)
        yield rec
