from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from claimx.config.settings import load_config
from claimx.io.readers import Input
from claimx.io.source import Source
from claimx.records.schema import Record
from claimx.run.extractor import Extractor

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seeds" / "000_684467e5201d2897.txt"
_CACHE: list[str] = []


def pytest_configure(config):
    """Compiled rules are cached in a folder of the session's own (never the user's ~/.cache)."""
    if "CLAIMX_CACHE_DIR" not in os.environ:
        _CACHE.append(tempfile.mkdtemp(prefix="claimx-cache-"))
        os.environ["CLAIMX_CACHE_DIR"] = _CACHE[0]


def pytest_unconfigure(config):
    for path in _CACHE:
        shutil.rmtree(path, ignore_errors=True)
        os.environ.pop("CLAIMX_CACHE_DIR", None)


@pytest.fixture(scope="session")
def config():
    return load_config()


@pytest.fixture(scope="session")
def extractor(config):
    return Extractor(config)


@pytest.fixture(scope="session")
def corpus_records(extractor) -> list[Record]:
    """Records of the bundled corpus, in walk order (every document gives one)."""
    from claimx.io.readers import read_inputs

    recs = list(extractor(read_inputs([str(ROOT / "corpora")], extractor.config.settings.input)))
    assert recs and all(isinstance(r, Record) for r in recs)
    return recs


@pytest.fixture(scope="session")
def annotated_records(corpus_records) -> list[Record]:
    """The corpus records annotated by reading (tests/annotations/): all but corpora/web/.

    A web page is an annotated article in a site template; tests/io/test_html_pages.py
    shows it gives the claims, mentions and verdict of that article's plain text.
    """
    return [r for r in corpus_records if not r.doc_id.startswith("web/")]


@pytest.fixture(scope="session")
def extract(extractor):
    """Record for one text, with every span checked against the text."""

    def run(text: str, doc_id: str = "t") -> Record:
        (record,) = extractor([Input(doc_id, Source(path="<test>", format="txt"), text=text)])
        assert isinstance(record, Record), record
        assert_offsets(record)
        return record

    return run


def assert_offsets(record: Record) -> None:
    """Offsets are truth: every span's text is the document text at its offsets."""
    text = record.text
    assert text is not None
    for s in record.sections:
        assert 0 <= s.start < s.end <= len(text)
        if s.heading is not None:
            assert text[s.heading_start : s.heading_end] == s.heading
            assert s.start <= s.heading_start <= s.heading_end <= s.end
    for a, b in zip(record.sections, record.sections[1:], strict=False):
        assert a.end <= b.start, "sections overlap"
        assert not text[a.end : b.start].strip(), "non-white text between sections"
    for c in record.citations:
        assert text[c.start : c.end] == c.text
        assert c.sentence_start <= c.start < c.end <= c.sentence_end
    for r in record.references:
        assert text[r.start : r.end] == r.text
    for span in (record.verdict, record.claim_reviewed):
        if span is not None:
            assert text[span.start : span.end] == span.text
    sections = {s.id: s for s in record.sections}
    for k in record.claims:
        assert text[k.start : k.end] == k.text
        sec = sections[k.section_id]
        assert sec.start <= k.start < k.end <= sec.end


def write_pack(
    folder: Path,
    rules: list[dict],
    labels=("STING_OPERATION",),
    *,
    lexicons: list[dict] | None = None,
    heads: dict | None = None,
) -> Path:
    """A rule pack on disk: pack.yaml, tactics.jsonl and, when given, lexicons.jsonl."""
    import json

    folder.mkdir(parents=True)
    manifest = "name: test\ndescription: A test pack.\nlabels:\n" + "".join(f"  {lab}: def\n" for lab in labels)
    if heads:
        manifest += "heads:\n" + "".join(f"  {k}: {json.dumps(v)}\n" for k, v in heads.items())
    (folder / "pack.yaml").write_text(manifest, encoding="utf-8")
    (folder / "tactics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rules), encoding="utf-8")
    if lexicons is not None:
        (folder / "lexicons.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lexicons), encoding="utf-8")
    return folder


@pytest.fixture
def pack_nlp(tmp_path, config):
    """A pipeline with one test pack: ``pack_nlp(rules, labels=..., lexicons=..., heads=...)``."""
    from claimx.nlp.language import load

    count = iter(range(1000))

    def build(rules, labels=("STING_OPERATION",), **kwargs):
        folder = write_pack(tmp_path / f"pack{next(count)}", rules, labels, **kwargs)
        return load(config.file, packs=[str(folder)])

    return build


def mentions(nlp, text: str) -> list[tuple[str, str, str]]:
    """(text, label, rule id) of each tactic mention the pipeline finds."""
    doc = nlp(text)
    return [(s.text, s.label_, s.id_) for s in doc.spans["tactics"]]
