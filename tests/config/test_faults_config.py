"""Issue 17, settings and rule files: every fault is a clear ``path:line`` error, nothing hangs.

Each test reproduces one case of the issue that failed (a stall, a traceback, a
silent acceptance or a null date) on the code before the fix.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import stat
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimx.cli.main import app
from claimx.config.pipeline import read_pipeline_config
from claimx.config.rulefiles import read_rules, slow_regex
from claimx.config.settings import LineRule, load_config
from claimx.errors import ConfigError
from claimx.layout.sections import SectionSplitter
from claimx.nlp.language import load

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()

# -- 1. shipped regexes run in linear time on long pathological lines ------------------------------

N = 40_000
PATHOLOGICAL = {
    "spaces": "a" + " " * N + "b",
    "spaces_then_bold": "a" + " " * N + "**",
    "bold_spaces": "**" + " " * N + "x",
    "tabs": "x" + "\t" * N + "y",
    "blank_pairs": "a\t" * (N // 2),
    "bold_pairs": "** " * (N // 3),
    "heading_spaces": "1. a" + " " * N + "b",
    "heading_words": "1. " + "a " * (N // 2),
    "heading_dots": "1. " + "ab. " * (N // 4),
    "stars": "*" * N,
    "hashes": "#" * N,
    "underscores": "_" * N,
    "colons": "a" + " :" * (N // 2),
    "open_bracket_list": "[" + "1," * (N // 2),
    "open_bracket_spaces": "[1" + " " * N,
    "letters": "ab" * (N // 2),
}


def _shipped_regexes(config) -> list[tuple[str, re.Pattern[str], str]]:
    """(name, regex, how the code uses it) of every shipped line, decoration and marker regex."""
    out = [("layout.decoration", re.compile(config.settings.layout.decoration), "fullmatch")]
    out += [(r.id, r.regex, "fullmatch") for r in config.line_rules]
    out += [(r.id, r.regex, "finditer") for r in config.marker_rules]
    return out


@pytest.mark.parametrize("shape", sorted(PATHOLOGICAL))
def test_shipped_regexes_are_fast_on_long_pathological_lines(config, shape):
    text = PATHOLOGICAL[shape]
    total, slowest = 0.0, (0.0, "")
    for name, regex, use in _shipped_regexes(config):
        start = time.perf_counter()
        if use == "fullmatch":
            regex.fullmatch(text)
        else:
            list(regex.finditer(text))
        took = time.perf_counter() - start
        total += took
        slowest = max(slowest, (took, name))
    # The lazy decoration took ~3.5 s on the first shape (35 s in a full splitter run); now ~1 ms.
    assert slowest[0] < 0.25, f"{slowest[1]} took {slowest[0]:.2f} s on {shape}"
    assert total < 1.0


def test_splitter_is_fast_on_a_line_of_spaces(config):
    splitter = SectionSplitter(config)
    start = time.perf_counter()
    splitter("Fact check: x\n\na" + " " * N + "b\n\n**" + " " * N + "**\n")
    assert time.perf_counter() - start < 1.0


OLD_DECORATION = r"(?:#{1,6}[ \t]+)?(?:\*\*|__)?(?P<inner>.*?)(?:\*\*|__)?[ \t]*"


def test_linear_decoration_matches_what_the_lazy_one_matched(config):
    """Same match and same ``inner`` as the old lazy pattern, on random short lines (with pos/endpos)."""
    old, new = re.compile(OLD_DECORATION), re.compile(config.settings.layout.decoration)
    rnd = random.Random(17)
    pieces = ["#", " ", "\t", "*", "_", "a", "\n", "**", "__", "  ", "é"]
    for _ in range(20_000):
        body = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 12)))
        text = "x " + body + " x"
        a, b = old.fullmatch(text, 2, 2 + len(body)), new.fullmatch(text, 2, 2 + len(body))
        assert (a and (a.span(), a.span("inner"))) == (b and (b.span(), b.span("inner"))), repr(body)


# -- 2. the slow-regex guard -----------------------------------------------------------------------

SLOW = [
    r"(?:\w+){1,1000}!",  # a large bounded repeat of a repeating group
    r"(a|aa)+",  # alternatives that match the same text under a repeat
    r"(.*a){12}",  # a nested quantified group holding .*
    r"(a+)+b",  # the case refused before
    r"(\w*\s?)*",
    r"(?:\s*,\s*)+x",  # two blank runs meet between repetitions
    r"(\d{1,2})+x",  # lengths that overlap
    r"(?:(?:a|aa)b*)+",
    r"(?:\w+|,)+",
    r"((a+))+",
    r"(?:.*?,){3}",
]
FAST = [
    r"(?:(?:,|-|–)\s*\d{1,6}\s*)*",
    r"(cat|car)+",
    r"(x(a|aa))+",
    r"(?:[a-z]\.){2,}",
    r"(a+b+)+",
    r"(?:,\s*\d+)*",
    r"[ab]+",
    r"(?:\s+\w+)?",
    r"(?:[^.!?]|[.!?](?=\S)|(?<![a-z]{2})\.(?=\s))*?",
]


@pytest.mark.parametrize("pattern", SLOW)
def test_guard_refuses_a_slow_rule_with_path_line_and_reason(tmp_path, pattern):
    path = tmp_path / "lines.jsonl"
    path.write_text(
        json.dumps({"id": "bp.ok", "role": "boilerplate", "pattern": "x"})
        + "\n"
        + json.dumps({"id": "bp.slow", "role": "boilerplate", "pattern": pattern})
        + "\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        read_rules(path, LineRule)
    assert err.value.message.startswith(f"{path}:2: pattern: ")
    assert "exponential" in err.value.message


@pytest.mark.parametrize("pattern", SLOW[:3])
def test_the_refused_patterns_are_really_slow(pattern):
    """The guard is not refusing harmless patterns: each of the issue's three stalls on a short line."""
    text = {"(?:\\w+){1,1000}!": "a" * 22, "(a|aa)+": "a" * 30 + "!", "(.*a){12}": "a" * 23 + "b"}[pattern]
    start = time.perf_counter()
    re.fullmatch(pattern, text)
    assert time.perf_counter() - start > 0.05


