"""Compiling phrases and token patterns: lexicons, hyphen and glued forms, inflections, limits."""

from __future__ import annotations

import pytest

from claimx.config.lexicons import Lexicon, LexiconTable, Where
from claimx.config.variants import Variants
from claimx.errors import ConfigError
from claimx.rules.patterns import Compiler, PatternError
from tests.conftest import mentions

LABEL = "DEEPFAKE"


def rule(pattern, **extra) -> dict:
    return {"id": "t.df.001", "label": LABEL, "pattern": pattern, **extra}


MEDIA = {"id": "media", "words": ["video", "clip", "voice note"]}
FAKE = {"id": "fake_mod", "words": ["deep-fake", "AI-generated", "synthetic"]}
SYNTH = {"id": "synth", "words": ["synthetic", "artificial"]}


@pytest.mark.parametrize(
    "text,found",
    [
        ("A deepfake spread.", ["deepfake"]),
        ("Deepfakes spread.", ["Deepfakes"]),
        ("DEEPFAKED clips", ["DEEPFAKED"]),
        ("a deep fake and a deep-fake", ["deep fake", "deep-fake"]),
        ("the deep\u2011faking of voices", ["deep\u2011faking"]),
        ("a fake", []),
    ],
)
def test_phrase_word_matches_inflections_case_hyphens_and_glued_forms(pack_nlp, text, found):
    nlp = pack_nlp([rule("deep-fake")], labels=(LABEL,))
    assert [m[0] for m in mentions(nlp, text)] == found


@pytest.mark.parametrize(
    "text,found",
    [
        ("an A.I. video", ["A.I. video"]),
        ("an AI clip", ["AI clip"]),
        ("an ai voice note", ["ai voice note"]),
        ("AI-generated", []),
    ],
)
def test_dotted_abbreviations_are_normalised(pack_nlp, text, found):
    nlp = pack_nlp([rule("ai @media")], labels=(LABEL,), lexicons=[MEDIA])
    assert [m[0] for m in mentions(nlp, text)] == found


@pytest.mark.parametrize(
    "pattern,text,found",
    [
        (
            "@fake_mod @media?",
            "a synthetic clip and an AI\u2011generated voice note",
            ["synthetic clip", "AI\u2011generated voice note"],
        ),
        ("@fake_mod @media?", "synthetic voices", ["synthetic"]),
        ([{"LEXICON": "fake_mod"}, {"LEXICON": "media", "OP": "?"}], "deep fake video", ["deep fake video"]),
        (
            [{"LOWER": "a"}, {"LEXICON": {"NOT_IN": "synth"}}, {"LEMMA": "video"}],
            "a real video, a synthetic video",
            ["a real video"],
        ),
        (
            [{"LEXICON": "synth", "IS_TITLE": True}, {"LEMMA": "clip"}],
            "Synthetic clips and synthetic clips",
            ["Synthetic clips"],
        ),
    ],
)
def test_lexicons_in_phrases_and_token_patterns(pack_nlp, pattern, text, found):
    nlp = pack_nlp([rule(pattern)], labels=(LABEL,), lexicons=[MEDIA, FAKE, SYNTH])
    assert [m[0] for m in mentions(nlp, text)] == found


def test_bounded_repeat_of_a_lexicon_with_several_token_words(pack_nlp):
    nlp = pack_nlp([rule([{"LOWER": "a"}, {"LEXICON": "media", "OP": "{1,2}"}])], labels=(LABEL,), lexicons=[MEDIA])
    assert [m[0] for m in mentions(nlp, "a voice note clip; a clip")] == ["a voice note clip", "a clip"]


def test_not_in_a_lexicon_with_several_token_words(pack_nlp):
    nlp = pack_nlp([rule([{"LOWER": "a"}, {"LEXICON": {"NOT_IN": "media"}}])], labels=(LABEL,), lexicons=[MEDIA])
    # "voice note" is two tokens, so "voice" alone is not excluded; "clip" is.
    assert [m[0] for m in mentions(nlp, "a clip, a voice")] == ["a voice"]


def test_lemma_values_in_token_patterns_get_inflections(pack_nlp):
    nlp = pack_nlp([rule([{"LEMMA": {"IN": ["deepfake", "cheapfake"]}}])], labels=(LABEL,))
    assert [m[0] for m in mentions(nlp, "cheapfakes and deepfaked clips")] == ["cheapfakes", "deepfaked"]


@pytest.mark.parametrize(
    "pattern,message",
    [
        ([{"LEXICON": "media", "OP": "+"}], "OP '+' cannot repeat 'media'"),
        ([{"LEXICON": "media", "OP": "{1,}"}], "only bounded repeats"),
        ([{"LEXICON": "media", "IS_TITLE": True}], "several-token words"),
        ([{"LEXICON": 3}], "LEXICON takes a lexicon name"),
        ("  ", "empty pattern"),
    ],
)
def test_unusable_lexicon_uses_are_errors_with_path_and_line(pack_nlp, pattern, message):
    with pytest.raises(ConfigError) as err:
        pack_nlp([rule("deepfake") | {"id": "t.df.000"}, rule(pattern)], labels=(LABEL,), lexicons=[MEDIA])
    assert "tactics.jsonl:2: " in err.value.message and message in err.value.message


def test_expansion_limit():
    lexicons = LexiconTable()
    lexicons.add(Lexicon(id="two", words=["a b", "c d", "e f"]), Where("x", 1))
    compiler = Compiler(
        tokenize=str.split, lemma=str.lower, variants=Variants([]), lexicons=lexicons, hyphens=["-"], max_expansion=9
    )
    assert len(compiler.compile("@two @two").patterns) == 9
    with pytest.raises(PatternError, match="expands to 27 token patterns, more than rules.max_expansion"):
        compiler.compile("@two @two @two")


def test_compiled_patterns_record_their_lexicons(pack_nlp):
    nlp = pack_nlp([rule("the @fake_mod")], labels=(LABEL,), lexicons=[FAKE])
    compiled = nlp.get_pipe("claimx_rules").rules["t.df.001"].compiled
    assert {tuple(o) for o in compiled.origins} >= {(None, "fake_mod"), (None, "fake_mod", "fake_mod", "fake_mod")}
