"""Documents in, records out: the library function every front end calls."""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO

from spacy.language import Language
from spacy.tokens import Doc

from . import records as R
from .claims import build_claims
from .components import CITATIONS
from .errors import DocumentError, Errors
from .readers import Input, read_inputs
from .sections import Layout, SectionSplitter
from .settings import Config, load_config


class Extractor:
    """Holds what is built once per run (rules, pipeline) and turns inputs into records."""

    def __init__(self, config: Config | None = None, *, nlp: Language | None = None,
                 packs: list[str] | None = None) -> None:
        from .pipeline import build_nlp

        self.config = config or load_config()
        self.splitter = SectionSplitter(self.config)
        self.nlp = nlp or build_nlp(self.config, packs=packs)
        self.claim_kinds = frozenset(self.config.settings.claims.sections)

    def __call__(self, inputs: Iterable[Input], *, batch_size: int = 64) -> Iterator[R.Record | R.ErrorRecord]:
        """Records in input order; spaCy reads the units of a whole batch of documents at once."""
        it = iter(inputs)
        while batch := list(islice(it, batch_size)):
            ready: list[tuple[Input, Layout | None]] = []
            texts: list[str] = []
            for inp in batch:
                layout = None
                if inp.error is None:
                    try:
                        layout = self.splitter(inp.text)
                        texts.extend(inp.text[u.start:u.end] for u in layout.units)
                    except Exception as exc:  # noqa: BLE001 - a bad document must not stop the batch
                        inp.error = DocumentError(Errors.E199, source=_where(inp), message=repr(exc))
                ready.append((inp, layout))
            docs = iter(self.nlp.pipe(texts))
            for inp, layout in ready:
                if inp.error is not None:
                    yield _error(inp)
                    continue
                unit_docs = list(islice(docs, len(layout.units)))
                try:
                    yield self.build(inp, layout, unit_docs)
                except Exception as exc:  # noqa: BLE001
                    inp.error = DocumentError(Errors.E199, source=_where(inp), message=repr(exc))
                    yield _error(inp)

    def with_mentions(self, inp: Input, spans: list[dict]) -> R.Record:
        """The record of ``inp`` with tactic mentions taken from ``spans`` instead of the rules.

        Used to turn hand annotations ({start, end, label} on the document text)
        into gold records; a span that does not fall on token boundaries is widened
        to them, and one outside every title, heading or paragraph is dropped, each
        with a W301 warning.
        """
        layout = self.splitter(inp.text)
        docs = list(self.nlp.pipe(inp.text[u.start:u.end] for u in layout.units))
        placed: set[int] = set()
        for unit, doc in zip(layout.units, docs, strict=True):
            new = []
            for i, sp in enumerate(spans):
                s, e = int(sp["start"]) - unit.start, int(sp["end"]) - unit.start
                if 0 <= s and e <= len(doc.text):
                    span = doc.char_span(s, e, label=sp["label"], alignment_mode="expand")
                    if span is None:
                        continue
                    span.id_ = sp.get("rule_id") or "gold"
                    if (span.start_char, span.end_char) != (s, e):
                        inp.warnings.append(("W301", Errors.W301.format(start=sp["start"], end=sp["end"],
                                                                         reason="widened to token boundaries")))
                    new.append(span)
                    placed.add(i)
            doc.spans["tactics"] = new
        for i, sp in enumerate(spans):
            if i not in placed:
                inp.warnings.append(("W301", Errors.W301.format(start=sp["start"], end=sp["end"],
                                                                 reason="outside every title, heading and paragraph")))
        return self.build(inp, layout, docs)

    def build(self, inp: Input, layout: Layout, unit_docs: list[Doc]) -> R.Record:
        text = inp.text
        sid = [f"s{i + 1}" for i in range(len(layout.sections))]
        sections = [
            R.Section(id=sid[i], kind=s.kind, number=s.number, heading=s.heading, start=s.start, end=s.end,
                      heading_start=s.heading_start, heading_end=s.heading_end, rule_id=s.rule_id)
            for i, s in enumerate(layout.sections)
        ]
        warnings = list(inp.warnings) + list(layout.warnings)
        citations: list[R.Citation] = []
        claims: list[R.Claim] = []
        for unit, doc in zip(layout.units, unit_docs, strict=True):
            off = unit.start
            if doc._.rejected_markers:
                warnings.extend(r.warning(off) for r in doc._.rejected_markers)
            by_sentence: dict[int, list[R.Citation]] = {}
            for span in doc.spans[CITATIONS]:
                sent = span.sent
                cit = R.Citation(
                    id=f"c{len(citations) + 1}", text=span.text, refs=span._.refs,
                    start=off + span.start_char, end=off + span.end_char, section_id=sid[unit.section],
                    sentence_start=off + sent.start_char, sentence_end=off + sent.end_char, rule_id=span.id_,
                )
                citations.append(cit)
                by_sentence.setdefault(sent.start, []).append(cit)
            kind = layout.sections[unit.section].kind
            if unit.role == "title" or kind in self.claim_kinds:
                claims.extend(build_claims(doc, off, sid[unit.section], by_sentence, first_id=len(claims) + 1))
        references = [
            R.Reference(id=f"r{i + 1}", number=e.number, text=text[e.start:e.end], start=e.start, end=e.end,
                        section_id=sid[e.section], rule_id=e.rule_id)
            for i, e in enumerate(layout.entries)
        ]
        return R.Record(
            doc_id=inp.doc_id, source=inp.source, title=layout.title or inp.title, checked_on=layout.checked_on,
            layout=layout.layout, text=text, sections=sections, citations=citations, references=references,
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


@contextmanager
def atomic_writer(path: Path) -> Iterator[IO[str]]:
    """Write to a temporary file beside ``path`` and rename it into place on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def errors_path_for(output: Path) -> Path:
    """``claims.jsonl`` -> ``claims.errors.jsonl``."""
    name = output.name
    stem = name[: -len(".jsonl")] if name.endswith(".jsonl") else output.stem
    return output.with_name(f"{stem}.errors.jsonl")


def write_records(
    records: Iterable[R.Record | R.ErrorRecord],
    out: IO[str],
    errors: IO[str],
    *,
    include_text: bool = True,
) -> Summary:
    summary = Summary()
    for rec in records:
        if isinstance(rec, R.ErrorRecord):
            summary.add(True)
            errors.write(R.dumps(rec) + "\n")
            continue
        summary.add(False, (w.code for w in rec.warnings))
        if not include_text:
            rec = rec.model_copy(update={"text": None})
        out.write(R.dumps(rec) + "\n")
    return summary
