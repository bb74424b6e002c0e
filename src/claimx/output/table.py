"""Flat tables of records: one row per section, claim, mention, citation, ... .

:func:`to_frame` turns records into a :class:`pandas.DataFrame` with a fixed column
order and fixed dtypes for each level (:data:`LEVEL_COLUMNS`), so an empty table has the same
schema as a full one. :func:`write_table` and :func:`read_table` move such a frame to and
from CSV, TSV, Parquet or JSONL without losing a type:

- ``string`` columns hold text or ``<NA>``; ``Int64`` and ``Float64`` are pandas'
  nullable numbers; list columns (``labels``, ``refs``, ...) hold Python lists in the
  frame, ``list<string>`` / ``list<int64>`` in Parquet, JSON arrays in JSONL, and
  compact JSON arrays as text in CSV/TSV (``["LABEL_A","LABEL_B"]``, ``[1,2]``).
- In CSV/TSV an empty cell is null; read CSV yourself with
  ``pd.read_csv(path, keep_default_na=False, na_values=[""])`` (otherwise a text "NA"
  becomes null) and ``json.loads`` on the list columns, or simply use :func:`read_table`.

pandas is imported on first use, so ``import claimx`` stays light.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..io.files import atomic_writer
from ..io.jsonl import read_jsonl
from ..records.items import Item, level_name, walk
from ..records.schema import ErrorRecord, Record

if TYPE_CHECKING:
    import pandas as pd

# Every column, with its dtype; a name means the same thing (and has the same dtype) at
# every level. "list[string]" / "list[Int64]" are object columns of Python lists.
COLUMN_TYPES: dict[str, str] = {
    "doc_id": "string",
    "section_id": "string",
    "section_kind": "string",
    "start": "Int64",
    "end": "Int64",
    "text": "string",
    "claim_id": "string",
    "citation_id": "string",
    "reference_id": "string",
    "publisher_rating": "string",
    "url": "string",
    "targets": "list[string]",
    "kind": "string",
    "certainty": "string",
    "label": "string",
    "rule_id": "string",
    "cue": "string",
    "unit": "string",
    "value": "Float64",
    "labels": "list[string]",
    "actor_labels": "list[string]",
    "citation_ids": "list[string]",
    "citation_refs": "list[Int64]",
    "refs": "list[Int64]",
    "sentence_start": "Int64",
    "sentence_end": "Int64",
    "number": "Int64",
    "heading": "string",
    "heading_start": "Int64",
    "heading_end": "Int64",
    "n_tactics": "Int64",
    "n_actors": "Int64",
    "n_quantities": "Int64",
    "n_hedges": "Int64",
    "n_citations": "Int64",
    "n_claims": "Int64",
    "claim_reviewed": "string",
    "checked_on": "string",
}

COMMON = ("doc_id", "section_id", "section_kind", "start", "end", "text")
_CLAIM_CHILD = ("claim_id", "certainty")  # mention-like rows: the claim they are in and its certainty

# level (claimx.records.items.LEVELS) -> columns, in order. Every level starts with COMMON.
LEVEL_COLUMNS: dict[str, tuple[str, ...]] = {
    "sections": COMMON + ("number", "heading", "heading_start", "heading_end", "rule_id", "n_claims", "n_citations"),
    "claims": COMMON
    + (
        "claim_id",
        "kind",
        "certainty",
        "labels",
        "actor_labels",
        "citation_ids",
        "citation_refs",
        "n_tactics",
        "n_actors",
        "n_quantities",
        "n_hedges",
        "n_citations",
    ),
    "mentions": COMMON + _CLAIM_CHILD + ("label", "rule_id"),
    "actors": COMMON + _CLAIM_CHILD + ("label", "rule_id"),
    "quantities": COMMON + _CLAIM_CHILD + ("value", "unit", "rule_id"),
    "hedges": COMMON + _CLAIM_CHILD + ("cue", "rule_id"),
    "citations": COMMON + ("citation_id", "refs", "rule_id", "sentence_start", "sentence_end", "claim_id", "targets"),
    "references": COMMON + ("reference_id", "number", "rule_id", "url"),
    # One row per document: its verdict (label null when none was read) and what it reviews.
    "verdicts": COMMON + ("label", "rule_id", "claim_reviewed", "checked_on", "publisher_rating"),
}

FORMATS = {".csv": "csv", ".tsv": "tsv", ".parquet": "parquet", ".jsonl": "jsonl"}


def format_for(path: str | Path) -> str:
    """csv, tsv, parquet or jsonl from the file suffix; ValueError for any other."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(
            f"unknown table format {suffix or '(no suffix)'!r} for {path}; use one of {', '.join(FORMATS)}"
        )
    return FORMATS[suffix]


