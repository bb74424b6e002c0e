"""The rule engine must find exactly what a plain spaCy Matcher finds.

Patterns are generated with every operator spaCy has (``?``, ``*``, ``+``, ``!``,
``{n}``, ``{n,m}``, ``{n,}``, ``{,m}``), set and regex predicates, flags and
multi-attribute tokens, so compiled sequences, anchored tries, the indexed
windows of open patterns and unbounded repeats are all tried.
"""

from __future__ import annotations

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.matcher import Matcher
from spacy.tokens import Doc

from claimx.rules.matcher import IndexedMatcher, RuleEngine, anchor, longest_first, reach, repeats

WORDS = ["a", "b", "sting", "op", "the", "-", "1", "22", "Ab"]
LEMMAS = {"Ab": "a", "op": "operation", "22": "22"}
OPS = [None, None, None, "?", "*", "+", "!", "{2}", "{1,3}", "{0,2}", "{2,}", "{,2}", "{0,1}", "{1}"]

NLP = spacy.blank("en")


def make_doc(words: list[str]) -> Doc:
    return Doc(NLP.vocab, words=words, lemmas=[LEMMAS.get(w, w.lower()) for w in words])


word = st.sampled_from(WORDS)
value = st.one_of(
    word,
    st.fixed_dictionaries({"IN": st.lists(word, min_size=1, max_size=3)}),
    st.fixed_dictionaries({"NOT_IN": st.lists(word, min_size=1, max_size=2)}),
)
attrs = st.dictionaries(
    st.sampled_from(["ORTH", "LOWER", "LEMMA", "TEXT"]),
    value,
    max_size=2,
) | st.fixed_dictionaries(
    {},
    optional={
        "IS_ALPHA": st.booleans(),
        "LIKE_NUM": st.booleans(),
        "IS_PUNCT": st.booleans(),
        "LOWER": st.sampled_from([{"REGEX": "^s"}, {"REGEX": "p$"}, "a"]),
        "LENGTH": st.sampled_from([{">=": 2}, {"==": 1}]),
    },
)


@st.composite
def token(draw):
    spec = dict(draw(attrs))
    op = draw(st.sampled_from(OPS))
    if op is not None:
        spec["OP"] = op
    return spec


patterns = st.lists(token(), min_size=1, max_size=4)
rulesets = st.lists(st.lists(patterns, min_size=1, max_size=3), min_size=1, max_size=4)
docs = st.lists(word, max_size=24)


def both(rules: list[list[list[dict]]], engine=RuleEngine) -> tuple[Matcher, RuleEngine | IndexedMatcher]:
    plain, indexed = Matcher(NLP.vocab), engine(NLP.vocab)
    for i, pats in enumerate(rules):
        plain.add(f"r{i}", pats)
        indexed.add(f"r{i}", pats)
    return plain, indexed


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rulesets, docs)
def test_generated_patterns_match_like_spacy(rules, words):
    plain, indexed = both(rules)
    doc = make_doc(words)
    assert indexed(doc) == sorted(set(plain(doc)), key=lambda m: (m[1], m[2], m[0]))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rulesets, docs)
def test_indexed_windows_alone_match_like_spacy(rules, words):
    """The path open patterns take, tried on every generated pattern."""
    plain, indexed = both(rules, IndexedMatcher)
    doc = make_doc(words)
    assert indexed(doc) == sorted(set(plain(doc)), key=lambda m: (m[1], m[2], m[0]))


@settings(max_examples=500, deadline=None)
@given(rulesets, docs)
def test_longest_first_on_top_of_the_matches(rules, words):
    """The kept spans do not overlap, and each dropped one overlaps a kept one at least as long."""
    plain, indexed = both(rules)
    doc = make_doc(words)
    triples = [(s, e, int(NLP.vocab.strings[k][1:])) for k, s, e in indexed(doc)]
    assert triples == [
        (s, e, int(NLP.vocab.strings[k][1:])) for k, s, e in sorted(set(plain(doc)), key=lambda m: (m[1], m[2], m[0]))
    ]
    kept = longest_first(triples)
    for (_s1, e1, _), (s2, _, _) in zip(kept, kept[1:], strict=False):
        assert e1 <= s2
    for s, e, o in triples:
        if (s, e, o) not in kept:
            assert any(ks < e and s < ke and ke - ks >= e - s for ks, ke, _ in kept)


