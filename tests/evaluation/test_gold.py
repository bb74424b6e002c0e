"""Every corpus document against its reviewed gold record (tests/gold/).

Refresh on purpose with ``pytest tests/evaluation/test_gold.py --force-regen`` and review
the diff like code. Gold is stored pretty-printed (``claimx.records.schema.dumps_gold``:
one key or list item per line), so a changed span is a changed line of the diff.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from claimx.io.readers import read_inputs
from claimx.records.schema import Record, dumps_gold
from claimx.run.extractor import Extractor
from tests.conftest import ROOT, assert_offsets

CORPUS = ROOT / "corpora"
GOLD = ROOT / "tests" / "gold"


@pytest.fixture(scope="module")
def corpus_records(extractor: Extractor):
    inputs = read_inputs([str(CORPUS)], extractor.config.settings.input)
    return {r.doc_id: r for r in extractor(inputs)}


def _gold_name(doc_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "__", doc_id) + ".jsonl"


def _doc_ids() -> list[str]:
    from claimx.config.settings import load_config

    return [i.doc_id for i in read_inputs([str(CORPUS)], load_config().settings.input)]


def test_corpus_has_every_format():
    ids = _doc_ids()
    assert len(ids) >= 12
    for ending in (".txt", ".md", ".html", ".txt.gz"):
        assert any(i.endswith(ending) for i in ids), ending
    assert any(i.startswith("arch-") for i in ids), "the JSONL archive"


@pytest.mark.parametrize("doc_id", _doc_ids())
def test_corpus_document_matches_gold(corpus_records, file_regression, doc_id):
    record = corpus_records[doc_id]
    assert isinstance(record, Record), record
    assert_offsets(record)
    # Gold must not depend on where the repository lives.
    relative = Path(record.source.path).relative_to(ROOT).as_posix()
    record = record.model_copy(update={"source": record.source.model_copy(update={"path": relative})})
    file_regression.check(dumps_gold(record) + "\n", fullpath=GOLD / _gold_name(doc_id), binary=False)
