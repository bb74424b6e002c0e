from __future__ import annotations

import shutil

import pytest

from claimx.errors import ConfigError
from claimx.nlp.language import load
from claimx.rules.packs import available_packs, load_pack, resolve_packs
from tests.conftest import write_pack

OK = {"id": "t.sting.001", "label": "STING_OPERATION", "pattern": "sting operation"}


def test_shipped_packs(config):
    assert list(available_packs(config)) == ["deception", "law_enforcement"]
    for pack in resolve_packs(config):
        assert all(r.rule.note for r in pack.rules), "every rule explains itself"


@pytest.mark.parametrize(
    "bad,message",
    [
        ({**OK, "label": "NOT_DECLARED"}, "label 'NOT_DECLARED' is not declared"),
        ({**OK, "extra": 1}, "extra: Extra inputs are not permitted"),
        ({**OK, "pattern": 5}, "pattern"),
    ],
)
def test_broken_pack_file(tmp_path, bad, message):
    folder = write_pack(tmp_path / "p", [OK | {"id": "t.ok.001"}, bad])
    with pytest.raises(ConfigError) as err:
        load_pack(folder)
    assert err.value.message.startswith(f"{folder / 'tactics.jsonl'}:2: ")
    assert message in err.value.message


def test_invalid_token_pattern_is_reported_at_build(tmp_path, config):
    folder = write_pack(
        tmp_path / "p", [OK, {**OK, "id": "t.sting.002", "pattern": [{"LEMMA": {"IN": "x"}, "BOGUS": 1}]}]
    )
    with pytest.raises(ConfigError) as err:
        load(config.file, packs=[str(folder)])
    assert f"{folder / 'tactics.jsonl'}:2: invalid token pattern" in err.value.message


def test_duplicate_id_across_packs(tmp_path, config):
    a = write_pack(tmp_path / "a", [OK])
    b = tmp_path / "b"
    shutil.copytree(a, b)
    with pytest.raises(ConfigError, match="duplicate rule id 't.sting.001'"):
        load(config.file, packs=[str(a), str(b)])


def test_unknown_pack(config):
    with pytest.raises(ConfigError, match="unknown rule pack 'nope'"):
        resolve_packs(config, ["nope"])


def test_pack_selection_changes_output(config):
    from claimx.io.readers import Input
    from claimx.io.source import Source
    from claimx.run.extractor import Extractor

    text = "Q?\nExecutive Summary\nPolice ran stings against deepfake sellers.\n"
    labels = {}
    for packs in (["law_enforcement"], ["deception"]):
        (rec,) = Extractor(config, packs=packs)([Input("t", Source(path="-", format="txt"), text=text)])
        labels[packs[0]] = [m.label for k in rec.claims for m in k.tactics]
    assert labels == {"law_enforcement": ["STING_OPERATION"], "deception": ["DEEPFAKE"]}
