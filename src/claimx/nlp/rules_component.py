"""The ``claimx_rules`` component: tactic, actor, cue and quantity rules on one matcher.

Results go to span groups, each span labelled and carrying its rule id in
``span.id_``:

- ``doc.spans["tactics"]``: tactic mentions (label = tactic label), one label per
  span as the annotation guideline asks: of overlapping mentions the one whose
  rule has the higher ``priority`` wins, then the longer, then the earlier rule.
  Nested mentions of different tactics stand side by side on their own words
  ("multi-agency" + "stings"). A ``block`` rule's matches remove its label's
  mentions they overlap.
- ``doc.spans["actors"]``: actors (label = actor label), longest wins.
- ``doc.spans["hedges"]``: cues (label ``hedge`` or ``negation``), longest wins
  across both, so "not all" (a hedge) beats "not" (a negation).
- ``doc.spans["quantities"]``: ``span._.value`` (number or None) and ``span._.unit``.
- ``doc.spans["verdict_cues"]``: verdict cues (label = verdict class), longest wins
  across classes, less those a verdict ``block`` rule's matches overlap;
  ``claimx_verdicts`` picks the document's verdict among them.

A rule with ``head``, ``before`` or ``object`` has its match widened first
(:mod:`claimx.rules.extents`); ``span._.core`` then keeps the token range the pattern
itself matched, for ``claimx explain``.
"""

from __future__ import annotations

import bisect
from collections import defaultdict

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..config.settings import Config
from ..rules.matcher import longest_first
from ..rules.packs import CompiledRule, Loaded, RuleBuilder, load_cues, resolve_packs
from . import extensions as _extensions  # noqa: F401  (registers span._.value, .unit, .core)
from .units import CITATIONS, unit_index, unit_ranges

GROUPS = {"tactic": "tactics", "actor": "actors", "cue": "hedges", "quantity": "quantities", "verdict": "verdict_cues"}


