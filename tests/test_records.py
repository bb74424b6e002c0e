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
