"""The ``claimx_verdicts`` component: what a fact-check concludes, and the claim it checks.

``claimx_rules`` finds verdict cues (``doc.spans["verdict_cues"]``, label = the
verdict class, from ``rules.verdicts``). This component keeps the cues that count
and picks one:

- a cue counts where its rule allows: in the section kinds the rule names (or the
  settings' ``verdicts.sections``), within the first ``verdicts.sentences``
  sentences of its section, at the start of its sentence for a ``start`` rule, as
  its whole line for a ``whole`` rule (a printed rating), and not right after a
  negation cue when the rule is ``negatable`` ("not misleading");
- a ``block`` rule's phrase ("spreading misleading posts") rates nothing: ``claimx_rules``
  has already removed the cues it overlaps, as for a pack's block rule;
- of the cues that count, a *decisive* one (priority at least ``verdicts.decisive``:
  a printed rating line, an open-question title) wins, the higher priority first;
  otherwise a cue in the paragraph after a verdict heading ("Conclusion", "Our
  ruling") comes first, then cues by section kind in the order of
  ``verdicts.sections``, then the earlier sentence; within one sentence the higher
  priority wins, then the earlier cue.

Results, both from span groups (so a later component can change them):

- ``doc.spans["verdict"]``: none or one span, label = class, ``span.id_`` = rule id;
- ``doc.spans["claim_reviewed"]``: none or one span, the title without its prefix (the
  claim or question the article checks), ``span.id_`` = the line rule that found it.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..config.settings import Config, VerdictSettings
from .units import SECTIONS, UNITS

CUES, VERDICT, CLAIM_REVIEWED = "verdict_cues", "verdict", "claim_reviewed"
# The rating scale, best to worst; "none": the article rates no claim.
SCALE = ("true", "partly_true", "misleading", "false", "unsupported", "none")


class Verdicts:
    def __init__(self, nlp: Language, settings: VerdictSettings, rules: dict) -> None:
        self.settings = settings
        self.nlp = nlp
        self._rules = rules

    @property
    def rules(self) -> dict:
        """Verdict rules by id (those ``claimx_rules`` compiled)."""
        if self._rules is None:
            matcher = self.nlp.get_pipe("claimx_rules") if "claimx_rules" in self.nlp.pipe_names else None
            self._rules = (
                {rid: r.item.rule for rid, r in matcher.rules.items() if r.item.kind == "verdict"} if matcher else {}
            )
        return self._rules

    def __call__(self, doc: Doc) -> Doc:
        sections = list(doc.spans[SECTIONS]) if SECTIONS in doc.spans else []
        units = list(doc.spans[UNITS]) if UNITS in doc.spans else [doc[:]]
        doc.spans[VERDICT] = [c for c in [self.choose(doc, sections, units)] if c is not None]
        doc.spans[CLAIM_REVIEWED] = [span for span in [_claim(doc)] if span is not None]
        return doc

    def choose(self, doc: Doc, sections: list[Span], units: list[Span]) -> Span | None:
        cfg = self.settings
        order = cfg.sections
        negations = [n for n in doc.spans.get("hedges", []) if n.label_ == "negation"]
        cues = [(cue, self.rules.get(cue.id_)) for cue in doc.spans.get(CUES, [])]
        cues = [(cue, rule, _around(units, cue)) for cue, rule in cues if rule is not None]
        after_heading = {
            _next(units, unit)
            for cue, rule, unit in cues
            if rule.heading and unit is not None and _whole(doc, cue, unit)
        }
        best, best_key = None, None
        for cue, rule, unit in cues:
            section = _around(sections, cue)
            if rule.heading or section is None or unit is None or unit.label_ == "heading":
                continue  # a section heading names a topic ("Missing context"), not a conclusion
            if section.label_ not in (rule.sections or order) or section.label_ not in order:
                continue
            sent = cue.sent
            announced = unit.start in after_heading
            if not announced and _sentence_number(section, sent) >= cfg.sentences:
                continue
            if not rule.questions and _last_text(sent) in cfg.question_marks:
                continue
            if rule.start and not _only_punct(doc, sent.start, cue.start):
                continue
            if rule.whole and not _whole(doc, cue, unit):
                continue
            if rule.negatable and any(
                sent.start <= n.start and n.end <= cue.start and cue.start - n.end <= cfg.negation_window
                for n in negations
            ):
                continue
            decisive = rule.priority if rule.priority >= cfg.decisive else cfg.decisive - 1
            key = (-decisive, not announced, order.index(section.label_), sent.start, -rule.priority, cue.start)
            if best_key is None or key < best_key:
                best, best_key = cue, key
        if best is None:
            return None
        return Span(doc, best.start, best.end, label=best.label_, span_id=best.id_)


def _claim(doc: Doc) -> Span | None:
    """The title's text without its prefix and markup (the heading part of the title section)."""
    sections = doc.spans.get(SECTIONS, ())
    title = next((s for s in sections if s.label_ == "title" and s._.heading_start is not None), None)
    if title is None:
        return None
    span = doc.char_span(title._.heading_start, title._.heading_end, label="claim", alignment_mode="expand")
    if span is not None:
        span.id_ = title.id_
    return span


def _around(spans: list[Span], inner: Span) -> Span | None:
    return next((s for s in spans if s.start <= inner.start and inner.end <= s.end), None)


def _next(units: list[Span], unit: Span) -> int | None:
    """The first token of the unit after ``unit``."""
    return next((u.start for u in units if u.start >= unit.end), None)


def _whole(doc: Doc, cue: Span, unit: Span) -> bool:
    """Whether ``cue`` is its unit's whole text, punctuation aside."""
    return _only_punct(doc, unit.start, cue.start) and _only_punct(doc, cue.end, unit.end)


def _last_text(sent: Span) -> str:
    """The sentence's last token that is not white space or a closing quote/bracket."""
    for tok in reversed(sent):
        if not (tok.is_space or tok.is_quote or tok.is_right_punct):
            return tok.text
    return ""


def _sentence_number(section: Span, sent: Span) -> int:
    """How many sentences of ``section`` come before ``sent``."""
    return sum(1 for tok in section.doc[section.start : sent.start] if tok.is_sent_start)


def _only_punct(doc: Doc, start: int, end: int) -> bool:
    return all(tok.is_punct or tok.is_space or tok.is_quote for tok in doc[start:end])


@Language.factory("claimx_verdicts", default_config={"settings": None})
def make_verdicts(nlp: Language, name: str, settings: str | None) -> Verdicts:
    """Reads the verdict rules of the ``claimx_rules`` component before it in the pipeline."""
    from ..config.settings import load_config

    config: Config = load_config(settings)
    return Verdicts(nlp, config.settings.verdicts, None)
