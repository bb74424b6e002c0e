"""The one record walker and the level names (claimx.records.items)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from claimx.output.table import LEVEL_COLUMNS
from claimx.records import items
from claimx.records.items import ALIASES, LEVELS, SCORED, choices, level, level_name, walk
from claimx.records.schema import Record


def _lists(record: Record) -> dict[str, list]:
    """The record's own list for every level, in record order."""
    inside = {
        lv.name: [m for k in record.claims for m in getattr(k, lv.field)] for lv in LEVELS.values() if lv.in_claims
    }
    return inside | {
        "sections": record.sections,
        "claims": record.claims,
        "citations": record.citations,
        "references": record.references,
        "verdicts": [record.verdict] if record.verdict else [],
    }


@pytest.mark.parametrize("name", list(LEVELS))
def test_walk_gives_every_item_once_with_its_text(corpus_records, name):
    total = 0
    for rec in corpus_records:
        found = walk(rec, name)
        assert [i.model for i in found] == _lists(rec)[name]  # the record's lists are in text order already
        assert [(i.start, i.end) for i in found] == sorted((i.start, i.end) for i in found)
        for i in found:
            assert i.level == name
            assert (i.start, i.end) == (i.model.start, i.model.end)
            assert i.text == rec.text[i.start : i.end], (rec.doc_id, name, i.start)
            if i.section_id is not None:
                section = next(s for s in rec.sections if s.id == i.section_id)
                assert section.start <= i.start < section.end or name == "sections"
        total += len(found)
    assert total or name == "references"


def test_claim_children_know_their_claim(corpus_records):
    for rec in corpus_records:
        for name in ("mentions", "actors", "quantities", "hedges"):
            for i in walk(rec, name):
                assert i.model in getattr(i.claim, LEVELS[name].field)
                assert i.claim_id == i.claim.id and i.section_id == i.claim.section_id
                assert i.claim.start <= i.start and i.end <= i.claim.end
        for i in walk(rec, "citations"):
            assert i.claim is None or i.model.id in i.claim.citation_ids
        for i in walk(rec, "mentions"):
            assert i.label == i.model.label
        for i in walk(rec, "hedges"):
            assert i.label == i.model.cue


def test_no_text_gives_no_section_text(corpus_records):
    rec = corpus_records[0].model_copy(update={"text": None})
    assert [i.text for i in walk(rec, "sections")] == [None] * len(rec.sections)


def test_aliases_resolve():
    assert ALIASES == {"tactics": "mentions"}
    assert level("tactics") is level("mentions") is LEVELS["mentions"]
    assert level_name("tactics") == "mentions" and level_name("claims") == "claims"
    assert LEVELS["mentions"].field == "tactics"
    assert choices() == [*LEVELS, "tactics"]
    assert all(level(name).field == name for name in SCORED)


def test_unknown_level_names_the_choices(corpus_records):
    with pytest.raises(ValueError, match="unknown level 'tactic'; choose from sections, claims, mentions") as exc:
        level("tactic")
    assert all(name in str(exc.value) for name in choices())
    with pytest.raises(ValueError, match="choose from"):
        walk(corpus_records[0], "warnings")


def test_every_level_has_table_columns():
    assert list(LEVEL_COLUMNS) == list(LEVELS)


def test_items_is_pure_python_over_the_models():
    tree = ast.parse(Path(items.__file__).read_text(encoding="utf-8"))
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported == {"__future__", "dataclasses", "schema"}


def test_eval_takes_either_name_and_shows_the_record_list_name():
    from typer.testing import CliRunner

    from claimx.cli.main import app

    gold = str(Path(__file__).resolve().parents[1] / "gold")
    runner = CliRunner()
    by_alias, by_name = (runner.invoke(app, ["eval", gold, gold, "--level", n]) for n in ("tactics", "mentions"))
    assert by_alias.exit_code == by_name.exit_code == 0, by_name.output
    assert by_name.output == by_alias.output and by_name.output.startswith("tactics: ")
    bad = runner.invoke(app, ["eval", gold, gold, "--level", "claims"])
    assert bad.exit_code == 2 and "choose from sections, citations, tactics, quantities, hedges" in bad.output
