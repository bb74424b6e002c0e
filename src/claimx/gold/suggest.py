"""Candidate rules from what the rules missed: ``claimx rules suggest PRED GOLD``.

Missed gold mentions (overlap mode) are grouped by label and by a lemma they
share: their head (last content word) or their modifier (first content word).
Groups are taken largest first, each miss counted once. For each group a
pattern is proposed (a phrase for one-word mentions, a token pattern with the
group's modifiers or heads as a LEMMA set otherwise), compiled the way the
pipeline compiles rules, and measured:

- ``recovered``: missed gold mentions of the label it would overlap;
- ``new_dev``: its matches on the scored documents that overlap no gold mention
  and no prediction of the label (false positives it would add there);
- ``new_corpus``: its matches on a corpus that overlap no prediction of the
  label (mentions it would add; read them before adopting the rule).

Suggestions are printed for a person to judge; nothing is written into packs.
Function words are those of the shared ``np_break`` lexicon.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.matcher import Matcher

from ..records.schema import Record
from ..rules.packs import RuleBuilder, shared_lexicons
from .evaluate import Item, missed

FUNCTION_WORDS = "np_break"


@dataclass
class Suggestion:
    label: str
    group: str  # "head 'quote'" or "modifier 'fake'"
    pattern: str | list[dict]  # what to put in a rule's "pattern"
    misses: list[Item] = field(default_factory=list)
    recovered: int = 0
    new_dev: int = 0
    new_corpus: int = 0

    def rule_line(self, pack_prefix: str = "xx") -> str:
        """The suggestion as a rule line; its id is a placeholder to replace with a real one."""
        word = re.sub(r"[^a-z0-9_]+", "_", self.group.split(" ", 1)[1].strip("'").lower()).strip("_") or "x"
        rid = f"{pack_prefix}.{self.label.lower()}.suggested_{word}"
        return json.dumps(
            {
                "id": rid,
                "label": self.label,
                "pattern": self.pattern,
                "note": f"Suggested from {len(self.misses)} missed mention(s) sharing the {self.group}.",
            },
            ensure_ascii=False,
        )


class Suggester:
    def __init__(self, nlp, config) -> None:
        self.nlp = nlp
        self.builder = RuleBuilder.for_pipeline(nlp, config)
        lexicons = shared_lexicons(config)
        self.compiler = self.builder.compiler(lexicons)
        self.function = self.compiler.word_set(FUNCTION_WORDS) if FUNCTION_WORDS in lexicons else None
        self.base = getattr(nlp.tokenizer, "base", nlp.tokenizer)
        self.lemma = nlp.get_pipe("claimx_lemmatizer").lemma

    def content_lemmas(self, text: str) -> list[str]:
        words = [t for t in self.base(text) if not t.is_space and not t.is_punct]
        return [
            self.lemma(t.text)
            for t in words
            if self.function is None or t.lower_ not in self.function.values.get("LOWER", ())
        ]

    def groups(self, misses: list[Item]) -> list[Suggestion]:
        """Largest groups first; a miss belongs to the first group that takes it."""
        candidates: dict[tuple[str, str, str], list[tuple[Item, list[str]]]] = defaultdict(list)
        for item in misses:
            lemmas = self.content_lemmas(item.text)
            if not lemmas:
                continue
            candidates[(item.label, "head", lemmas[-1])].append((item, lemmas))
            if len(lemmas) > 1:
                candidates[(item.label, "modifier", lemmas[0])].append((item, lemmas))
        taken: set[Item] = set()
        out: list[Suggestion] = []
        while candidates:
            key = min(candidates, key=lambda k: (-len(candidates[k]), k[1] != "head", k))
            members = [(i, lem) for i, lem in candidates.pop(key) if i not in taken]
            if not members:
                continue
            label, kind, lemma = key
            taken.update(i for i, _ in members)
            out.append(
                Suggestion(
                    label,
                    f"{kind} '{lemma}'",
                    self.pattern(kind, lemma, [lem for _, lem in members]),
                    [i for i, _ in members],
                )
            )
            for k in list(candidates):
                candidates[k] = [(i, lem) for i, lem in candidates[k] if i not in taken]
                if not candidates[k]:
                    del candidates[k]
        return out

    @staticmethod
    def pattern(kind: str, lemma: str, members: list[list[str]]) -> str | list[dict]:
        if all(len(m) == 1 for m in members):
            return lemma
        if kind == "head":
            mods = sorted({m[-2] for m in members if len(m) > 1})
            modifier: dict = {"LEMMA": {"IN": mods}}
            if any(len(m) == 1 for m in members):
                modifier["OP"] = "?"
            return [modifier, {"LEMMA": lemma}]
        heads = sorted({m[-1] for m in members if len(m) > 1})
        return [{"LEMMA": lemma}, {"LEMMA": {"IN": heads}}]

    def measure(
        self,
        suggestions: list[Suggestion],
        scored: dict[str, tuple[Record, list[Item]]],
        all_misses: list[Item],
        corpus_texts: Iterable[str],
    ) -> None:
        """Fill recovered / new_dev / new_corpus for each suggestion."""
        matchers = []
        for s in suggestions:
            matcher = Matcher(self.nlp.vocab)
            matcher.add("s", self.compiler.compile(s.pattern).patterns)
            matchers.append(matcher)
        misses_by_doc: dict[str, list[Item]] = defaultdict(list)
        for m in all_misses:
            misses_by_doc[m.doc_id].append(m)
        for doc_id, (record, gold) in scored.items():
            doc = self.nlp(record.text or "")
            preds = [(t.start_char, t.end_char, t.label_) for t in doc.spans["tactics"]]
            for s, matcher in zip(suggestions, matchers, strict=True):
                spans = [(doc[a:b].start_char, doc[a:b].end_char) for _, a, b in matcher(doc)]
                hit = {
                    m
                    for m in misses_by_doc.get(doc_id, ())
                    if m.label == s.label and any(a < m.end and m.start < b for a, b in spans)
                }
                s.recovered += len(hit)
                s.new_dev += sum(
                    1
                    for a, b in spans
                    if not any(g.label == s.label and a < g.end and g.start < b for g in gold)
                    and not any(lab == s.label and a < pe and ps < b for ps, pe, lab in preds)
                )
        for text in corpus_texts:
            doc = self.nlp(text)
            preds = [(t.start, t.end, t.label_) for t in doc.spans["tactics"]]
            for s, matcher in zip(suggestions, matchers, strict=True):
                s.new_corpus += sum(
                    1
                    for _, a, b in matcher(doc)
                    if not any(lab == s.label and a < pe and ps < b for ps, pe, lab in preds)
                )


def suggest(
    nlp,
    config,
    pred: dict[str, Record],
    gold: dict[str, list[Item]],
    pred_items: dict[str, list[Item]],
    corpus_texts: Iterable[str] = (),
    *,
    labels: set[str] | None = None,
    min_group: int = 1,
) -> list[Suggestion]:
    """Suggestions for the gold mentions ``pred`` missed, measured on ``pred``'s texts and a corpus."""
    all_p = [i for items in pred_items.values() for i in items]
    all_g = [i for items in gold.values() for i in items]
    frame = missed(all_p, all_g, "overlap")
    misses = [
        Item(r.doc_id, r.start, r.end, r.label, "", r.text)
        for r in frame.itertuples(index=False)
        if labels is None or r.label in labels
    ]
    suggester = Suggester(nlp, config)
    found = [s for s in suggester.groups(misses) if len(s.misses) >= min_group]
    scored = {d: (pred[d], gold.get(d, [])) for d in pred if d in gold}
    suggester.measure(found, scored, misses, corpus_texts)
    return sorted(found, key=lambda s: (-s.recovered, s.new_dev + s.new_corpus, s.label, s.group))