@pytest.mark.parametrize(
    "op,expected",
    [
        (None, (1, 1)),
        ("!", (1, 1)),
        ("?", (0, 1)),
        ("*", (0, float("inf"))),
        ("+", (1, float("inf"))),
        ("{3}", (3, 3)),
        ("{1,4}", (1, 4)),
        ("{2,}", (2, float("inf"))),
        ("{,2}", (0, 2)),
    ],
)
def test_repeats(op, expected):
    assert repeats(op) == expected


@pytest.mark.parametrize(
    "tokens,expected",
    [
        ([{"LOWER": "sting"}, {"IS_ALPHA": True, "OP": "+"}], (0, "LOWER", frozenset({"sting"}))),
        # an anchor that may be absent is not an anchor
        ([{"LOWER": "sting", "OP": "{0,1}"}, {"LOWER": {"IN": ["a", "b"]}}], (1, "LOWER", frozenset({"a", "b"}))),
        ([{"LOWER": "sting", "OP": "!"}], None),
        ([{"LEMMA": {"IN": ["a", "b", "c"]}}, {"ORTH": "x", "OP": "{2,}"}], (1, "ORTH", frozenset({"x"}))),
        # a very common word is a poor anchor: "day of action" is indexed by "action"
        ([{"LOWER": "day"}, {"LOWER": "of"}, {"LOWER": "action"}], (0, "LOWER", frozenset({"day"}))),
        ([{"LOWER": "of"}, {"LOWER": "action"}], (1, "LOWER", frozenset({"action"}))),
        (
            [{"LOWER": {"IN": ["was", "were", "been"]}}, {"LEMMA": {"IN": ["doctor", "splice", "crop", "tamper"]}}],
            (1, "LEMMA", frozenset({"doctor", "splice", "crop", "tamper"})),
        ),
    ],
)
def test_anchor(tokens, expected):
    assert anchor(tokens) == expected


@pytest.mark.parametrize(
    "tokens,pos,expected",
    [
        ([{"LOWER": "sting"}, {"IS_ALPHA": True, "OP": "+"}], 0, (0, float("inf"))),
        ([{"OP": "{1,3}"}, {"LOWER": "x"}, {"OP": "?"}], 1, (3, 1)),
        ([{"LOWER": "x", "OP": "{2,4}"}], 0, (3, 3)),
    ],
)
def test_reach(tokens, pos, expected):
    assert reach(tokens, pos) == expected


def test_unbounded_repeat_after_anchor_is_not_cut_short():
    """The case that motivated exactness: [sting, IS_ALPHA+] on a run of words."""
    plain, indexed = both([[[{"LOWER": "sting"}, {"IS_ALPHA": True, "OP": "+"}]]])
    doc = make_doc("the sting a b op the a".split())
    assert len(indexed(doc)) == len(plain(doc)) == 5


# The shipped rules, compiled as the pipeline compiles them, on corpus lines and word salad.


@pytest.fixture(scope="module")
def shipped(extractor):
    nlp = extractor.nlp
    component = nlp.get_pipe("claimx_rules")
    plain = Matcher(nlp.vocab)
    for rid, rule in component.rules.items():
        plain.add(rid, rule.compiled.patterns)
    return nlp, plain, component.matcher


def same(nlp, plain, indexed, text):
    doc = nlp(text)
    assert indexed(doc) == sorted(set(plain(doc)), key=lambda m: (m[1], m[2], m[0]))


def test_shipped_rules_on_corpus_lines(shipped, config):
    from claimx.io.readers import read_inputs
    from tests.conftest import ROOT

    # The same line recurs across a story's txt, HTML and web versions: each distinct line once.
    lines = dict.fromkeys(
        line
        for inp in read_inputs([str(ROOT / "corpora")], config.settings.input)
        for line in (inp.text or "").splitlines()
    )
    for line in lines:
        same(*shipped, line)


