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
import re
import sqlite3
import stat
import sys
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO

from ..config.settings import InputSettings
from ..errors import ConfigError, DocumentError, Errors, RunError, at
from .html import Markup, read_html
from .source import Source

FORMATS = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
}


@dataclass(slots=True)
class Input:
    doc_id: str
    source: Source
    text: str | None = None
    title: str | None = None
    warnings: list[tuple[str, str]] = field(default_factory=list)
    error: DocumentError | None = None
    markup: Markup | None = None  # what an HTML page's markup says (hints for the section splitter)


def format_of(name: str) -> tuple[str | None, bool]:
    """(format, gzipped) from a file name's suffixes."""
    lower = name.lower()
    gz = lower.endswith(".gz")
    if gz:
        lower = lower[:-3]
    return FORMATS.get(os.path.splitext(lower)[1]), gz


@dataclass(frozen=True, slots=True)
class Found:
    """One input file found by :func:`discover`; unpacks as ``(path, doc_id)``.

    ``path`` is what to open, exactly as the OS spells it (a name that is not UTF-8
    holds surrogate escapes); ``shown`` and ``doc_id`` are printable, because they go
    into records and messages. ``refused`` is set for a file that must not be read
    (a link leaving the input folder): it becomes an error record, so nothing is lost.
    """

    path: str
    doc_id: str
    shown: str
    refused: DocumentError | None = None

    def __iter__(self) -> Iterator[str]:
        return iter((self.path, self.doc_id))


def printable(name: str) -> str:
    """``name`` with undecodable bytes of a file name written as ``\\xff`` escapes.

    os.walk and sys.argv give such bytes as lone surrogates, which no UTF-8 writer
    accepts; the escaped form is valid text, stable across runs and says which byte
    it was (``bad\\xff.txt``).
    """
    if name.isascii():
        return name
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    try:
        return os.fsencode(name).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate no file name decodes to
        return name.encode("utf-8", "backslashreplace").decode("utf-8")


def discover(
    paths: Iterable[str], exclude: list[str], *, skip: Iterable[str | os.PathLike] = (), follow_links: bool = False
) -> Iterator[Found]:
    """Every input file, in a stable order; directories are walked in sorted order.

    ``skip`` names the run's own outputs: they, their ``<output>.parts`` folders and
    their temporary files are never yielded, so an output written into an input
    folder is not read back by the next run. In a walked directory, a file link whose
    target lies outside the directory is refused unless ``follow_links`` (links to
    directories are never followed). With several inputs, doc_ids start with each
    input's own name (see :func:`input_names`), so they cannot collide.
    """
    paths = list(paths)
    guard = _Skip(skip)
    for given, name in zip(paths, input_names(paths), strict=False):
        if given == "-":
            yield Found("-", "stdin", "-")
            continue
        p = Path(given)
        if p.is_dir():
            yield from _walk(p, name, exclude, guard, follow_links)
        elif p.exists():
            if not guard(given):
                yield Found(given, name or printable(p.name), printable(given))
        else:
            raise ConfigError(Errors.E004, path=printable(given))


def input_names(paths: list[str]) -> list[str]:
    """The doc_id prefix of each input: empty for a single input (ids as they always were).

    With several inputs, an input's own name (the directory's or file's base name);
    inputs whose base names clash are named by their path as given, normalised
    (``one/data``, ``two/data``). The same input given twice keeps one name, so its
    documents are reported as duplicates (E109).
    """
    if len(paths) < 2:
        return [""] * len(paths)
    bases = [os.path.basename(os.path.abspath(p)) or Path(os.path.abspath(p)).as_posix() for p in paths]
    clash = {b for b in bases if bases.count(b) > 1}
    return [
        "" if p == "-" else printable(Path(os.path.normpath(p)).as_posix() if b in clash else b)
        for p, b in zip(paths, bases, strict=False)
    ]


def _walk(top: Path, name: str, exclude: list[str], guard: _Skip, follow_links: bool) -> Iterator[Found]:
    root = os.path.realpath(top)
    found = []
    for folder, dirs, files in os.walk(top, followlinks=False):
        dirs[:] = [d for d in dirs if not _excluded(d, exclude) and not guard.parts(os.path.join(folder, d))]
        for fname in files:
            if not _excluded(fname, exclude):
                full = Path(folder) / fname
                found.append((full.relative_to(top).as_posix(), full))
    for rel, full in sorted(found):
        path = str(full)
        if guard(path):
            continue
        doc_id = printable(f"{name}/{rel}" if name else rel)
        yield Found(path, doc_id, printable(path), None if follow_links else _leaves(path, root))


