"""Documents in, records out: the library function every front end calls."""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from spacy.language import Language
from spacy.tokens import Doc, Span

from . import records as R
from .claims import CLAIMS, SpanIndex
from .components import CITATIONS, unit_index
from .errors import DocumentError, Errors
from .readers import Input, read_inputs
from .settings import Config, load_config
from .timebudget import DocumentTimeout, time_budget


class Extractor:
    """Holds what is built once per run (the pipeline) and turns inputs into records.

    ``pipeline`` is a pipeline config (``.cfg``) and ``overrides`` its dotted
    overrides; ``config`` (claimx settings) and ``packs`` fill ``paths.settings``
    and ``rules.packs``. ``nlp`` may be any Language with claimx's components.
    """

    def __init__(self, config: Config | None = None, *, nlp: Language | None = None,
                 packs: list[str] | None = None, pipeline: str | Path | None = None,
                 overrides: dict | None = None) -> None:
        from .pipeline import load

        if nlp is None:
            overrides = dict(overrides or {})
            if config is not None and pipeline is not None:
                overrides.setdefault("paths.settings", str(config.file))
            nlp = load(pipeline if pipeline is not None else config.file if config else None,
                       overrides=overrides, packs=packs)
        self.nlp = nlp
        self.config = nlp.get_pipe("claimx_sections").config if "claimx_sections" in nlp.pipe_names \
            else config or load_config()

    def __call__(self, inputs: Iterable[Input]) -> Iterator[R.Record | R.ErrorRecord]:
        """Records in input order; a document that fails becomes an error record (E199)."""
        for record, _ in self.with_docs(inputs):
            yield record

    def with_docs(self, inputs: Iterable[Input]) -> Iterator[tuple[R.Record | R.ErrorRecord, Doc | None]]:
        """(record, the Doc it was built from) in input order; an error record comes with None.

        A document that takes longer than ``input.max_seconds`` becomes E118 (see
        :mod:`claimx.timebudget`).
        """
        budget = self.config.settings.input.max_seconds
        for inp in inputs:
            if inp.error is None:
                try:
                    with time_budget(budget):
                        doc = self.nlp(inp.text)
                        record = self.build(inp, doc)
                    yield record, doc
                    continue
                except DocumentTimeout:
                    inp.error = DocumentError(Errors.E118, source=_where(inp), seconds=budget)
                except Exception as exc:  # noqa: BLE001 - a bad document must not stop the batch
                    inp.error = DocumentError(Errors.E199, source=_where(inp), message=repr(exc))
            yield _error(inp), None

    def with_mentions(self, inp: Input, spans: list[dict]) -> R.Record:
        """The record of ``inp`` with tactic mentions taken from ``spans`` instead of the rules.

        Used to turn hand annotations ({start, end, label} on the document text)
        into gold records; a span that does not fall on token boundaries is widened
        to them, and one outside every title, heading or paragraph is dropped, each
        with a W301 warning.
        """
        doc = self.nlp(inp.text)
        units = doc._.layout.units
        placed, widened, outside = [], [], []
        for sp in spans:
            s, e = int(sp["start"]), int(sp["end"])
            inside = any(u.start <= s and e <= u.end for u in units)
            span = doc.char_span(s, e, label=sp["label"], alignment_mode="expand") if inside else None
            if span is None:
                outside.append(sp)
                continue
            span.id_ = sp.get("rule_id") or "gold"
            placed.append(span)
            if (span.start_char, span.end_char) != (s, e):
                widened.append(sp)
        for reason, items in (("widened to token boundaries", widened),
                              ("outside every title, heading and paragraph", outside)):
            inp.warnings.extend(("W301", Errors.W301.format(start=sp["start"], end=sp["end"], reason=reason))
                                for sp in items)
        doc.spans["tactics"] = sorted(placed, key=lambda s: (s.start, s.end, s.label_))
        self.nlp.get_pipe("claimx_claims")(doc)
        return self.build(inp, doc)

    def build(self, inp: Input, doc: Doc) -> R.Record:
        """The record of a document the pipeline has read."""
        text, layout = inp.text, doc._.layout
        sid = [f"s{i + 1}" for i in range(len(layout.sections))]
        sections = [
            R.Section(id=sid[i], kind=s.kind, number=s.number, heading=s.heading, start=s.start, end=s.end,
                      heading_start=s.heading_start, heading_end=s.heading_end, rule_id=s.rule_id)
            for i, s in enumerate(layout.sections)
        ]
        warnings = list(inp.warnings) + list(layout.warnings) + [r.warning() for r in doc._.rejected_markers or ()]
        unit_of = unit_index(doc)

        def section_of(span: Span) -> str:
            return sid[layout.units[unit_of[span.start]].section]

        citations: list[R.Citation] = []
        by_sentence: dict[int, list[R.Citation]] = {}
        for span in doc.spans[CITATIONS]:
            sent = span.sent
            cit = R.Citation(
                id=f"c{len(citations) + 1}", text=span.text, refs=span._.refs, start=span.start_char,
                end=span.end_char, section_id=section_of(span), sentence_start=sent.start_char,
                sentence_end=sent.end_char, rule_id=span.id_,
            )
            citations.append(cit)
            by_sentence.setdefault(sent.start, []).append(cit)
        groups = {name: SpanIndex(doc.spans[name]) for name in ("tactics", "hedges", "quantities", "actors")}

        def place(span: Span) -> dict:
            return {"text": span.text, "start": span.start_char, "end": span.end_char, "rule_id": span.id_}

        claims = []
        for sent in doc.spans[CLAIMS]:
            cited = by_sentence.get(sent.start, [])
            claims.append(R.Claim(
                id=f"k{len(claims) + 1}", section_id=section_of(sent), kind=sent.label_, text=sent.text,
                start=sent.start_char, end=sent.end_char,
                citation_ids=[c.id for c in cited], citation_refs=[r for c in cited for r in c.refs],
                tactics=[R.Mention(label=s.label_, **place(s)) for s in groups["tactics"].inside(sent)],
                quantities=[R.Quantity(value=s._.value, unit=s._.unit, **place(s))
                            for s in groups["quantities"].inside(sent)],
                hedges=[R.Hedge(cue=s.label_, **place(s)) for s in groups["hedges"].inside(sent)],
                certainty=sent._.certainty,
                actors=[R.Actor(label=s.label_, **place(s)) for s in groups["actors"].inside(sent)],
            ))
        references = [
            R.Reference(id=f"r{i + 1}", number=e.number, text=text[e.start:e.end], start=e.start, end=e.end,
                        section_id=sid[e.section], rule_id=e.rule_id)
            for i, e in enumerate(layout.entries)
        ]
        verdict = next(iter(doc.spans.get("verdict", [])), None)
        claim = next(iter(doc.spans.get("claim_reviewed", [])), None)
        return R.Record(
            doc_id=inp.doc_id, source=inp.source, title=layout.title or inp.title, checked_on=layout.checked_on,
            layout=layout.layout,
            claim_reviewed=R.ClaimReviewed(text=claim.text, start=claim.start_char, end=claim.end_char,
                                           rule_id=claim.id_ or None) if claim is not None else None,
            verdict=R.Verdict(label=verdict.label_, **place(verdict)) if verdict is not None else None,
            text=text, sections=sections, citations=citations, references=references,
            claims=claims, warnings=[R.Warning(code=c, message=m) for c, m in warnings],
        )


