"""Documents in, records out: the library function every front end calls."""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
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
        """(record, the Doc it was built from) in input order; an error record comes with None."""
        for inp in inputs:
            if inp.error is None:
                try:
                    doc = self.nlp(inp.text)
                    yield self.build(inp, doc), doc
                    continue
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


@contextmanager
def atomic_writer(path: Path, *, binary: bool = False) -> Iterator[IO]:
    """Write to a temporary file beside ``path`` and rename it into place on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n")) as fh:
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