def _leaves(path: str, root: str) -> DocumentError | None:
    """E117 when ``path`` is a link whose target lies outside ``root`` (both resolved)."""
    if not os.path.islink(path):
        return None
    target = os.path.realpath(path)
    if target == root or target.startswith(root.rstrip(os.sep) + os.sep):
        return None
    return DocumentError(Errors.E117, source=printable(path), target=printable(target), root=printable(root))


class _Skip:
    """Is a path one of the run's outputs, inside their ``.parts`` folders, or their temporary files?

    Compared resolved (links and ``..`` followed), so a link to an output is skipped too.
    """

    def __init__(self, outputs: Iterable[str | os.PathLike]) -> None:
        self.files = {os.path.realpath(o) for o in outputs if str(o) != "-"}
        self.folders = {f + ".parts" for f in self.files}

    def parts(self, path: str) -> bool:
        return bool(self.folders) and os.path.realpath(path) in self.folders

    def __call__(self, path: str) -> bool:
        if not self.files:
            return False
        real = os.path.realpath(path)
        if real in self.files or any(real.startswith(f + os.sep) for f in self.folders):
            return True
        folder, name = os.path.split(real)
        return name.endswith(".tmp") and any(
            os.path.dirname(f) == folder and name.startswith(f".{os.path.basename(f)}.") for f in self.files
        )


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


def read_inputs(
    paths: Iterable[str],
    settings: InputSettings,
    *,
    force_format: str | None = None,
    skip: Iterable[str | os.PathLike] = (),
    follow_links: bool = False,
) -> Iterator[Input]:
    """Every document of every path, in a stable order; a repeated doc_id becomes an error.

    ``skip`` and ``follow_links`` are :func:`discover`'s.
    """
    seen = SeenIds()
    try:
        for inp in _read_all(paths, settings, force_format, skip, follow_links):
            where = inp.source.where
            first = seen.add(inp.doc_id, where)
            if first is not None and inp.error is None:  # the same input given twice too
                inp.error = DocumentError(Errors.E109, source=where, doc_id=inp.doc_id, first=first)
            yield inp
    finally:
        seen.close()


class SeenIds:
    """The doc_ids of a run and where each was first seen, in bounded memory.

    A dict holds the first ``in_memory`` ids (about 190 bytes each); past that they all
    move to an anonymous SQLite database (``connect("")``: a private temporary file,
    deleted when closed) whose page cache is ``cache_kib``, so a run of any size keeps
    at most a few tens of MB for this, and every answer is still exact, with the first
    place for E109's message.
    """

    def __init__(self, in_memory: int = 100_000, cache_kib: int = 4096) -> None:
        self.in_memory, self.cache_kib = in_memory, cache_kib
        self.ids: dict[str, str] = {}
        self.db: sqlite3.Connection | None = None

    def add(self, doc_id: str, where: str) -> str | None:
        """Record ``doc_id`` as seen at ``where``: None if it is new, else the place it was first seen."""
        if self.db is None:
            size = len(self.ids)
            first = self.ids.setdefault(doc_id, where)
            if len(self.ids) == size:
                return first
            if size >= self.in_memory:
                self._spill()
            return None
        try:
            key = doc_id.encode("utf-8", "surrogatepass")
            place = where.encode("utf-8", "surrogatepass")
            cur = self.db.execute("INSERT OR IGNORE INTO seen VALUES (?, ?)", (key, place))
            if cur.rowcount == 1:
                return None
            (first,) = self.db.execute("SELECT place FROM seen WHERE id = ?", (key,)).fetchone()
        except sqlite3.Error as exc:
            raise RunError(Errors.E119, message=exc) from None
        return first.decode("utf-8", "surrogatepass")

    def _spill(self) -> None:
        try:
            db = sqlite3.connect("", isolation_level=None)
            for pragma in (
                "journal_mode = OFF",
                "synchronous = OFF",
                "temp_store = FILE",
                f"cache_size = -{self.cache_kib}",
            ):
                db.execute(f"PRAGMA {pragma}")
            db.execute("CREATE TABLE seen (id BLOB PRIMARY KEY, place BLOB NOT NULL) WITHOUT ROWID")
            db.execute("BEGIN")
            db.executemany(
                "INSERT INTO seen VALUES (?, ?)",
                ((k.encode("utf-8", "surrogatepass"), v.encode("utf-8", "surrogatepass")) for k, v in self.ids.items()),
            )
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            raise RunError(Errors.E119, message=exc) from None
        self.db, self.ids = db, {}

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None


def _read_all(
    paths: Iterable[str],
    settings: InputSettings,
    force_format: str | None,
    skip: Iterable[str | os.PathLike],
    follow_links: bool,
) -> Iterator[Input]:
    for found in discover(paths, settings.exclude, skip=skip, follow_links=follow_links):
        yield from read_found(found, settings, force_format)