# --- records -> rows ---------------------------------------------------------------


def _as_record(obj: Any) -> Record | None:
    """A Record, or None for an error record (skipped). Dicts are validated."""
    if isinstance(obj, Record):
        return obj
    if isinstance(obj, ErrorRecord):
        return None
    if isinstance(obj, dict):
        if "code" in obj and "sections" not in obj:
            return None
        return Record.model_validate(obj)
    raise TypeError(f"expected a claimx Record, ErrorRecord or dict, got {type(obj).__name__}")


def _fields(i: Item) -> dict[str, Any]:
    """The columns of one item's row that are not COMMON, by its level."""
    m = i.model
    if i.level == "sections":
        return {
            "number": m.number,
            "heading": m.heading,
            "heading_start": m.heading_start,
            "heading_end": m.heading_end,
            "rule_id": m.rule_id,
        }
    if i.level == "claims":
        return {
            "claim_id": m.id,
            "kind": m.kind,
            "certainty": m.certainty,
            "labels": sorted({t.label for t in m.tactics}),
            "actor_labels": sorted({a.label for a in m.actors}),
            "citation_ids": list(m.citation_ids),
            "citation_refs": list(m.citation_refs),
            "n_tactics": len(m.tactics),
            "n_actors": len(m.actors),
            "n_quantities": len(m.quantities),
            "n_hedges": len(m.hedges),
            "n_citations": len(m.citation_ids),
        }
    if i.level == "citations":
        return {
            "citation_id": m.id,
            "refs": list(m.refs),
            "rule_id": m.rule_id,
            "sentence_start": m.sentence_start,
            "sentence_end": m.sentence_end,
            "claim_id": i.claim_id,
            "targets": list(m.targets),
        }
    if i.level == "references":
        return {"reference_id": m.id, "number": m.number, "rule_id": m.rule_id, "url": m.url}
    # mentions, actors, quantities, hedges
    row = {"claim_id": i.claim_id, "certainty": i.claim.certainty, "rule_id": m.rule_id}
    if i.level == "quantities":
        return row | {"value": m.value, "unit": m.unit}
    return row | {"cue" if i.level == "hedges" else "label": i.label}


def _rows(rec: Record, level: str) -> list[dict[str, Any]]:
    """The rows of one record at a (canonical) level, in text order."""
    kinds = {s.id: s.kind for s in rec.sections}

    def base(section_id: str | None, start: int | None, end: int | None, text: str | None) -> dict[str, Any]:
        return {
            "doc_id": rec.doc_id,
            "section_id": section_id,
            "section_kind": kinds.get(section_id),
            "start": start,
            "end": end,
            "text": text,
        }

    found = walk(rec, level)
    if level == "verdicts":  # one row per document, with nulls when no verdict was read
        v = found[0] if found else None
        return [
            (base(v.section_id, v.start, v.end, v.text) if v else base(None, None, None, None))
            | {
                "label": v.label if v else None,
                "rule_id": v.rule_id if v else None,
                "claim_reviewed": rec.claim_reviewed.text if rec.claim_reviewed else None,
                "checked_on": rec.checked_on.isoformat() if rec.checked_on else None,
                "publisher_rating": _publisher_rating(rec),
            }
        ]
    rows = [base(i.section_id, i.start, i.end, i.text) | _fields(i) for i in found]
    if level == "sections":
        n_claims, n_citations = Counter(k.section_id for k in rec.claims), Counter(c.section_id for c in rec.citations)
        for row in rows:
            row |= {"n_claims": n_claims[row["section_id"]], "n_citations": n_citations[row["section_id"]]}
    return rows


def _column(values: list, dtype: str):
    import pandas as pd

    if dtype.startswith("list["):
        return pd.Series(values, dtype=object)
    return pd.array(values, dtype=dtype)


def _frame(columns: Iterable[str], data: dict[str, list]) -> pd.DataFrame:
    import pandas as pd

    cols = list(columns)
    return pd.DataFrame({c: _column(data.get(c, []), COLUMN_TYPES[c]) for c in cols}, columns=cols)