@pytest.mark.parametrize("pattern", FAST)
def test_guard_accepts_delimited_repeats(pattern):
    assert slow_regex(pattern) is None


def test_every_shipped_regex_passes_the_guard(config):
    patterns = [config.settings.layout.decoration, *config.settings.tokenizer.extra_infixes]
    for path in sorted((ROOT / "configs").rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("{"):
                rule = json.loads(line)
                patterns += [rule[k] for k in ("pattern", "when") if isinstance(rule.get(k), str)]
                patterns += [
                    v["REGEX"]
                    for tok in rule.get("pattern", [])
                    if isinstance(tok, dict)
                    for v in tok.values()
                    if isinstance(v, dict) and "REGEX" in v
                ]
    assert len(patterns) > 100
    assert [p for p in patterns if slow_regex(p)] == []


def test_slow_decoration_setting_is_refused(tmp_path):
    settings = tmp_path / "s.yaml"
    settings.write_text("layout: {decoration: '(?P<inner>(?:\\w+)+)'}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="layout.decoration: .*exponential"):
        load_config(settings)


# -- 3. broken packs: every problem of every file, never a traceback -------------------------------


def _pack(root: Path, name: str, rules: list[dict]) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "pack.yaml").write_text(
        f"name: {name}\ndescription: broken\nlabels: {{PHISHING: test}}\n", encoding="utf-8"
    )
    (folder / "tactics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rules), encoding="utf-8")
    return folder


@pytest.fixture
def broken_packs(tmp_path) -> Path:
    root = tmp_path / "packs"
    _pack(
        root,
        "p1",
        [
            {"id": "p1.regex", "label": "PHISHING", "pattern": [{"LOWER": {"REGEX": "(unclosed"}}]},
            {"id": "p1.ok", "label": "PHISHING", "pattern": "scam"},
            {"id": "p1.label", "label": "NOPE", "pattern": "scam"},
        ],
    )
    _pack(
        root,
        "p2",
        [
            {"id": "p2.slow", "label": "PHISHING", "pattern": [{"LOWER": {"REGEX": "(a|aa)+"}}]},
            {"id": "p2.lexicon", "label": "PHISHING", "pattern": "@no_such_lexicon scam"},
        ],
    )
    return root


def test_rules_check_reports_every_problem_of_every_pack(broken_packs):
    result = runner.invoke(app, ["rules", "check", str(broken_packs)])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    p1, p2 = broken_packs / "p1" / "tactics.jsonl", broken_packs / "p2" / "tactics.jsonl"
    assert (
        sorted(lines)
        == sorted(
            [
                f"{p1}:3: label 'NOPE' is not declared in pack.yaml (PHISHING)",
                f"{p1}:1: LOWER REGEX: '(unclosed' is not a valid regular expression: "
                "missing ), unterminated subpattern at position 0",
                *[line for line in lines if line.startswith(f"{p2}:1: LOWER REGEX: '(a|aa)+': ")],
                *[line for line in lines if line.startswith(f"{p2}:2: unknown lexicon 'no_such_lexicon'")],
            ]
        )
        and len(lines) == 4
    )
    assert "Traceback" not in result.output


def test_rules_check_of_the_shipped_packs_is_clean():
    result = runner.invoke(app, ["rules", "check", str(ROOT / "configs" / "rules")])
    assert result.exit_code == 0 and result.stdout == ""


def test_rules_check_without_packs_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["rules", "check", str(tmp_path)])
    assert result.exit_code == 2


def test_extract_with_an_invalid_regex_in_a_pack_exits_2_naming_path_line(tmp_path):
    folder = _pack(
        tmp_path / "packs",
        "p1",
        [{"id": "p1.regex", "label": "PHISHING", "pattern": [{"LOWER": {"REGEX": "(unclosed"}}]}],
    )
    doc = tmp_path / "in.txt"
    doc.write_text("a scam\n", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(doc), "-o", str(tmp_path / "o.jsonl"), "--rules", str(folder)])
    assert result.exit_code == 2
    assert f"{folder / 'tactics.jsonl'}:1: LOWER REGEX: '(unclosed' is not a valid regular expression" in result.stderr
    assert "internal error" not in result.stderr