def read_found(found: Found, settings: InputSettings, force_format: str | None = None) -> Iterator[Input]:
    """The documents of one file :func:`discover` found (a refused one gives its error record)."""
    path, shown, doc_id = found.path, found.shown, found.doc_id
    fmt, gz = format_of(path)
    fmt = force_format or fmt or ("txt" if path == "-" else None)
    if found.refused is not None:
        yield Input(doc_id, Source(path=shown, format=fmt or "unknown"), error=found.refused)
    elif fmt is None:
        src = Source(path=shown, format="unknown")
        yield Input(
            doc_id, src, error=DocumentError(Errors.E106, source=shown, suffix=printable("".join(Path(path).suffixes)))
        )
    elif fmt == "jsonl":
        yield from _read_jsonl(path, doc_id, gz, settings, shown=shown)
    else:
        yield _read_file(path, doc_id, fmt, gz, settings, shown)


CHUNK = 1 << 20  # bytes read at a time: memory per document is bounded by input.max_bytes, not by the file


@contextmanager
def _open(path: str, gz: bool, shown: str) -> Iterator[IO[bytes]]:
    """A binary stream of a regular file (or stdin), gunzipped when ``gz``.

    Anything else (a FIFO, whose open blocks until a writer comes; a socket; a device
    such as the zero device, which never ends) raises E116 without being opened: the
    type is checked with stat first, then again on the open descriptor (opened
    non-blocking) in case the file was swapped in between.
    """
    raw = sys.stdin.buffer if path == "-" else _open_regular(path, shown)
    try:
        yield gzip.GzipFile(fileobj=raw, mode="rb") if gz else raw
    finally:
        if path != "-":
            raw.close()


def _open_regular(path: str, shown: str) -> IO[bytes]:
    _check_regular(os.stat(path).st_mode, shown)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        _check_regular(os.fstat(fd).st_mode, shown)
        if hasattr(os, "O_NONBLOCK"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a directory"),
)


def _check_regular(mode: int, shown: str) -> None:
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
        raise DocumentError(Errors.E116, source=shown, kind=kind)


