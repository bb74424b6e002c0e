"""The section splitter's shortcuts: rules filtered by a line's first character, plain-edged lines undecorated.

Each test compares the shortcut with the plain regex on generated lines, so it
fails if the shortcut ever skipped a rule that matches or a decoration that applies.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimx.config.settings import LayoutSettings
from claimx.layout.firstchar import ASCII, first_char_table, first_chars
from claimx.layout.sections import SectionSplitter

# Characters the shipped line rules and decorations care about, some letters and digits,
# white space inside a line, and characters whose case folds to ASCII letters (Kelvin sign, long s).
ALPHABET = "#*_-•[]().:;!?$ \t\xa0\r\u212a\u017fkKsSeEfFhH1290aAxXdDlLtTwWcCrRyYbB"
lines = st.text(alphabet=ALPHABET, min_size=1, max_size=40).map(str.strip).filter(bool)


@pytest.fixture(scope="module")
def rule_regexes(config):
    return [rule.regex for rule in config.line_rules]


@pytest.fixture(scope="module")
def corpus_texts(config, tmp_path_factory):
    """The bundled corpus and a small generated archive (the benchmark's generator)."""
    import sys

    from claimx.io.readers import read_inputs

    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.pop(0)
    archive = tmp_path_factory.mktemp("archive") / "a"
    generate(archive, 60, 11)
    inputs = read_inputs([str(root / "corpora"), str(archive)], config.settings.input)
    return [inp.text for inp in inputs if inp.error is None]


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line=lines)
def test_every_rule_that_matches_is_a_candidate_for_the_first_character(rule_regexes, line):
    table = first_char_table(rule_regexes)
    c = ord(line[0])
    for i, regex in enumerate(rule_regexes):
        if regex.fullmatch(line) is not None and c < ASCII:
            assert i in table[c], (regex.pattern, line)


def test_shipped_rules_on_corpus_lines(config, corpus_texts):
    """Every line of the corpus: a rule that matches it is among its first character's candidates."""
    regexes = [rule.regex for rule in config.line_rules]
    table = first_char_table(regexes)
    for text in corpus_texts:
        for line in text.splitlines():
            line = line.strip()
            if line and ord(line[0]) < ASCII:
                for i, regex in enumerate(regexes):
                    if regex.fullmatch(line):
                        assert i in table[ord(line[0])], (regex.pattern, line)


GENERATED = [
    r"(?i)k",
    r"(?i)s\w+",
    r"a?b",
    r"(?:x|y)*z",
    r"(?=[a-c])\w+",
    r"(?i:e)x|[^a-y]q",
    r"[\d.]+",
    r"\W",
    r"(?:ab){0,2}c",
    r"(?>a|b)c",
]


@settings(max_examples=1500, deadline=None)
@given(
    pattern=st.sampled_from(GENERATED),
    line=st.text(alphabet="abcdxyzqeEkKsS1.\u212a\u017f _", min_size=1, max_size=8),
)
def test_first_chars_hold_every_match(pattern, line):
    regex = re.compile(pattern)
    allowed = first_chars(regex)
    if regex.fullmatch(line) is not None and ord(line[0]) < ASCII and allowed is not None:
        assert line[0] in allowed


def test_first_chars_follow_case_folding_and_give_up_when_unsure():
    assert first_chars(re.compile(r"(?i)k")) == frozenset("kK")
    assert first_chars(re.compile(r"(?i)\u212a")) == frozenset("kK")  # the Kelvin sign folds to k
    assert first_chars(re.compile(r"a?")) is None  # may match nothing
    assert first_chars(re.compile(r"(a)\1")) == frozenset("a")
    assert first_chars(re.compile(r"(?:(a)|b)(?(1)c|d)")) == frozenset("ab")
    assert first_chars(re.compile(r"(a)?\1b")) is None  # a back reference first: unknown


@settings(max_examples=3000, deadline=None)
@given(line=st.text(alphabet="#*_ \t\xa0ax.~=", min_size=1, max_size=12).map(str.strip).filter(bool))
def test_plain_edged_lines_are_their_own_inner_text(config, line):
    layout = config.settings.layout
    head, tail = layout.decoration_edges
    if line[0] in head or line[-1] in tail:
        return
    m = re.compile(layout.decoration).fullmatch(line)
    assert m is not None and m.span("inner") == (0, len(line)), line


def test_the_packaged_decoration_takes_the_shortcut(config):
    assert config.settings.layout.decoration_edges is not None
    assert SectionSplitter(config)._plain_edges is not None


def test_edges_that_do_not_fit_the_decoration_are_refused():
    packaged = dict(lines="l.jsonl", markers="m.jsonl")
    LayoutSettings(**packaged, decoration=r"(?P<inner>.*)", decoration_edges=("", ""))
    with pytest.raises(ValueError, match="do not fit the decoration pattern"):
        LayoutSettings(**packaged, decoration=r"(?:~~)?(?P<inner>.*?)(?:~~)?", decoration_edges=("#", "#"))


def test_splitter_classifies_as_without_the_shortcuts(config, corpus_texts):
    """Every corpus line is classified the same with the shortcuts and with every rule and the decoration tried."""
    fast = SectionSplitter(config)
    slow = SectionSplitter(config)
    slow._plain_edges = None
    slow._by_first = [slow.rules] * ASCII
    assert fast._by_first != slow._by_first
    for text in corpus_texts:
        assert fast(text) == slow(text)