class RuleMatcher:
    def __init__(self, nlp: Language, loaded: list[Loaded], config: Config) -> None:
        self.matcher, self.rules = RuleBuilder.for_pipeline(nlp, config).build_cached(loaded)
        self.by_order = [self.rules[item.rule.id] for item in loaded]
        self.widens = any(r.extent is not None for r in self.by_order)
        self.number_words = config.settings.rules.number_words
        self.multipliers = config.settings.rules.multipliers

    def __call__(self, doc: Doc) -> Doc:
        found: dict[tuple[str, str], list[tuple[int, int, int]]] = defaultdict(list)
        blocks: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        cores: dict[tuple[int, int, int], tuple[int, int]] = {}
        matches, bounds = self._matches(doc)
        is_marker = self._markers(doc) if self.widens else None
        widened = self._widen(doc, matches, bounds, is_marker)
        for (rule, _k, start, end), span in zip(matches, widened, strict=True):
            if span is None:
                continue
            item = rule.item
            # Tactics compete within a label; the other kinds compete across labels.
            key = (item.kind, item.label if item.kind == "tactic" else "")
            if getattr(item.rule, "block", False):
                blocks[key].append(span)
                continue
            triple = (*span, rule.order)
            found[key].append(triple)
            if span != (start, end):
                cores.setdefault(triple, (start, end))
        groups: dict[str, list[Span]] = {name: [] for name in GROUPS.values()}
        for (kind, label), spans in found.items():
            blocked = blocks.get((kind, label), ())
            spans = [t for t in spans if not any(s < t[1] and t[0] < e for s, e in blocked)]
            for triple in longest_first(spans):
                start, end, order = triple
                item = self.by_order[order].item
                span = Span(doc, start, end, label=item.label, span_id=item.rule.id)
                if triple in cores:
                    span._.core = list(cores[triple])
                if kind == "quantity":
                    span._.value, span._.unit = self._value(span), span[-1].lower_
                groups[GROUPS[kind]].append(span)
        groups["tactics"] = self._one_label(groups["tactics"])
        for name, spans in groups.items():
            doc.spans[name] = sorted(spans, key=lambda s: (s.start, s.end, s.label_))
        return doc

    def _matches(self, doc: Doc) -> tuple[list, list[tuple[int, int]]]:
        """(rule, unit, start, end) of each match inside one unit, and the units' token ranges."""
        strings = doc.vocab.strings
        unit, bounds = unit_index(doc), unit_ranges(doc)
        matches = []
        for match_id, start, end in self.matcher(doc):
            k = unit[start]
            if k < 0 or k != unit[end - 1]:
                continue  # a rule reads one title, heading or paragraph at a time
            rule = self.rules[strings[match_id]]
            matches.append((rule, k, start + rule.compiled.lead, end - rule.compiled.trail))
        return matches, bounds

    def _one_label(self, spans: list[Span]) -> list[Span]:
        """One label per span: of overlapping mentions of different labels, keep the higher
        priority, then the longer, then the one whose rule comes first."""
        rank = {s: (-self.rules[s.id_].item.rule.priority, -len(s), self.rules[s.id_].order) for s in spans}
        kept: list[Span] = []
        taken: set[int] = set()
        for span in sorted(spans, key=lambda s: rank[s]):
            if not taken.intersection(range(span.start, span.end)):
                kept.append(span)
                taken.update(range(span.start, span.end))
        return kept

    @staticmethod
    def _widen(doc: Doc, matches: list, bounds: list[tuple[int, int]], is_marker) -> list[tuple[int, int] | None]:
        """Each match's widened range (None: dropped).

        An object window stops where another tactic match begins. Frames are widened
        twice: first against the matches of the other rules, then also against the
        frames that survived, so that a frame whose requirements fail ("partners" read
        as a verb) does not cut another's window.
        """

        def mention(r) -> bool:
            return r.item.kind == "tactic" and not getattr(r.item.rule, "block", False)

        framed = [rule.extent is not None and rule.extent.object is not None for rule, *_ in matches]
        starts = frozenset(s for (r, _, s, _), f in zip(matches, framed, strict=True) if mention(r) and not f)
        first, reach = [], []
        for rule, k, start, end in matches:
            if rule.extent is None:
                first.append((start, end))
                reach.append((0, 0))
            else:
                span, a, b = rule.extent.widen_reach(doc, start, end, *bounds[k], is_marker, starts)
                first.append(span)
                reach.append((a, b))
        if not any(framed):
            return first
        # The second reading's starts hold the first's and the frames that survived: a match
        # is widened again only if one of those new starts falls where its window looked.
        again = frozenset(
            s for (r, _, s, _), span in zip(matches, first, strict=True) if mention(r) and span is not None
        )
        new = sorted(again - starts)
        out = list(first)
        for i, ((rule, k, start, end), (a, b)) in enumerate(zip(matches, reach, strict=True)):
            if a < b and (x := bisect.bisect_left(new, a)) < len(new) and new[x] < b:
                out[i] = rule.extent.widen(doc, start, end, *bounds[k], is_marker, again)
        return out

    @staticmethod
    def _markers(doc: Doc) -> list[bool]:
        is_marker = [False] * len(doc)
        for span in doc.spans.get(CITATIONS, []):
            is_marker[span.start : span.end] = [True] * (span.end - span.start)
        return is_marker

    def describe(self, span: Span) -> list[str]:
        """How a mention came about: the lexicons its words matched and how it was widened."""
        rule: CompiledRule | None = self.rules.get(span.id_)
        if rule is None:
            return []
        doc = span.doc
        start, end = span._.core or (span.start, span.end)
        out = []
        lead, trail = rule.compiled.lead, rule.compiled.trail
        found = self.matcher.alignments(doc, span.id_, start - lead, end + trail)
        if found is not None:
            pattern, align = found[0], found[1 + lead : len(found) - trail]
            origins = rule.compiled.origins[pattern]
            runs: list[list] = []  # [lexicon, first token, last token + 1]
            for i, pos in enumerate(align, start):
                name = origins[pos]
                if name and runs and runs[-1][0] == name and runs[-1][2] == i:
                    runs[-1][2] = i + 1
                elif name:
                    runs.append([name, i, i + 1])
            out += [f"@{name}: {doc[a:b].text!r}" for name, a, b in runs]
        names = rule.extent.names if rule.extent else {}
        if span.start < start:
            out.append(f"before @{names.get('before')}: {doc[span.start : start].text!r}")
        if end < span.end:
            part = "object" if "object" in names else "head"
            lexicon = f"@{names['head']}" if part == "head" else f"window {names['object']}"
            out.append(f"{part} {lexicon}: {doc[end : span.end].text!r}")
        return out

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
    from ..config.settings import load_config

    config = load_config(settings)
    if isinstance(packs, str):
        packs = [p.strip() for p in packs.split(",") if p.strip()]
    loaded = [item for pack in resolve_packs(config, packs) for item in pack.rules] + load_cues(config)
    return RuleMatcher(nlp, loaded, config)
