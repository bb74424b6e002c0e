"""The indexed matcher must find exactly what a plain spaCy Matcher finds."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.matcher import Matcher

from claimx.packs import compile_pattern, load_cues, resolve_packs
from claimx.readers import read_inputs

from .conftest import ROOT


@pytest.fixture(scope="module")
def matchers(extractor):
    nlp, config = extractor.nlp, extractor.config
    plain = Matcher(nlp.vocab)
    lemma = nlp.get_pipe("claimx_lemmatizer").lemma
    hyphens = ["-", *config.settings.tokenizer.extra_hyphens]
    for item in [i for p in resolve_packs(config) for i in p.rules] + load_cues(config):
        plain.add(item.rule.id, [compile_pattern(item.rule.pattern, nlp.make_doc, lemma, hyphens)])
    return nlp, plain, nlp.get_pipe("claimx_rules").matcher


def same(nlp, plain, indexed, text):
    doc = nlp(text)
    assert sorted(indexed(doc)) == sorted(plain(doc))


def test_corpus_paragraphs(matchers, config):
    nlp, plain, indexed = matchers
    for inp in read_inputs([str(ROOT / "corpora")], config.settings.input):
        if inp.text:
            for line in inp.text.splitlines():
                same(nlp, plain, indexed, line)


WORDS = st.sampled_from(
    "all 9 potential victims police sting operations often not may cyber - forensics $ 2,000 checks dozens or "
    "hundreds of arrests traffic stops and checkpoints multi \u2011 agency task force deepfake voice clone the a".split()
)


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, max_size=30).map(" ".join))
def test_random_word_salad(matchers, text):
    same(*matchers, text)
