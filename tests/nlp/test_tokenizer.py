from __future__ import annotations

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.tokens import Doc


@pytest.fixture(scope="module")
def nlp(extractor):
    return extractor.nlp


@pytest.mark.parametrize(
    "text,tokens",
    [
        ("works[1].", ["works", "[1]", "."]),
        ("[1][2][3] x", ["[1]", "[2]", "[3]", "x"]),
        ("works.[3] Next", ["works", ".", "[3]", "Next"]),
        ("range [1\u20133] and [1, 2].", ["range", "[1\u20133]", "and", "[1, 2]", "."]),
        ("multi\u2011agency task", ["multi", "\u2011", "agency", "task"]),
    ],
)
def test_markers_are_single_tokens(nlp, text, tokens):
    assert [t.text for t in nlp.make_doc(text)] == tokens


CHARS = st.sampled_from(
    list("ab .,;[]()-\u2013\u2011\u00a0\u200b\u2022\u201c\u201d\t") + ["[1]", "[2, 3]", "[1-2]", "  ", "x[4]."]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(CHARS, max_size=40).map("".join))
def test_doc_text_round_trips(nlp, text):
    doc = nlp(text)
    assert doc.text == text
    for span in doc.spans["citations"]:
        assert text[span.start_char : span.end_char] == span.text


@pytest.mark.parametrize(
    "text,tokens",
    [
        ("\u201cnews\u201d-style ads", ["\u201c", "news", "\u201d", "-", "style", "ads"]),
        ("A.I.-generated clips", ["A.I.", "-", "generated", "clips"]),
        ("fact\u2011check, e.g. this", ["fact", "\u2011", "check", ",", "e.g.", "this"]),
    ],
)
def test_extra_infixes_split_hyphens_after_quotes_and_abbreviations(nlp, text, tokens):
    assert [t.text for t in nlp.make_doc(text)] == tokens


def test_base_tokenizer_is_spacys_factory_with_the_hyphen_infixes(config):
    """The tokenizer built in one step equals spaCy's factory followed by add_hyphens."""
    import spacy

    from claimx.nlp.tokenizer import add_hyphens, base_tokenizer
    from tests.conftest import ROOT

    t = config.settings.tokenizer
    nlp = spacy.blank("en")
    old = spacy.registry.tokenizers.get("spacy.Tokenizer.v1")()(nlp)
    add_hyphens(old, nlp.Defaults, t.extra_hyphens, t.extra_infixes)
    new = base_tokenizer(nlp, t.extra_hyphens, t.extra_infixes)
    for attr in ("prefix_search", "suffix_search", "infix_finditer"):
        assert getattr(new, attr).__self__.pattern == getattr(old, attr).__self__.pattern
    assert (new.token_match, new.url_match, new.rules, new.faster_heuristics) == (
        old.token_match,
        old.url_match,
        old.rules,
        old.faster_heuristics,
    )
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpora").rglob("*.*")) if p.suffix != ".gz"]
    texts.append("multi\u2011agency \u201cco\u2010operate\u201d U.S.-led e-mail's don't 10km (a)b")
    for text in texts:
        assert [x.text for x in new(text)] == [x.text for x in old(text)]


def test_spacy_cache_is_large_and_emptied_as_tokens_go_by(nlp, monkeypatch):
    """spaCy's tokenizer cache holds CACHE_SIZE chunks and a fresh one starts every FLUSH_EVERY tokens: same tokens."""
    from claimx.nlp import tokenizer as T

    tok = nlp.tokenizer
    assert tok.base.max_cache_size == T.CACHE_SIZE
    text = "Police said [1] the multi\u2011agency stings don't work, 10km away.\n\nA second paragraph [2]."
    before = [(t.text, t.idx) for t in nlp.make_doc(text)]
    monkeypatch.setattr(T, "FLUSH_EVERY", 5)
    for _ in range(3):
        old = tok.base
        assert [(t.text, t.idx) for t in nlp.make_doc(text)] == before
        assert tok._tokens == 0  # a fresh cache after each of these Docs
        new = tok.base
        assert new is not old
        attrs = ("prefix_search", "suffix_search", "infix_finditer", "token_match", "url_match", "rules")
        assert all(getattr(new, a) == getattr(old, a) for a in attrs)
        assert (new.max_cache_size, new.faster_heuristics, new.vocab) == (
            old.max_cache_size,
            old.faster_heuristics,
            old.vocab,
        )


def test_doc_text_is_left_on_the_doc_and_checked(nlp):
    """``units.doc_text`` gives Doc.text: from the tokenizer's copy, or joined when there is none or it does not fit."""
    from spacy.tokens import Doc

    from claimx.nlp.units import TEXT, doc_text

    text = "Police said [1] that stings work.\n\nA second  paragraph [2]. "
    doc = nlp(text)
    assert doc.user_data[TEXT] is text and doc_text(doc) == doc.text == text
    doc.user_data[TEXT] = text + "x"
    assert doc_text(doc) == text
    plain = Doc(nlp.vocab, words=["a", "b"], spaces=[True, False])
    assert doc_text(plain) == "a b"
    assert doc_text(nlp.make_doc("")) == ""


def _doc_from_bounds_by_gaps(vocab, text, bounds):
    """The Doc as first built: each gap handed to one function that follows spaCy's white-space rules."""
    words, spaces = [], []

    def gap(g):
        if not g:
            return
        if words and not spaces[-1] and g[0] == " ":
            spaces[-1] = True
            g = g[1:]
        if g:
            words.append(g)
            spaces.append(False)

    pos = 0
    for s, e in bounds:
        gap(text[pos:s])
        words.append(text[s:e])
        spaces.append(False)
        pos = e
    gap(text[pos:])
    return Doc(vocab, words=words, spaces=spaces)


@pytest.fixture(scope="module")
def blank_vocab():
    return spacy.blank("en").vocab


@st.composite
def _text_and_bounds(draw):
    parts = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["", " ", "  ", "\n", " \n", "\t ", "\n\n "]), st.text("ab.", min_size=1, max_size=3)
            ),
            max_size=8,
        )
    )
    tail = draw(st.sampled_from(["", " ", "\n", "  "]))
    text, bounds = "", []
    for space, word in parts:
        text += space
        bounds.append((len(text), len(text) + len(word)))
        text += word
    return text + tail, bounds


@settings(max_examples=1000, deadline=None)
@given(_text_and_bounds())
def test_doc_from_bounds_gives_every_gap_as_spacy_would(blank_vocab, case):
    from claimx.nlp.tokenizer import _doc_from_bounds

    text, bounds = case
    vocab = blank_vocab
    doc, ref = _doc_from_bounds(vocab, text, bounds), _doc_from_bounds_by_gaps(vocab, text, bounds)
    assert doc.text == text
    assert [(t.text, t.whitespace_) for t in doc] == [(t.text, t.whitespace_) for t in ref]
