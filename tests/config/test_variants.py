"""Variant rules: spelling normalisation at run time, inflected and derived forms at compile time."""

from __future__ import annotations

import json

import pytest

from claimx.config.lexicons import LexiconTable
from claimx.config.variants import VariantRule, Variants
from claimx.errors import ConfigError
from claimx.rules.packs import RuleBuilder


@pytest.fixture(scope="module")
def variants(config):
    return config.variants


@pytest.mark.parametrize(
    "word,expected",
    [
        ("a.i.", "ai"),
        ("u.s.", "us"),
        ("e.g", "e.g"),
        ("\u2011", "-"),
        ("traffickers\u2019", "traffickers'"),
        ("\u201cnews\u201d", '"news"'),
        ("plain", "plain"),
    ],
)
def test_normalize(variants, word, expected):
    assert variants.normalize(word) == expected


@pytest.mark.parametrize(
    "word,groups,expected",
    [
        ("livestream", ["inflect"], {"livestreams", "livestreamed", "livestreaming"}),
        ("dox", ["inflect"], {"doxes", "doxed", "doxing", "doxxed", "doxxing"}),
        ("proxy", ["inflect"], {"proxies", "proxied"}),
        ("mimic", ["inflect"], {"mimicked", "mimicking"}),
        ("scam", ["derive"], {"scammer", "scammers"}),
    ],
)
def test_generated_forms(variants, word, groups, expected):
    assert expected <= set(variants.forms(word, groups))
    if groups == ["inflect"]:
        assert not {f for f in variants.forms(word, groups) if f.endswith(("er", "ers"))} - expected


@pytest.mark.parametrize(
    "word,included,excluded",
    [
        ("deepfake", {"deepfake", "deepfakes", "deepfaked", "deepfaking"}, set()),
        ("bot", {"bot"}, set()),  # the table maps "bots" to "bot" itself
        ("bar", {"bar"}, {"bare"}),  # "bared" is "bare" to the table, not a form of "bar"
        ("cop", {"cop"}, {"cope"}),
    ],
)
def test_generated_forms_the_table_reads_as_other_words_are_left_out(extractor, word, included, excluded):
    compiler = RuleBuilder.for_pipeline(extractor.nlp, extractor.config).compiler(LexiconTable())
    values = set(compiler.lemma_values(word))
    assert included <= values and not excluded & values


@pytest.mark.parametrize(
    "word,lemma", [("AI", "ai"), ("A.I.", "ai"), ("\u2019s", "'s"), ("U.S.", "us"), ("data", "data")]
)
def test_keep_rules_override_the_table(extractor, word, lemma):
    assert extractor.nlp.get_pipe("claimx_lemmatizer").lemma(word) == lemma


@pytest.mark.parametrize(
    "data,message",
    [
        ({"id": "v.x.001", "kind": "inflect", "pattern": "(", "replace": "s"}, "not a valid regular expression"),
        ({"id": "v.x.001", "kind": "mutate", "pattern": "$", "replace": "s"}, "kind"),
        ({"id": "v.x.001", "kind": "normalize", "pattern": "x", "replace": "y", "when": "("}, "when is not a valid"),
    ],
)
def test_broken_variant_rules(tmp_path, data, message):
    path = tmp_path / "variants.jsonl"
    path.write_text(json.dumps(data) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        Variants.from_file(path)
    assert err.value.message.startswith(f"{path}:1: ") and message in err.value.message


def test_rule_model_rejects_unknown_keys():
    with pytest.raises(ValueError, match="Extra inputs"):
        VariantRule.model_validate({"id": "v.x.001", "kind": "inflect", "pattern": "$", "replace": "s", "x": 1})