# -- 4. config files ---------------------------------------------------------------------------------


def _cfg(tmp_path: Path, extra_paths: str = "", replace: tuple[str, str] | None = None) -> Path:
    text = (ROOT / "configs" / "claimx.cfg").read_text(encoding="utf-8")
    text = text.replace('settings = "claimx.yaml"', f'settings = "{ROOT / "configs" / "claimx.yaml"}"\n{extra_paths}')
    if replace:
        text = text.replace(*replace)
    path = tmp_path / "p.cfg"
    path.write_text(text, encoding="utf-8")
    return path


def test_cfg_with_exploding_interpolation_is_refused_fast(tmp_path):
    chain = 'v0 = "xxxxxxxxxxxxxxxx"\n' + "".join(
        f'v{i} = "' + f"${{paths.v{i - 1}}}" * 4 + '"\n' for i in range(1, 14)
    )
    path = _cfg(tmp_path, chain)
    assert path.stat().st_size < 3000
    start = time.perf_counter()
    with pytest.raises(ConfigError) as err:
        read_pipeline_config(path)
    assert time.perf_counter() - start < 5
    assert err.value.code == "E032" and "expands to more than 1000000 characters" in err.value.message


def test_cfg_variables_that_refer_to_themselves_are_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"refer to themselves: \$\{paths.a\} -> \$\{paths.b\} -> \$\{paths.a\}"):
        read_pipeline_config(_cfg(tmp_path, 'a = "${paths.b}"\nb = "x${paths.a}"\n'))


@pytest.mark.parametrize(
    "old,new,message",
    [
        ("[rules]", "[rulez]", "unknown section '[rulez]' (did you mean 'rules'?)"),
        ("packs = ", "pack = ", "unknown key 'rules.pack' (did you mean 'packs'?)"),
    ],
)
def test_cfg_unknown_section_or_key_is_named(tmp_path, old, new, message):
    path = _cfg(tmp_path, replace=(old, new))
    with pytest.raises(ConfigError) as err:
        read_pipeline_config(path)
    assert err.value.code == "E033" and err.value.message == f"{path}: {message}"


