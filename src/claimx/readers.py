"""Find input documents and read them as text: txt, Markdown, HTML, JSONL, gzip of any.

Reading never raises for a bad document: it yields an :class:`Input` whose
``error`` says what went wrong, so the batch goes on and nothing is lost.
"""

from __future__ import annotations

import codecs
import fnmatch
import gzip
import json
import os
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError, DocumentError, Errors
from .htmltext import html_to_text
from .records import Source
from .settings import InputSettings

FORMATS = {".txt": "txt", ".text": "txt", ".md": "markdown", ".markdown": "markdown",
           ".html": "html", ".htm": "html", ".jsonl": "jsonl"}


@dataclass(slots=True)
class Input:
    doc_id: str
    source: Source
    text: str | None = None
    title: str | None = None
    warnings: list[tuple[str, str]] = field(default_factory=list)
    error: DocumentError | None = None


def format_of(name: str) -> tuple[str | None, bool]:
    """(format, gzipped) from a file name's suffixes."""
    lower = name.lower()
    gz = lower.endswith(".gz")
    if gz:
        lower = lower[:-3]
    return FORMATS.get(os.path.splitext(lower)[1]), gz


def discover(paths: Iterable[str], exclude: list[str]) -> Iterator[tuple[str, str]]:
    """(path as given, doc id) for every input file; directories are walked in sorted order."""
    for given in paths:
        if given == "-":
            yield "-", "stdin"
            continue
        p = Path(given)
        if p.is_dir():
            found = []
            for root, dirs, files in os.walk(p, followlinks=False):
                dirs[:] = [d for d in dirs if not _excluded(d, exclude)]
                for name in files:
                    if not _excluded(name, exclude):
                        full = Path(root) / name
                        found.append((full.relative_to(p).as_posix(), full))
            for rel, full in sorted(found):
                yield str(full), rel
        elif p.exists():
            yield given, p.name
        else:
            raise ConfigError(Errors.E004, path=given)


def _excluded(name: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, pat) for pat in patterns)


def decode(data: bytes, fallbacks: list[str]) -> tuple[str, list[tuple[str, str]]]:
    """Text from bytes: UTF-8 (BOM allowed), UTF-16 with BOM, else a fallback with a warning.

    Line endings become '\\n'. Raises ValueError for data that is not text.
    """
    warnings: list[tuple[str, str]] = []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        if b"\x00" in data:
            raise ValueError("it contains NUL bytes")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            reason = f"byte 0x{data[exc.start]:02x} at offset {exc.start}"
            for enc in [*fallbacks, "latin-1"]:
                try:
                    text = data.decode(enc)
                except UnicodeDecodeError:
                    continue
                warnings.append(("W001", Errors.W001.format(reason=reason, encoding=enc)))
                break
    return text.replace("\r\n", "\n").replace("\r", "\n"), warnings


def read_inputs(paths: Iterable[str], settings: InputSettings, *, force_format: str | None = None) -> Iterator[Input]:
    """Every document of every path, in a stable order; a repeated doc_id becomes an error."""
    seen: dict[str, str] = {}
    for inp in _read_all(paths, settings, force_format):
        where = f"{inp.source.path}:{inp.source.line}" if inp.source.line else inp.source.path
        first = seen.setdefault(inp.doc_id, where)
        if first != where and inp.error is None:
            inp.error = DocumentError(Errors.E109, source=where, doc_id=inp.doc_id, first=first)
        yield inp


def _read_all(paths: Iterable[str], settings: InputSettings, force_format: str | None) -> Iterator[Input]:
    for path, doc_id in discover(paths, settings.exclude):
        fmt, gz = format_of(path)
        fmt = force_format or fmt or ("txt" if path == "-" else None)
        if fmt is None:
            src = Source(path=path, format="unknown")
            yield Input(doc_id, src, error=DocumentError(Errors.E106, source=path, suffix="".join(Path(path).suffixes)))
            continue
        if fmt == "jsonl":
            yield from _read_jsonl(path, doc_id, gz, settings)
        else:
            yield _read_file(path, doc_id, fmt, gz, settings)


def _open(path: str, gz: bool):
    raw = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
    return gzip.GzipFile(fileobj=raw, mode="rb") if gz else raw


