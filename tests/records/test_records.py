"""The record serializer: pydantic's fast path must give json.dumps's bytes."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimx.io.source import Source
from claimx.records.schema import ErrorRecord, dumps


def reference(model) -> str:
    return json.dumps(model.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))


numbers = st.one_of(
    st.none(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1e-7, 2.5e-5, 9.99e-5, 1e-4, 1e16, 1.5e22, 0.1, 123456789.123]),
)


def test_corpus_records_serialise_as_json_dumps_does(corpus_records):
    assert all(dumps(r) == reference(r) for r in corpus_records)


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=numbers, text=st.text())
def test_any_number_and_text_serialise_as_json_dumps_does(corpus_records, value, text):
    """Every float (the fast path writes 2.5e-05 as 0.000025), non-ASCII, control characters, U+2028."""
    record = next(r for r in corpus_records if any(c.quantities for c in r.claims))
    claim = next(c for c in record.claims if c.quantities)
    quantity = claim.quantities[0].model_copy(update={"value": value, "text": text})
    changed = record.model_copy(
        update={
            "title": text,
            "claims": [claim.model_copy(update={"quantities": [quantity]})],
        }
    )
    assert dumps(changed) == reference(changed)


def test_error_records_serialise_as_json_dumps_does():
    err = ErrorRecord(doc_id="d\u00e9", source=Source(path="x\u2028y", format="txt"), code="E101", message="\x00")
    assert dumps(err) == reference(err)


PAGE = (
    "Fact check: did police run a sting?\n\nExecutive summary — Police ran a sting operation [1].\n\n"
    "1. What happened\n\nOfficers posed as buyers in a decoy operation [2].\n\nSources\n[1] City police, May 2025\n"
    "[2] Local paper, June 2025\n"
)


def _doc(extractor):
    from claimx.io.readers import Input

    inp = Input("page", Source(path="page.txt", format="txt"), text=PAGE)
    return inp, extractor.nlp(extractor.make_doc(inp))


def test_the_record_is_built_from_the_span_groups_not_the_tokenizer_layout(extractor):
    from claimx.records.build import build_record

    inp, doc = _doc(extractor)
    before = build_record(inp, doc)
    assert [s.kind for s in before.sections] == ["title", "summary", "body", "references"]
    assert [r.number for r in before.references] == [1, 2]
    del doc.user_data["claimx.layout"]  # the tokenizer's hand-off is gone: nothing changes
    assert dumps(build_record(inp, doc)) == dumps(before)
    # A component that edits the span groups changes the record.
    from spacy.tokens import Span

    sections = list(doc.spans["sections"])
    body = sections[2]
    sections[2] = Span(doc, body.start, body.end, label="other", span_id=body.id_)
    doc.spans["sections"] = sections
    doc.spans["references"] = list(doc.spans["references"])[:1]
    after = build_record(inp, doc)
    assert [s.kind for s in after.sections] == ["title", "summary", "other", "references"]
    assert [r.number for r in after.references] == [1]
    assert [c.targets for c in after.citations] == [["r1"], []]