def test_settings_unknown_section_and_key_get_a_near_miss(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("layuot: {}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown settings section 'layuot' \(did you mean 'layout'\?\)"):
        load_config(path)
    path.write_text("layout: {max_heading_charz: 3}\n", encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"layout.max_heading_charz: unknown setting \(did you mean 'max_heading_chars'"
    ):
        load_config(path)


def test_settings_yaml_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("# comment\nlayout:\n  max_heading_chars: [150\nrules: {}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert err.value.code == "E002"
    assert err.value.message.startswith(f"{path}:4: cannot read configuration: YAML syntax error: ")


def test_pack_yaml_syntax_error_names_the_line(tmp_path):
    folder = _pack(tmp_path / "packs", "p1", [])
    (folder / "pack.yaml").write_text("name: p1\ndescription: [x\nlabels: {A: b}\n", encoding="utf-8")
    result = runner.invoke(app, ["rules", "check", str(folder)])
    assert (
        result.exit_code == 1
        and f"{folder / 'pack.yaml'}:3: cannot read configuration: YAML syntax error" in result.stdout
    )


def _settings_naming_lines(tmp_path: Path, target: Path) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(f"layout: {{lines: {target}}}\n", encoding="utf-8")
    return path


def test_rule_file_that_is_a_device_is_refused_without_reading(tmp_path):
    link = tmp_path / "zero.jsonl"
    link.symlink_to("/dev/zero")  # only ever read, through a link
    with pytest.raises(ConfigError) as err:
        load_config(_settings_naming_lines(tmp_path, link))
    assert err.value.code == "E030" and "is a device" in err.value.message
    assert stat.S_ISCHR(os.stat("/dev/zero").st_mode)


def test_rule_file_that_is_a_fifo_does_not_hang(tmp_path):
    fifo = tmp_path / "lines.jsonl"
    os.mkfifo(fifo)
    start = time.perf_counter()
    with pytest.raises(ConfigError, match="is a FIFO"):
        load_config(_settings_naming_lines(tmp_path, fifo))
    assert time.perf_counter() - start < 5


def test_huge_rule_file_is_refused(tmp_path):
    big = tmp_path / "lines.jsonl"
    with big.open("wb") as fh:  # sparse: no disk is filled
        fh.truncate(64 * 1024 * 1024)
    with pytest.raises(ConfigError) as err:
        load_config(_settings_naming_lines(tmp_path, big))
    assert err.value.code == "E031"


def test_rule_file_with_a_giant_line_is_refused_at_that_line(tmp_path):
    lines = tmp_path / "lines.jsonl"
    lines.write_text("# rules\n" + "x" * (2 * 1024 * 1024) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(_settings_naming_lines(tmp_path, lines))
    assert err.value.message.startswith(f"{lines}:2: line longer than")


def test_packs_null_over_an_empty_rules_folder_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    settings = tmp_path / "s.yaml"
    settings.write_text("rules: {dir: empty}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load(settings, overrides={"rules.packs": None})
    assert err.value.code == "E034" and str(tmp_path / "empty") in err.value.message


def test_partial_settings_merge_over_the_defaults_with_paths_from_their_own_file(tmp_path, config):
    (tmp_path / "mine").mkdir()
    shutil.copy(config.path(config.settings.layout.lines), tmp_path / "mine" / "my_lines.jsonl")
    settings = tmp_path / "my.yaml"
    settings.write_text("layout:\n  lines: mine/my_lines.jsonl\n  max_heading_chars: 150\n", encoding="utf-8")
    mine = load_config(settings)
    assert mine.settings.layout.max_heading_chars == 150
    assert mine.path(mine.settings.layout.lines) == (tmp_path / "mine" / "my_lines.jsonl").resolve()
    # everything else is the packaged defaults, its paths from the package
    assert mine.path(mine.settings.layout.markers) == config.path(config.settings.layout.markers)
    assert mine.path(mine.settings.rules.dir) == config.path(config.settings.rules.dir)
    assert mine.settings.sentences == config.settings.sentences
    assert mine.settings.layout.decoration == config.settings.layout.decoration


def test_partial_settings_run_through_the_cli(tmp_path):
    settings = tmp_path / "my.yaml"
    settings.write_text("claims: {sections: [summary]}\n", encoding="utf-8")
    doc = tmp_path / "in.txt"
    doc.write_text("Fact check: x\n\nExecutive summary\n\nA deepfake video spread [1].\n", encoding="utf-8")
    result = runner.invoke(app, ["extract", str(doc), "-o", str(tmp_path / "o.jsonl"), "-q", "-c", str(settings)])
    assert result.exit_code == 0, result.stderr


# -- 5. dates ------------------------------------------------------------------------------------------

DATED = "Fact check: did it happen?\n\n{line}\n\n1. What happened\n\nThe post is false [1].\n"


@pytest.mark.parametrize(
    "line",
    [
        "Checked on 4 March 2025",
        "Checked on 2025-03-04",
        "**Checked on:** March 4, 2025",
        "Checked on March 4, 2025.",
        "**Checked on** Mar. 4, 2025",
    ],
)
def test_common_date_forms_give_checked_on(config, line):
    layout = SectionSplitter(config)(DATED.format(line=line))
    assert layout.checked_on is not None and layout.checked_on.isoformat() == "2025-03-04"
    assert not [w for w in layout.warnings if w[0] == "W104"]


def test_meta_line_after_a_source_list_gives_checked_on(config):
    text = "Fact check: x\n\n1. What happened\n\nFalse [1].\n\nSources\n1. A report, 2024\n\nChecked on April 7, 2026\n"
    layout = SectionSplitter(config)(text)
    assert layout.checked_on.isoformat() == "2026-04-07"
    assert [s.kind for s in layout.sections][-2:] == ["references", "meta"]
    assert [e.number for e in layout.entries] == [1]


def test_meta_line_with_an_unreadable_date_warns_w104(config, extract):
    text = DATED.format(line="Checked on the 5th of Smarch 2025")
    layout = SectionSplitter(config)(text)
    assert layout.checked_on is None
    (warning,) = [w for w in layout.warnings if w[0] == "W104"]
    assert "'the 5th of Smarch 2025'" in warning[1]
    record = extract(text)
    assert any(w.code == "W104" for w in record.warnings)


def test_a_prose_line_is_no_meta_line(config):
    layout = SectionSplitter(config)(DATED.format(line="Checked online sources daily."))
    assert layout.checked_on is None and not [w for w in layout.warnings if w[0] == "W104"]


def test_error_codes_are_not_aliases():
    """Two codes with the same message text would become one Enum member (E032 once hid E010)."""
    from claimx.errors import Errors

    assert [name for name, member in Errors.__members__.items() if member.name != name] == []


def test_record_files_read_by_eval_are_not_bounded_like_rule_files(tmp_path):
    """The rule-file bounds are for rule files only: a record line of 2 MB is a normal record."""
    from claimx.io.jsonl import read_jsonl

    path = tmp_path / "records.jsonl"
    path.write_text(json.dumps({"doc_id": "a", "text": "x" * (2 * 1024 * 1024)}) + "\n", encoding="utf-8")
    assert [n for n, _ in read_jsonl(path, what="a record")] == [1]


def test_one_formatter_of_validation_errors():
    """Settings, rule files, pack manifests, records and verdicts name a problem the same way."""
    from pydantic import BaseModel, ValidationError, field_validator

    from claimx.errors import at, validation_problems

    class Inner(BaseModel):
        end: int

        @field_validator("end")
        @classmethod
        def _positive(cls, value: int) -> int:
            if value < 0:
                raise ValueError("must not be negative")
            return value

    class Outer(BaseModel):
        spans: list[Inner]

    with pytest.raises(ValidationError) as err:
        Outer.model_validate({"spans": [{"end": -1}, {}]})
    assert validation_problems(err.value) == ["spans[0].end: must not be negative", "spans[1].end: Field required"]
    hinted = validation_problems(err.value, lambda e: "hint" if e["type"] == "missing" else None)
    assert hinted == ["spans[0].end: must not be negative", "spans[1].end: hint"]
    assert at("a/b.jsonl", 3) == "a/b.jsonl:3"