def _read_limited(fh: IO[bytes], limit: int, shown: str) -> bytes:
    """All of ``fh`` in chunks, or E115 as soon as it passes ``limit`` bytes (a gzip bomb stops there)."""
    chunks, total = [], 0
    while chunk := fh.read(min(CHUNK, limit + 1 - total)):
        total += len(chunk)
        if total > limit:
            raise DocumentError(Errors.E115, source=shown, limit=limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _lines(fh: IO[bytes], limit: int) -> Iterator[tuple[bytes | None, int]]:
    """(line, its size in bytes) for each line of ``fh``; the line is None when longer than ``limit``.

    A too-long line is skipped in chunks, never held whole, so one endless line
    cannot exhaust memory and the lines after it are still read.
    """
    while raw := fh.readline(limit + 1):
        size = len(raw)
        if size <= limit or raw.endswith(b"\n"):
            yield raw, size
            continue
        while raw and not raw.endswith(b"\n"):
            raw = fh.readline(CHUNK)
            size += len(raw)
        yield None, size


def _read_file(path: str, doc_id: str, fmt: str, gz: bool, settings: InputSettings, shown: str | None = None) -> Input:
    shown = printable(path) if shown is None else shown
    src = Source(path=shown, format=fmt)
    try:
        with _open(path, gz, shown) as fh:
            data = _read_limited(fh, settings.max_bytes, shown)
    except DocumentError as exc:
        return Input(doc_id, src, error=exc)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        return Input(doc_id, src, error=DocumentError(Errors.E107, source=shown, message=exc or "truncated"))
    except OSError as exc:
        return Input(doc_id, src, error=DocumentError(Errors.E105, source=shown, message=exc.strerror or exc))
    try:
        text, warnings = decode(data, settings.fallback_encodings)
    except ValueError as exc:
        return Input(doc_id, src, error=DocumentError(Errors.E101, source=shown, reason=exc))
    markup = None
    if fmt == "html":
        page = read_html(text, settings.html)
        if page.unreadable:
            return Input(doc_id, src, error=DocumentError(Errors.E120, source=shown, reason=page.unreadable))
        text, markup = page.text, page.markup
        src = src.model_copy(update={"url": markup.url, "claimreview": list(markup.claimreview) or None})
        warnings = [*warnings, *markup.warnings]
    if not text.strip():
        return Input(doc_id, src, error=DocumentError(Errors.E108, source=shown))
    return Input(doc_id, src, text=text, warnings=warnings, markup=markup)


def jsonl_chunks(path: str, lines: int, max_bytes: int = 16 * 2**20) -> list[tuple[int, int, int]]:
    """(first line, byte offset, line count) pieces of a JSONL file, ``lines`` lines each.

    Lets a cluster read one big archive file in parallel: a reader seeks to its
    piece's byte offset. A ``.gz`` file is one piece, read whole by one reader: a
    gzip stream can only be read from its start, so each piece of it would
    decompress everything before it (pieces x file size in all). Lines are counted
    as :func:`_read_jsonl` counts them (one longer than ``max_bytes`` too).
    """
    chunks: list[tuple[int, int, int]] = []
    offset = 0
    if format_of(path)[1]:
        return [(1, 0, -1)]
    try:
        with _open(path, False, printable(path)) as fh:
            for lineno, (_, size) in enumerate(_lines(fh, max_bytes), 1):
                if (lineno - 1) % lines == 0:
                    chunks.append((lineno, offset, 0))
                first, start, count = chunks[-1]
                chunks[-1] = (first, start, count + 1)
                offset += size
    except (OSError, EOFError, zlib.error, DocumentError):
        return [(1, 0, -1)]  # unreadable: one piece, whose reader reports the error
    return chunks or [(1, 0, -1)]


def read_jsonl_chunk(
    path: str, file_id: str, settings: InputSettings, chunk: tuple[int, int, int], shown: str | None = None
) -> Iterator[Input]:
    """The documents of one piece from :func:`jsonl_chunks` (count -1: to the end)."""
    yield from _read_jsonl(path, file_id, format_of(path)[1], settings, chunk, shown=shown or printable(path))


_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_surrogates(value: str, name: str, warnings: list[tuple[str, str]]) -> str:
    r"""``value`` with each lone surrogate (JSON's ``"\ud800"``) replaced by U+FFFD, and a W002.

    Such a string cannot be written as UTF-8; one replacement character each keeps the
    length, so offsets are unchanged.
    """
    if value.isascii():
        return value
    cleaned, count = _SURROGATE.subn("\ufffd", value)
    if count:
        warnings.append(("W002", Errors.W002.format(field=name, count=count)))
    return cleaned


def _read_jsonl(
    path: str,
    file_id: str,
    gz: bool,
    settings: InputSettings,
    chunk: tuple[int, int, int] = (1, 0, -1),
    *,
    shown: str | None = None,
) -> Iterator[Input]:
    f_id, f_text, f_url, f_title = (settings.field(n) for n in ("id", "text", "url", "title"))
    shown = printable(path) if shown is None else shown
    first, offset, count = chunk
    lineno = first - 1
    try:
        with _open(path, gz, shown) as fh:
            if offset and not gz:
                fh.seek(offset)
            lines = _lines(fh, settings.max_bytes)
            if offset and gz:
                for _ in islice(lines, first - 1):
                    pass
            for lineno, (raw, _) in enumerate(lines, first):
                if count >= 0 and lineno >= first + count:
                    break
                where = at(shown, lineno)
                src = Source(path=shown, line=lineno, format="jsonl")
                doc_id = f"{file_id}:{lineno}"
                if raw is None:
                    yield Input(doc_id, src, error=DocumentError(Errors.E115, source=where, limit=settings.max_bytes))
                    continue
                if not raw.strip():
                    continue
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
                    doc_id = _no_surrogates(str(obj[f_id]), f_id, warnings)
                url = obj.get(f_url)
                url = _no_surrogates(url, f_url, warnings) if isinstance(url, str) else None
                src = Source(path=shown, line=lineno, format="jsonl", url=url)
                text = obj.get(f_text)
                if not isinstance(text, str) or not text.strip():
                    yield Input(doc_id, src, error=DocumentError(Errors.E104, source=where, field=f_text))
                    continue
                title = obj.get(f_title)
                title = _no_surrogates(title, f_title, warnings) if isinstance(title, str) else None
                text = _no_surrogates(text, f_text, warnings)
                yield Input(
                    doc_id, src, text=text.replace("\r\n", "\n").replace("\r", "\n"), title=title, warnings=warnings
                )
    except DocumentError as exc:
        yield Input(file_id, Source(path=shown, format="jsonl"), error=exc)
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        src = Source(path=shown, line=lineno + 1, format="jsonl")
        yield Input(
            f"{file_id}:{lineno + 1}",
            src,
            error=DocumentError(Errors.E107, source=at(shown, lineno + 1), message=exc or "truncated"),
        )
    except OSError as exc:
        yield Input(
            file_id,
            Source(path=shown, format="jsonl"),
            error=DocumentError(Errors.E105, source=shown, message=exc.strerror or exc),
        )
