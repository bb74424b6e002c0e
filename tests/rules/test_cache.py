"""The compiled-rule cache: read back, it gives what compiling gives; its key follows every input."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from claimx.io.readers import read_inputs
from claimx.nlp.language import load
from claimx.records.schema import dumps
from claimx.rules import cache
from claimx.rules.packs import RuleBuilder, load_cues, resolve_packs
from claimx.run.extractor import Extractor

ROOT = Path(__file__).resolve().parents[2]


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("rules-*.pickle"))


def records(nlp) -> list[str]:
    ex = Extractor(nlp=nlp)
    return [dumps(r) for r in ex(read_inputs([str(ROOT / "corpora")], ex.config.settings.input))]


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("CLAIMX_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CLAIMX_NO_CACHE", raising=False)
    return tmp_path / "cache"


@pytest.fixture
def no_compiling(monkeypatch):
    """Compiling fails: a pipeline that loads read its rules from the cache."""

    def refuse(self, loaded, problems=None):
        raise AssertionError("compiled instead of read from the cache")

    return lambda: monkeypatch.setattr(RuleBuilder, "build", refuse)


def test_rules_read_back_give_the_compiled_rules_matches(folder, no_compiling):
    compiled = load()
    assert len(entries(folder)) == 1
    no_compiling()
    read = load()
    a, b = compiled.get_pipe("claimx_rules"), read.get_pipe("claimx_rules")
    assert list(a.rules) == list(b.rules)
    assert a.matcher.n_nodes == b.matcher.n_nodes and a.matcher.n_sequences == b.matcher.n_sequences
    assert len(b.matcher.open) == len(a.matcher.open) > 0  # the open patterns' Matcher is made again
    assert records(read) == records(compiled)


def test_key_is_the_same_in_every_process(folder):
    """Sets and dicts are keyed in sorted order, so string hashing (PYTHONHASHSEED) does not change the key."""
    names = []
    for seed in ("1", "2"):
        where = folder / seed
        env = {**os.environ, "PYTHONHASHSEED": seed, "CLAIMX_CACHE_DIR": str(where)}
        subprocess.run([sys.executable, "-c", "import claimx; claimx.load()"], check=True, env=env)
        names.append([p.name for p in entries(where)])
    assert names[0] == names[1] and len(names[0]) == 1


def test_key_changes_with_a_rule_a_setting_or_a_lexicon(config):
    loaded = [i for p in resolve_packs(config, None) for i in p.rules] + load_cues(config)
    depends = {"settings": config.settings, "variants": config.variants}
    key = cache.digest(loaded, depends)
    assert cache.digest(list(loaded), dict(depends)) == key
    first = loaded[0]
    edited = dataclasses.replace(first, rule=first.rule.model_copy(update={"priority": first.rule.priority + 1}))
    assert cache.digest([edited, *loaded[1:]], depends) != key
    assert cache.digest(loaded[1:], depends) != key  # a rule left out
    assert cache.digest(loaded[::-1], depends) != key  # order decides ties
    rules = config.settings.rules.model_copy(update={"max_expansion": config.settings.rules.max_expansion + 1})
    settings = config.settings.model_copy(update={"rules": rules})
    assert cache.digest(loaded, {**depends, "settings": settings}) != key
    with_lexicon = next(i for i in loaded if list(i.lexicons))
    table = with_lexicon.lexicons
    name = next(iter(table))
    entry = table.lexicons[name]
    lexicon, where = entry
    table.lexicons[name] = (lexicon.model_copy(update={"id": lexicon.id + "_x"}), where)
    try:
        assert cache.digest(loaded, depends) != key
    finally:
        table.lexicons[name] = entry
    assert cache.digest(loaded, depends) == key


def test_canonical_form_sorts_sets_and_refers_to_shared_objects():
    assert cache.canonical({"b", "a", "c"}) == cache.canonical({"c", "b", "a"}) == ["set", ["a", "b", "c"]]
    assert cache.canonical({2: "x", 1: "y"}) == cache.canonical({1: "y", 2: "x"})
    shared = {"k": [1, 2]}
    assert cache.canonical([shared, shared]) == [["dict", [["k", [1, 2]]]], ["same", 1]]
    with pytest.raises(TypeError, match="cannot key"):
        cache.canonical(object())


def test_an_unreadable_entry_is_compiled_again_and_rewritten(folder):
    load()
    (entry,) = entries(folder)
    entry.write_bytes(entry.read_bytes()[:1000])  # a run killed mid-write would leave no such file; a disk might
    nlp = load()
    assert len(nlp.get_pipe("claimx_rules").rules) > 0
    assert entry.stat().st_size > 1000
    foreign = (cache.FORMAT + 1, entry.name, None)
    import pickle

    entry.write_bytes(pickle.dumps(foreign))
    assert cache.read(entry.name[len("rules-") : -len(".pickle")]) is None


def test_a_folder_that_cannot_be_written_means_compiling(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CLAIMX_CACHE_DIR", str(blocker / "cache"))
    assert len(load().get_pipe("claimx_rules").rules) > 0
    assert cache.write("k", 1) is False


def test_turned_off_nothing_is_written(folder, monkeypatch):
    monkeypatch.setenv("CLAIMX_NO_CACHE", "1")
    assert cache.folder() is None
    load()
    assert not folder.exists()


def test_default_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("CLAIMX_CACHE_DIR", raising=False)
    monkeypatch.delenv("CLAIMX_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.folder() == tmp_path / "claimx"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache.folder() == Path.home() / ".cache" / "claimx"


def test_only_the_newest_entries_are_kept(folder, monkeypatch):
    monkeypatch.setattr(cache, "KEEP", 3)
    for i in range(5):
        assert cache.write(f"k{i}", i)
        os.utime(folder / f"rules-k{i}.pickle", (1000 + i, 1000 + i))
    assert [p.name for p in entries(folder)] == ["rules-k2.pickle", "rules-k3.pickle", "rules-k4.pickle"]
    assert cache.read("k3") == 3 and cache.read("k0") is None
    assert not list(folder.glob(".tmp-*"))