def empty_frame(level: str) -> pd.DataFrame:
    """The table of ``level`` with no rows: every column, with its dtype."""
    return _frame(LEVEL_COLUMNS[level_name(level)], {})


def to_frame(records: Iterable[Record | ErrorRecord | dict], level: str = "claims") -> pd.DataFrame:
    """One row per item of ``level`` (see :data:`LEVEL_COLUMNS`), in input order, then text order.

    ``records`` may be :class:`~claimx.records.schema.Record` models (as ``extract_records``
    yields them) or dicts as read from the JSONL; dicts are validated against the record
    schema (a pydantic ``ValidationError`` for one that does not fit). Error records (an
    ``ErrorRecord``, or a dict with ``code`` and no ``sections``) have no items and are
    skipped. ``level`` ``tactics`` is another name for ``mentions``.
    """
    level = level_name(level)
    columns = LEVEL_COLUMNS[level]
    data: dict[str, list] = {c: [] for c in columns}
    for obj in records:
        rec = _as_record(obj)
        if rec is None:
            continue
        for row in _rows(rec, level):
            for c in columns:
                data[c].append(row[c])
    return _frame(columns, data)


# --- files -------------------------------------------------------------------------


def _is_list_column(name: str) -> bool:
    return COLUMN_TYPES.get(name, "").startswith("list[")


def _py(value: Any) -> Any:
    """A cell as plain JSON-able Python (NA -> None, numpy scalars -> Python)."""
    import pandas as pd

    if isinstance(value, list):
        return value
    if value is None or value is pd.NA:
        return None
    if getattr(value, "ndim", 0):  # a numpy array (a Parquet list cell)
        return value.tolist()
    if hasattr(value, "item"):  # a numpy scalar
        return value.item()
    return value


def _arrow_schema(frame: pd.DataFrame):
    import pyarrow as pa

    types = {
        "string": pa.string(),
        "Int64": pa.int64(),
        "Float64": pa.float64(),
        "list[string]": pa.list_(pa.string()),
        "list[Int64]": pa.list_(pa.int64()),
    }
    fields = []
    for name in frame.columns:
        if name in COLUMN_TYPES:
            fields.append(pa.field(name, types[COLUMN_TYPES[name]]))
        else:  # a column the caller added: let pyarrow infer it
            fields.append(pa.Schema.from_pandas(frame[[name]], preserve_index=False).field(name))
    return pa.schema(fields)


def table_bytes(frame: pd.DataFrame, fmt: str, *, header: bool = True) -> bytes:
    """The frame as the bytes of a csv, tsv, parquet or jsonl file (conventions above).

    ``header=False`` leaves out the CSV/TSV header line, for a chunk that follows another.
    """
    if fmt in ("csv", "tsv"):
        out = frame.copy()
        for name in out.columns:
            if _is_list_column(name):
                out[name] = [json.dumps(v, ensure_ascii=False, separators=(",", ":")) for v in out[name]]
        text = out.to_csv(index=False, sep="," if fmt == "csv" else "\t", lineterminator="\n", header=header)
        return text.encode("utf-8")
    if fmt == "jsonl":
        names = list(frame.columns)
        lines = [
            json.dumps(dict(zip(names, map(_py, row), strict=False)), ensure_ascii=False, separators=(",", ":"))
            for row in frame.itertuples(index=False, name=None)
        ]
        return "".join(line + "\n" for line in lines).encode("utf-8")
    if fmt == "parquet":
        import pyarrow as pa

        sink = pa.BufferOutputStream()
        _write_parquet([frame], sink)
        return sink.getvalue().to_pybytes()
    raise ValueError(f"unknown table format {fmt!r}; use one of {', '.join(FORMATS.values())}")


