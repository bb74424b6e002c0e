"""Lexicons: named word sets in pack files, with includes; broken ones fail with path:line."""

from __future__ import annotations

import pytest

from claimx.config.lexicons import Lexicon, LexiconTable, Where
from claimx.errors import ConfigError
from tests.conftest import mentions

RULE = {"id": "t.sting.001", "label": "STING_OPERATION", "pattern": "@sting_word"}


def table(*lexicons: dict) -> LexiconTable:
    t = LexiconTable()
    for line, data in enumerate(lexicons, 1):
        t.add(Lexicon.model_validate(data), Where("lex.jsonl", line))
    return t


@pytest.mark.parametrize(
    "lexicons,expected",
    [
        ([{"id": "a", "words": ["x", "y"]}], ["x", "y"]),
        ([{"id": "a", "words": ["x"], "include": ["b"]}, {"id": "b", "words": ["y", "x"]}], ["x", "y"]),
        ([{"id": "a", "include": ["b"]}, {"id": "b", "include": ["c"]}, {"id": "c", "words": ["z"]}], ["z"]),
    ],
)
def test_includes_are_resolved_in_order_without_repeats(lexicons, expected):
    assert [e.text for e in table(*lexicons).entries("a")] == expected


@pytest.mark.parametrize(
    "lexicons,message",
    [
        ([{"id": "a", "include": ["nope"]}], "lex.jsonl:1: lexicon 'a' includes an unknown lexicon 'nope'"),
        (
            [{"id": "a", "words": ["x"], "include": ["b"]}, {"id": "b", "words": ["y"], "include": ["a"]}],
            "lex.jsonl:2: lexicon 'b' includes itself: a -> b -> a",
        ),
        ([{"id": "a", "words": ["x"], "include": ["a"]}], "lex.jsonl:1: lexicon 'a' includes itself: a -> a"),
        ([{"id": "a"}], "lex.jsonl:1: lexicon 'a' has no words"),
    ],
)
def test_broken_includes(lexicons, message):
    with pytest.raises(ConfigError) as err:
        table(*lexicons).validate()
    assert message in err.value.message


@pytest.mark.parametrize(
    "data,message",
    [
        ({"id": "Media-Noun", "words": ["x"]}, "lower case"),
        ({"id": "a", "words": [" "]}, "must not be empty"),
        ({"id": "a", "words": ["x"], "surprise": 1}, "Extra inputs"),
    ],
)
def test_invalid_lexicon_lines(tmp_path, data, message):
    import json

    path = tmp_path / "lexicons.jsonl"
    path.write_text(json.dumps({"id": "ok", "words": ["x"]}) + "\n" + json.dumps(data) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        LexiconTable().add_file(path)
    assert err.value.message.startswith(f"{path}:2: ") and message in err.value.message


def test_pack_lexicon_used_by_a_phrase(pack_nlp):
    nlp = pack_nlp([RULE], lexicons=[{"id": "sting_word", "words": ["sting", "buy-bust"]}])
    assert mentions(nlp, "Two stings and a buy bust.") == [
        ("stings", "STING_OPERATION", "t.sting.001"),
        ("buy bust", "STING_OPERATION", "t.sting.001"),
    ]


@pytest.mark.parametrize(
    "rule,lexicons,where,message",
    [
        (RULE, [{"id": "other", "words": ["x"]}], "tactics.jsonl:1", "unknown lexicon 'sting_word'"),
        (RULE, [{"id": "sting_words", "words": ["x"]}], "tactics.jsonl:1", "did you mean 'sting_words'"),
        ({**RULE, "pattern": [{"LEXICON": "nope"}]}, [], "tactics.jsonl:1", "unknown lexicon 'nope'"),
        (
            RULE,
            [{"id": "sting_word", "words": ["x"]}, {"id": "b", "include": ["zzz"]}],
            "lexicons.jsonl:2",
            "includes an unknown lexicon 'zzz'",
        ),
        (RULE, [{"id": "object_stop", "words": ["x"]}], "lexicons.jsonl:1", "duplicate lexicon 'object_stop'"),
    ],
)
def test_broken_lexicon_references_name_the_line(pack_nlp, rule, lexicons, where, message):
    with pytest.raises(ConfigError) as err:
        pack_nlp([rule], lexicons=lexicons)
    assert where in err.value.message and message in err.value.message


def test_unknown_head_lexicon_in_pack_yaml(pack_nlp):
    with pytest.raises(ConfigError, match=r"pack.yaml.*heads: unknown lexicon 'nope'"):
        pack_nlp([RULE], lexicons=[{"id": "sting_word", "words": ["sting"]}], heads={"STING_OPERATION": "nope"})
