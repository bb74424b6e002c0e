"""claimx's lookup lemmatizer: lower-case lemmas, one lookup per word type, array reads."""

from __future__ import annotations

from spacy.lookups import load_lookups
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc

TEXT = (
    "Police Stings and STINGS: officers posed as buyers; A.I.-generated voices were cloned, "
    "data leaked \u2011 it's the fact\u2011checkers' view."
)


def lemmatizer(extractor):
    return extractor.nlp.get_pipe("claimx_lemmatizer")


def test_whole_doc_path_gives_the_per_token_lemmas(extractor):
    nlp, lem = extractor.nlp, lemmatizer(extractor)
    fast = lem(nlp.make_doc(TEXT))
    slow = Lemmatizer.__call__(lem, nlp.make_doc(TEXT))  # spaCy's loop over tokens, same lookups
    assert [t.lemma_ for t in fast] == [t.lemma_ for t in slow]
    assert [t.lemma_ for t in fast] == [lem.lemma(t.text) for t in fast]


def test_lemmas_are_lower_case_and_shared_by_inflections(extractor):
    doc = lemmatizer(extractor)(extractor.nlp.make_doc(TEXT))
    by_text = {t.text: t.lemma_ for t in doc}
    assert by_text["Stings"] == by_text["STINGS"] == "sting"
    assert by_text["posed"] == "pose"
    assert all(t.lemma_ == t.lemma_.lower() for t in doc)


def test_without_overwrite_existing_lemmas_stay(extractor):
    lem = lemmatizer(extractor)
    doc = Doc(extractor.nlp.vocab, words=["Stings", "posed"], lemmas=["KEEP", ""])
    before = lem.overwrite
    try:
        lem.overwrite = False
        lem(doc)
    finally:
        lem.overwrite = before
    assert [t.lemma_ for t in doc] == ["KEEP", "pose"]


def test_empty_doc(extractor):
    assert len(lemmatizer(extractor)(extractor.nlp.make_doc(""))) == 0


def test_plain_dict_table_gives_spacys_table_lemmas(extractor):
    """The table is read as a dict (building spaCy's hashed Table costs start-up); lemmas stay the same."""
    lem = lemmatizer(extractor)
    table = load_lookups(lang="en", tables=["lemma_lookup"]).get_table("lemma_lookup")
    words = [*lem._table, "Stings", "A.I.", "fact\u2011checkers'", "NOUN", "", "zzyzx", "it's", "\u2019s"]
    assert all(lem._table.get(w, w) == table.get(w, w) for w in words)
    assert len(lem._table) == len(table)
    # spaCy's Lookups (what a saved pipeline holds) are still there when asked for.
    assert dict(lem.lookups.get_table("lemma_lookup").items()) == dict(table.items())


def test_caches_stay_bounded_and_lemmas_do_not_change(extractor, monkeypatch):
    """Over a growing vocabulary both caches are emptied when full: same lemmas before and after."""
    from claimx.nlp import lemmatizer as LM

    nlp, lem = extractor.nlp, lemmatizer(extractor)
    before = [t.lemma_ for t in lem(nlp.make_doc(TEXT))]
    monkeypatch.setattr(LM, "CACHE_SIZE", 5)
    for _ in range(3):
        assert [t.lemma_ for t in lem(nlp.make_doc(TEXT))] == before
        assert len(lem._by_hash) <= 5 and len(lem._cache) <= 5
