from __future__ import annotations

import json

import pytest

from claimx.config.rulefiles import read_rules
from claimx.config.settings import LineRule, MarkerRule, load_config
from claimx.errors import ConfigError

GOOD = {"id": "bp.test", "role": "boilerplate", "pattern": "x"}


@pytest.mark.parametrize(
    "bad,message",
    [
        ("{not json", "invalid JSON"),
        (json.dumps({**GOOD, "colour": "red"}), "colour: Extra inputs are not permitted"),
        (json.dumps({**GOOD, "pattern": "(unclosed"}), "not a valid regular expression"),
        (json.dumps({**GOOD, "role": "banner"}), "role: Input should be"),
        (json.dumps({**GOOD, "id": "NoDots"}), "must be dotted lower case"),
        (json.dumps(GOOD), "duplicate rule id 'bp.test' (first on line 1)"),
        ("[1, 2]", "a rule must be a JSON object"),
        (
            json.dumps({"id": "h.x", "role": "heading", "pattern": r"\d+\. (?P<heading>.+)"}),
            "a heading rule needs the named group(s) number",
        ),
        (
            json.dumps({"id": "h.r", "role": "heading_repeat", "pattern": r"(?P<number>\d+)\..*"}),
            "'repeats' (the heading rules a line may repeat) is required for, and only for, role heading_repeat",
        ),
        (json.dumps({**GOOD, "id": "bp.y", "repeats": ["bp.test"]}), "'repeats'"),
    ],
)
def test_broken_line_rule_names_path_and_line(tmp_path, bad, message):
    path = tmp_path / "lines.jsonl"
    path.write_text(json.dumps(GOOD) + "\n# a comment\n" + bad + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        read_rules(path, LineRule)
    assert err.value.code == "E001"
    assert err.value.message.startswith(f"{path}:3: ")
    assert message in err.value.message


def test_repeats_must_name_heading_rules_of_the_file(tmp_path, config):
    heading = {"id": "h.one", "role": "heading", "pattern": r"(?P<number>\d+)\. (?P<heading>.+)"}
    repeat = {
        "id": "h.again",
        "role": "heading_repeat",
        "repeats": ["h.one", "h.none"],
        "pattern": r"(?P<number>\d+)\..*",
    }
    lines = tmp_path / "lines.jsonl"
    lines.write_text(json.dumps(heading) + "\n\n" + json.dumps(repeat) + "\n", encoding="utf-8")
    settings = tmp_path / "claimx.yaml"
    settings.write_text(
        f"layout: {{lines: lines.jsonl, markers: {config.path(config.settings.layout.markers)}}}\n"
        "sentences: {punct_chars: ['.']}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        load_config(settings)
    assert err.value.message == f"{lines}:3: repeats: 'h.none' is not a heading rule of this file"


def test_marker_rule_needs_refs_group(tmp_path):
    path = tmp_path / "markers.jsonl"
    path.write_text(
        json.dumps({"id": "m.x", "pattern": r"\[\d+\]", "list_separator": ",", "range_separator": "-"}) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="named group 'refs'"):
        read_rules(path, MarkerRule)


def test_packaged_config_loads(config):
    ids = [r.id for r in config.line_rules]
    assert len(ids) == len(set(ids))
    assert config.marker_rules


def test_settings_reject_unknown_keys(tmp_path):
    path = tmp_path / "claimx.yaml"
    path.write_text("layout: {lines: a, markers: b}\nsentences: {punct_chars: ['.']}\nsurprise: 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="surprise"):
        load_config(path)


def test_no_vocabulary_in_python():
    """Rules are data: no heading phrase, furniture line or tactic word in the package code."""
    from pathlib import Path

    import claimx

    words = [
        "Executive Summary",
        "Keep Factually",
        "Checked on",
        "Summary of the results",
        "sting operation",
        "Disclaimer",
        "cyber-forensics",
        "deepfake",
        "phishing",
    ]
    for path in Path(claimx.__file__).parent.rglob("*.py"):
        code = path.read_text(encoding="utf-8").lower()
        for word in words:
            assert word.lower() not in code, f"{word!r} is written in {path.name}"
