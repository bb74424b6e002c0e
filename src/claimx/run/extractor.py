"""Documents in, records out: the library function every front end calls."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from ..config.settings import Config, load_config
from ..errors import DocumentError, Errors
from ..io.readers import Input, read_inputs
from ..records import schema as R
from ..records.build import build_record
from .timebudget import DocumentTimeout, time_budget


class Extractor:
    """Holds what is built once per run (the pipeline) and turns inputs into records.

    ``pipeline`` is a pipeline config (``.cfg``) and ``overrides`` its dotted
    overrides; ``config`` (claimx settings) and ``packs`` fill ``paths.settings``
    and ``rules.packs``. ``nlp`` may be any Language with claimx's components.
    """

    def __init__(
        self,
        config: Config | None = None,
        *,
        nlp: Language | None = None,
        packs: list[str] | None = None,
        pipeline: str | Path | None = None,
        overrides: dict | None = None,
    ) -> None:
        from ..nlp.language import load

        if nlp is None:
            overrides = dict(overrides or {})
            if config is not None and pipeline is not None:
                overrides.setdefault("paths.settings", str(config.file))
            nlp = load(
                pipeline if pipeline is not None else config.file if config else None, overrides=overrides, packs=packs
            )
        self.nlp = nlp
        self.config = (
            nlp.get_pipe("claimx_sections").config if "claimx_sections" in nlp.pipe_names else config or load_config()
        )

    def __call__(self, inputs: Iterable[Input]) -> Iterator[R.Record | R.ErrorRecord]:
        """Records in input order; a document that fails becomes an error record (E199)."""
        for record, _ in self.with_docs(inputs):
            yield record

    def with_docs(self, inputs: Iterable[Input]) -> Iterator[tuple[R.Record | R.ErrorRecord, Doc | None]]:
        """(record, the Doc it was built from) in input order; an error record comes with None.

        A document that takes longer than ``input.max_seconds`` becomes E118 (see
        :mod:`claimx.run.timebudget`).
        """
        budget = self.config.settings.input.max_seconds
        for inp in inputs:
            if inp.error is None:
                try:
                    with time_budget(budget):
                        doc = self.nlp(self.make_doc(inp))
                        record = build_record(inp, doc)
                    yield record, doc
                    continue
                except DocumentTimeout:
                    inp.error = DocumentError(Errors.E118, source=inp.source.where, seconds=budget)
                except Exception as exc:  # noqa: BLE001 - a bad document must not stop the batch
                    inp.error = DocumentError(Errors.E199, source=inp.source.where, message=repr(exc))
            yield _error(inp), None

    def make_doc(self, inp: Input) -> Doc:
        """The tokenized Doc of ``inp``, its layout read with the hints of an HTML page's markup."""
        if inp.markup is None:
            return self.nlp.make_doc(inp.text)
        tokenizer = self.nlp.tokenizer
        if getattr(tokenizer, "splitter", None) is not None:
            return tokenizer(inp.text, markup=inp.markup)
        doc = self.nlp.make_doc(inp.text)
        if "claimx_sections" in self.nlp.pipe_names:
            doc._.layout = self.nlp.get_pipe("claimx_sections").splitter(inp.text, markup=inp.markup)
        return doc

    def with_mentions(self, inp: Input, spans: list[dict]) -> R.Record:
        """The record of ``inp`` with tactic mentions taken from ``spans`` instead of the rules.

        Used to turn hand annotations ({start, end, label} on the document text)
        into gold records; a span that does not fall on token boundaries is widened
        to them, and one outside every title, heading or paragraph is dropped, each
        with a W301 warning.
        """
        doc = self.nlp(self.make_doc(inp))
        units = [(u.start_char, u.end_char) for u in doc.spans["units"]]
        placed, widened, outside = [], [], []
        for sp in spans:
            s, e = int(sp["start"]), int(sp["end"])
            inside = any(us <= s and e <= ue for us, ue in units)
            span = doc.char_span(s, e, label=sp["label"], alignment_mode="expand") if inside else None
            if span is None:
                outside.append(sp)
                continue
            span.id_ = sp.get("rule_id") or "gold"
            placed.append(span)
            if (span.start_char, span.end_char) != (s, e):
                widened.append(sp)
        for reason, items in (
            ("widened to token boundaries", widened),
            ("outside every title, heading and paragraph", outside),
        ):
            inp.warnings.extend(
                ("W301", Errors.W301.format(start=sp["start"], end=sp["end"], reason=reason)) for sp in items
            )
        doc.spans["tactics"] = sorted(placed, key=lambda s: (s.start, s.end, s.label_))
        self.nlp.get_pipe("claimx_claims")(doc)
        return build_record(inp, doc)


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
        source = (
            Input(f"text:{i}", R.Source(path="<string>", format="txt"), text=str(t)) for i, t in enumerate(inputs, 1)
        )
    else:
        source = read_inputs([str(p) for p in inputs], extractor.config.settings.input, force_format=force_format)
    yield from extractor(source)