def _write_parquet(frames: Iterable[pd.DataFrame], sink) -> None:
    """One row group per frame; the schema comes from the first frame."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = None
    try:
        for frame in frames:
            table = pa.Table.from_pandas(frame, schema=_arrow_schema(frame), preserve_index=False)
            writer = writer or pq.ParquetWriter(sink, table.schema)  # with pandas' dtype metadata
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


def iter_frames(
    records: Iterable[Record | ErrorRecord | dict], level: str = "claims", *, chunk: int = 1000
) -> Iterator[pd.DataFrame]:
    """:func:`to_frame` of ``chunk`` records at a time (at least one frame, maybe empty).

    Memory then depends on the chunk, not on the archive: what ``claimx table`` uses.
    """
    it = iter(records)
    first = True
    while (part := list(islice(it, chunk))) or first:
        first = False
        yield to_frame(part, level)


def write_frames(frames: Iterable[pd.DataFrame], out: IO[bytes], fmt: str) -> int:
    """Write frames as one table to a binary stream; the number of rows written."""
    rows = 0

    def counted():
        nonlocal rows
        for frame in frames:
            rows += len(frame)
            yield frame

    if fmt == "parquet":
        _write_parquet(counted(), out)
    else:
        for i, frame in enumerate(counted()):
            out.write(table_bytes(frame, fmt, header=i == 0))
    return rows


def write_table(frame: pd.DataFrame, path: str | Path, fmt: str | None = None) -> None:
    """Write ``frame`` to ``path`` (format from the suffix unless ``fmt``), atomically:
    a temporary file in the same folder is renamed into place, so a reader never sees
    half a table."""
    path = Path(path)
    with atomic_writer(path, binary=True) as fh:
        write_frames([frame], fh, fmt or format_for(path))


def _restore(frame: pd.DataFrame) -> pd.DataFrame:
    """Give the known columns their to_frame dtypes (lists as Python lists)."""
    import pandas as pd

    out = {}
    for name in frame.columns:
        dtype = COLUMN_TYPES.get(name)
        values = [_py(v) for v in frame[name]]
        if dtype is None:
            out[name] = frame[name].reset_index(drop=True)
        elif dtype.startswith("list["):
            out[name] = pd.Series([_as_list(v) for v in values], dtype=object)
        elif dtype == "string":
            out[name] = pd.array([None if v is None else str(v) for v in values], dtype="string")
        else:
            cast = int if dtype == "Int64" else float
            out[name] = pd.array([None if _missing(v) else cast(v) for v in values], dtype=dtype)
    return pd.DataFrame(out, columns=list(frame.columns))


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)  # None or NaN


def _as_list(value: Any) -> list:
    if isinstance(value, str):
        return json.loads(value)  # CSV / TSV
    if value is None:
        return []
    return list(value)  # from Parquet (via _py) or JSONL


def read_table(path: str | Path, level: str | None = None, fmt: str | None = None) -> pd.DataFrame:
    """Read a table written by :func:`write_table` (or ``claimx table``) back into the
    frame :func:`to_frame` gave: same columns, dtypes and values.

    With ``level``, the columns must be that level's (ValueError otherwise), and an
    empty JSONL file (which cannot hold column names) gives the empty table of the level.
    """
    import pandas as pd

    fmt = fmt or format_for(path)
    if fmt in ("csv", "tsv"):
        raw = pd.read_csv(path, sep="," if fmt == "csv" else "\t", dtype=object, keep_default_na=False, na_values=[""])
        raw = raw.astype(object).where(raw.notna(), None)
    elif fmt == "parquet":
        raw = pd.read_parquet(path)
    elif fmt == "jsonl":
        rows = [row for _, row in read_jsonl(Path(path), what="a row")]
        names = list(rows[0]) if rows else []
        raw = pd.DataFrame([[r.get(n) for n in names] for r in rows], columns=names, dtype=object)
    else:
        raise ValueError(f"unknown table format {fmt!r}; use one of {', '.join(FORMATS.values())}")
    if level is None:
        return _restore(raw)
    columns = LEVEL_COLUMNS[level_name(level)]
    if fmt == "jsonl" and raw.empty and not len(raw.columns):
        return empty_frame(level)
    if tuple(raw.columns) != columns:
        raise ValueError(f"{path}: columns {list(raw.columns)} are not those of level {level!r}: {list(columns)}")
    return _restore(raw)


def _publisher_rating(rec: Record) -> str | None:
    """The rating the page's own ClaimReview gives (``reviewRating.alternateName``, else its ``name``), if any."""
    for review in rec.source.claimreview or ():
        rating = review.get("reviewRating")
        rating = rating[0] if isinstance(rating, list) and rating else rating
        if isinstance(rating, dict):
            for key in ("alternateName", "name"):
                if isinstance(rating.get(key), str) and rating[key].strip():
                    return rating[key].strip()
    return None