def _where(inp: Input) -> str:
    return f"{inp.source.path}:{inp.source.line}" if inp.source.line else inp.source.path


def _error(inp: Input) -> R.ErrorRecord:
    return R.ErrorRecord(doc_id=inp.doc_id, source=inp.source, code=inp.error.code, message=inp.error.message)


def extract_records(
    inputs: Iterable[str | Path] | str | Path,
    *,
    config: Config | None = None,
    texts: bool = False,
    force_format: str | None = None,
) -> Iterator[R.Record | R.ErrorRecord]:
    """Records for paths (files, directories, '-'), or for raw strings with ``texts=True``.

    The generator reads lazily, so memory does not grow with the number of documents.
    """
    extractor = Extractor(config)
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    if texts:
        source = (Input(f"text:{i}", R.Source(path="<string>", format="txt"), text=str(t))
                  for i, t in enumerate(inputs, 1))
    else:
        source = read_inputs([str(p) for p in inputs], extractor.config.settings.input, force_format=force_format)
    yield from extractor(source)


@dataclass
class Summary:
    inputs: int = 0
    records: int = 0
    errors: int = 0
    skipped: int = 0  # taken from an interrupted run's finished shards (--resume)
    warnings: Counter = field(default_factory=Counter)

    def add(self, is_error: bool, warning_codes: Iterable[str] = ()) -> None:
        """Count one document's outcome."""
        self.inputs += 1
        if is_error:
            self.errors += 1
        else:
            self.records += 1
            self.warnings.update(warning_codes)

    def line(self) -> str:
        warn = ", ".join(f"{c} x{n}" for c, n in sorted(self.warnings.items())) or "none"
        resumed = f" ({self.skipped} from the interrupted run)" if self.skipped else ""
        return f"{self.inputs} documents: {self.records} records, {self.errors} errors{resumed}; warnings: {warn}"