SALAD = st.sampled_from(
    "all 9 potential victims police sting operations often not may cyber - forensics $ 2,000 checks dozens or "
    "hundreds of arrests traffic stops and checkpoints multi \u2011 agency task force deepfake voice clone the a "
    "AI-generated fake accounts posed as officers refer tips to law enforcement".split()
)


@settings(max_examples=200, deadline=None)
@given(st.lists(SALAD, max_size=30).map(" ".join))
def test_shipped_rules_on_word_salad(shipped, text):
    same(*shipped, text)


@pytest.mark.parametrize("length", [5, 300])
def test_short_and_long_docs_find_anchors_alike(length):
    """Short Docs are scanned token by token, long ones with Doc.to_array: same matches."""
    rules = [[[{"LOWER": "sting"}, {"IS_ALPHA": True, "OP": "+"}]], [[{"LEMMA": "operation"}]], [[{"LIKE_NUM": True}]]]
    plain, indexed = both(rules, IndexedMatcher)
    doc = make_doc([WORDS[i % len(WORDS)] for i in range(length)])
    assert indexed(doc) == sorted(set(plain(doc)), key=lambda m: (m[1], m[2], m[0]))
    assert indexed(doc)


def test_rules_whose_windows_cover_the_doc_run_once_over_it():
    rules = [[[{"LOWER": "a"}, {"LOWER": "b", "OP": "?"}]], [[{"LOWER": "sting"}, {"IS_ALPHA": True, "OP": "{1,2}"}]]]
    plain, indexed = both(rules, IndexedMatcher)
    doc = make_doc(["a", "b", "sting", "op"] * 40)
    windows = indexed.windows(doc)["r0"]
    assert 2 * sum(e - s for s, e in windows) >= len(doc) and len(windows) > 1
    assert indexed(doc) == sorted(set(plain(doc)), key=lambda m: (m[1], m[2], m[0]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rulesets, st.lists(docs, min_size=2, max_size=4), patterns)
def test_one_engine_over_many_docs_and_a_late_rule(rules, many, late):
    """What a token satisfies is kept across Docs; a rule added later empties what was kept."""
    plain, indexed = both(rules)
    for words in many + many:
        doc = make_doc(words)
        assert indexed(doc) == sorted(set(plain(doc)), key=lambda m: (m[1], m[2], m[0]))
    plain.add("late", [late])
    indexed.add("late", [late])
    for words in many:
        doc = make_doc(words)
        assert indexed(doc) == sorted(set(plain(doc)), key=lambda m: (m[1], m[2], m[0]))


@pytest.mark.parametrize(
    ("pattern", "attr", "word"),
    [
        ([{"LOWER": "no"}, {"IS_PUNCT": False}], "LOWER", "no"),
        ([{"LOWER": {"IN": ["did", "does", "do"]}}, {"IS_ALPHA": True}], "LOWER", "did"),
        ([{"LIKE_NUM": True}, {"LOWER": {"IN": ["of", "to", "in", "on", "at"]}}], "LIKE_NUM", None),
    ],
)
def test_a_compiled_pattern_is_anchored_on_its_rarest_test(pattern, attr, word):
    """A broad flag (IS_ALPHA, IS_PUNCT false) holds for most tokens: the pattern is filed under its
    word even when that is a stop word; LIKE_NUM stays rarer than a set of stop words."""
    from spacy import attrs

    engine = RuleEngine(NLP.vocab)
    engine.add("r", [pattern])
    anchored = {engine.columns[col]: set(table) for col, table in engine._index.items()}
    assert list(anchored) == [getattr(attrs, attr)]
    if word is not None:
        assert NLP.vocab.strings[word] in anchored[getattr(attrs, attr)]
    doc = make_doc(["no", "one", "did", "say", "5", "of", "them"])
    plain = Matcher(NLP.vocab)
    plain.add("r", [pattern])
    assert engine(doc) == sorted(set(plain(doc)), key=lambda m: (m[1], m[2], m[0]))