def _read_file(path: str, doc_id: str, fmt: str, gz: bool, settings: InputSettings) -> Input:
    src = Source(path=path, format=fmt)
    try:
        with _open(path, gz) as fh:
            data = fh.read()
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        return Input(doc_id, src, error=DocumentError(Errors.E107, source=path, message=exc or "truncated"))
    except OSError as exc:
        return Input(doc_id, src, error=DocumentError(Errors.E105, source=path, message=exc.strerror or exc))
    try:
        text, warnings = decode(data, settings.fallback_encodings)
    except ValueError as exc:
        return Input(doc_id, src, error=DocumentError(Errors.E101, source=path, reason=exc))
    if fmt == "html":
        text = html_to_text(text)
    if not text.strip():
        return Input(doc_id, src, error=DocumentError(Errors.E108, source=path))
    return Input(doc_id, src, text=text, warnings=warnings)


def jsonl_chunks(path: str, lines: int) -> list[tuple[int, int, int]]:
    """(first line, byte offset, line count) pieces of a JSONL file, ``lines`` lines each.

    Lets a cluster read one big archive file in parallel: a reader seeks to its
    piece's byte offset. A ``.gz`` file is one piece, read whole by one reader: a
    gzip stream can only be read from its start, so each piece of it would
    decompress everything before it (pieces x file size in all).
    """
    chunks: list[tuple[int, int, int]] = []
    offset = 0
    if format_of(path)[1]:
        return [(1, 0, -1)]
    try:
        with _open(path, False) as fh:
            for lineno, raw in enumerate(fh, 1):
                if (lineno - 1) % lines == 0:
                    chunks.append((lineno, offset, 0))
                first, start, count = chunks[-1]
                chunks[-1] = (first, start, count + 1)
                offset += len(raw)
    except (OSError, EOFError, zlib.error):
        return [(1, 0, -1)]  # unreadable: one piece, whose reader reports the error
    return chunks or [(1, 0, -1)]


def read_jsonl_chunk(path: str, file_id: str, settings: InputSettings, chunk: tuple[int, int, int]) -> Iterator[Input]:
    """The documents of one piece from :func:`jsonl_chunks` (count -1: to the end)."""
    yield from _read_jsonl(path, file_id, format_of(path)[1], settings, chunk)


def _read_jsonl(path: str, file_id: str, gz: bool, settings: InputSettings,
                chunk: tuple[int, int, int] = (1, 0, -1)) -> Iterator[Input]:
    f_id, f_text, f_url, f_title = (settings.field(n) for n in ("id", "text", "url", "title"))
    first, offset, count = chunk
    lineno = first - 1
    try:
        with _open(path, gz) as fh:
            if offset and not gz:
                fh.seek(offset)
            elif offset:
                for _ in range(first - 1):
                    fh.readline()
            for lineno, raw in enumerate(fh, first):
                if count >= 0 and lineno >= first + count:
                    break
                if not raw.strip():
                    continue
                where = f"{path}:{lineno}"
                src = Source(path=path, line=lineno, format="jsonl")
                doc_id = f"{file_id}:{lineno}"
                try:
                    line, warnings = decode(raw, settings.fallback_encodings)
                    obj = json.loads(line)
                except ValueError as exc:
                    yield Input(doc_id, src, error=DocumentError(Errors.E102, source=where, message=exc))
                    continue
                if not isinstance(obj, dict):
                    yield Input(doc_id, src, error=DocumentError(Errors.E103, source=where))
                    continue
                if obj.get(f_id) not in (None, ""):
                    doc_id = str(obj[f_id])
                url = obj.get(f_url)
                src = Source(path=path, line=lineno, format="jsonl", url=url if isinstance(url, str) else None)
                text = obj.get(f_text)
                if not isinstance(text, str) or not text.strip():
                    yield Input(doc_id, src, error=DocumentError(Errors.E104, source=where, field=f_text))
                    continue
                title = obj.get(f_title)
                yield Input(doc_id, src, text=text.replace("\r\n", "\n").replace("\r", "\n"),
                            title=title if isinstance(title, str) else None, warnings=warnings)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        src = Source(path=path, line=lineno + 1, format="jsonl")
        yield Input(f"{file_id}:{lineno + 1}", src,
                    error=DocumentError(Errors.E107, source=f"{path}:{lineno + 1}", message=exc or "truncated"))
    except OSError as exc:
        yield Input(file_id, Source(path=path, format="jsonl"),
                    error=DocumentError(Errors.E105, source=path, message=exc.strerror or exc))
