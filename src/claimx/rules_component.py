"""The ``claimx_rules`` component: tactic, actor, cue and quantity rules on one Matcher.

Results go to span groups, each span labelled and carrying its rule id in
``span.id_``:

- ``doc.spans["tactics"]``: tactic mentions (label = tactic label). Overlapping
  mentions of *different* labels are all kept; for one label the longest wins.
- ``doc.spans["actors"]``: actors (label = actor label), longest wins.
- ``doc.spans["hedges"]``: cues (label ``hedge`` or ``negation``), longest wins
  across both, so "not all" (a hedge) beats "not" (a negation).
- ``doc.spans["quantities"]``: ``span._.value`` (number or None) and ``span._.unit``.
"""

from __future__ import annotations

from collections import defaultdict

from spacy.language import Language
from spacy.tokens import Doc, Span

from .components import unit_index
from .packs import Loaded, build_matcher, load_cues, resolve_packs

GROUPS = {"tactic": "tactics", "actor": "actors", "cue": "hedges", "quantity": "quantities"}

for _name in ("value", "unit"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)


def longest_first(spans: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Keep non-overlapping (start, end, order) triples: longest, then earliest, then first rule."""
    kept: list[tuple[int, int, int]] = []
    taken = set()
    for start, end, order in sorted(spans, key=lambda s: (s[0] - s[1], s[0], s[2])):
        if not any(i in taken for i in range(start, end)):
            kept.append((start, end, order))
            taken.update(range(start, end))
    return sorted(kept)


class RuleMatcher:
    def __init__(self, nlp: Language, loaded: list[Loaded], *, hyphens: list[str],
                 number_words: dict[str, float], multipliers: dict[str, float]) -> None:
        lemma = nlp.get_pipe("claimx_lemmatizer").lemma
        self.rules = {item.rule.id: (order, item) for order, item in enumerate(loaded)}
        self.matcher = build_matcher(nlp.vocab, loaded, nlp.make_doc, lemma, hyphens)
        self.by_order = list(loaded)
        self.number_words = number_words
        self.multipliers = multipliers

    def __call__(self, doc: Doc) -> Doc:
        found: dict[tuple[str, str], list[tuple[int, int, int]]] = defaultdict(list)
        strings = doc.vocab.strings
        unit = unit_index(doc)
        for match_id, start, end in self.matcher(doc):
            if unit[start] < 0 or unit[start] != unit[end - 1]:
                continue  # a rule reads one title, heading or paragraph at a time
            order, item = self.rules[strings[match_id]]
            # Tactics compete within a label; the other kinds compete across labels.
            key = (item.kind, item.label if item.kind == "tactic" else "")
            found[key].append((start, end, order))
        groups: dict[str, list[Span]] = {name: [] for name in GROUPS.values()}
        for (kind, _), spans in found.items():
            for start, end, order in longest_first(spans):
                item = self.by_order[order]
                span = Span(doc, start, end, label=item.label, span_id=item.rule.id)
                if kind == "quantity":
                    span._.value, span._.unit = self._value(span), span[-1].lower_
                groups[GROUPS[kind]].append(span)
        for name, spans in groups.items():
            doc.spans[name] = sorted(spans, key=lambda s: (s.start, s.end, s.label_))
        return doc

    def _value(self, span: Span) -> float | int | None:
        for i, tok in enumerate(span):
            if not tok.like_num:
                continue
            raw = tok.text.replace(",", "")
            try:
                value = float(raw)
            except ValueError:
                value = self.number_words.get(tok.lower_)
                if value is None:
                    return None
            if i + 1 < len(span) and span[i + 1].lower_ in self.multipliers:
                value *= self.multipliers[span[i + 1].lower_]
            return int(value) if float(value).is_integer() else value
        return None


@Language.factory("claimx_rules", default_config={"settings": None, "packs": None})
def make_rules(nlp: Language, name: str, settings: str | None, packs: list[str] | str | None) -> RuleMatcher:
    """``packs``: pack names or folders (a comma-separated string too, as a CLI override gives); null: every pack."""
    from .settings import load_config

    config = load_config(settings)
    if isinstance(packs, str):
        packs = [p.strip() for p in packs.split(",") if p.strip()]
    loaded = [item for pack in resolve_packs(config, packs) for item in pack.rules] + load_cues(config)
    s = config.settings
    return RuleMatcher(nlp, loaded, hyphens=["-", *s.tokenizer.extra_hyphens],
                       number_words=s.rules.number_words, multipliers=s.rules.multipliers)