def temp_prefix(path: Path) -> str:
    """The name prefix of :func:`atomic_writers`' temporary files for ``path`` (``.claims.jsonl.``)."""
    return f".{path.name}."


TEMP_SUFFIX = ".tmp"


def is_special(path: str | Path) -> bool:
    """True for an existing device, FIFO or socket (symlinks followed): written by opening, never by rename."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def current_umask() -> int:
    """The process umask, read without changing it where /proc allows (os.umask can only set it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def atomic_writer(path: Path, *, binary: bool = False) -> Iterator[IO]:
    """Write ``path`` so that a reader never sees half a file (see :func:`atomic_writers`)."""
    with atomic_writers(path, binary=binary) as (fh,):
        yield fh


@contextmanager
def atomic_writers(*paths: Path, binary: bool = False) -> Iterator[list[IO]]:
    """Write several files together: each to a temporary file beside it, renamed into place at the end.

    All are written and synced before any is renamed, so a failure (a full disk) leaves
    every one of them as it was. A symlink is followed and its target replaced (the link
    stays); an existing device, FIFO or socket is opened and written in place, never
    replaced by a regular file. New files get ``0o666 & ~umask`` (mkstemp alone gives 0600).
    """
    with ExitStack() as stack:
        handles: list[IO] = []
        staged: list[tuple[IO, str, Path]] = []  # regular files: (handle, temporary file, target)
        for path in paths:
            target = Path(os.path.realpath(path))
            if is_special(target):
                handles.append(stack.enter_context(_open_special(target, binary)))
                continue
            if target.is_dir():
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=temp_prefix(target), suffix=TEMP_SUFFIX, dir=target.parent)
            stack.callback(Path(tmp).unlink, missing_ok=True)  # a no-op once renamed
            fh = os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n")
            handles.append(stack.enter_context(fh))
            staged.append((fh, tmp, target))
        try:
            yield handles
            for fh, path in zip(handles, paths):
                _named(fh.flush, path)
            mode = 0o666 & ~current_umask()
            for fh, _, target in staged:
                _named(lambda fh=fh: (os.fchmod(fh.fileno(), mode), os.fsync(fh.fileno())), target)
        except OSError as exc:
            if exc.filename is not None:
                raise
            # A full disk surfaces in write() or fsync(), which name no file: name the place.
            folders = {Path(os.path.realpath(p)).parent for p in paths}
            where = paths[0] if len(paths) == 1 else folders.pop() if len(folders) == 1 else paths[0]
            raise OSError(exc.errno, exc.strerror, str(where)) from exc
        for _, tmp, target in staged:
            os.replace(tmp, target)


def _named(step, path: Path) -> None:
    """Run ``step``; an OSError naming no file names ``path``."""
    try:
        step()
    except OSError as exc:
        if exc.filename is not None:
            raise
        raise OSError(exc.errno, exc.strerror, str(path)) from exc


@contextmanager
def _open_special(path: Path, binary: bool) -> Iterator[IO]:
    """Open a device or FIFO for writing; a FIFO nobody reads is an error (ENXIO), not a hang."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.ENXIO and stat.S_ISFIFO(os.stat(path).st_mode):
            raise OSError(exc.errno, "no process is reading this FIFO", str(path)) from None
        raise
    try:
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
    except OSError:
        os.close(fd)
        raise
    with os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
        yield fh


def errors_path_for(output: Path) -> Path:
    """``claims.jsonl`` -> ``claims.errors.jsonl``."""
    name = output.name
    stem = name[: -len(".jsonl")] if name.endswith(".jsonl") else output.stem
    return output.with_name(f"{stem}.errors.jsonl")
