"""Find citation markers in raw text and expand their numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from ..config.settings import Config, MarkerRule
from ..errors import Errors


@dataclass(frozen=True, slots=True)
class Marker:
    start: int
    end: int
    text: str
    refs: tuple[int, ...]
    rule_id: str


@dataclass(frozen=True, slots=True)
class Rejected:
    """Bracketed numbers that match a marker form but make no sense as one."""

    start: int
    text: str
    reason: str

    def warning(self, offset: int = 0) -> tuple[str, str]:
        """The warning for a record, with the offset moved by ``offset``."""
        return "W201", Errors.W201.format(text=self.text, offset=self.start + offset, reason=self.reason)


class MarkerFinder:
    """Finds markers with the configured forms; built once per run."""

    def __init__(self, config: Config) -> None:
        layout = config.settings.layout
        self.min_ref, self.max_ref, self.max_range = layout.min_ref, layout.max_ref, layout.max_range
        self.rules: list[tuple[MarkerRule, re.Pattern[str], re.Pattern[str], re.Pattern[str]]] = [
            (r, r.regex, re.compile(r.list_separator), re.compile(r.range_separator)) for r in config.marker_rules
        ]

    @cached_property
    def any_marker(self) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{rule.pattern})".replace("(?P<refs>", "(?:") for rule, *_ in self.rules))

    def find(self, text: str) -> tuple[list[Marker], list[Rejected]]:
        """Markers in text order; where forms overlap the earliest, longest wins."""
        found: list[Marker] = []
        rejected: list[Rejected] = []
        taken: list[tuple[int, int]] = []
        for rule, regex, list_sep, range_sep in self.rules:
            for m in regex.finditer(text):
                if any(s < m.end() and m.start() < e for s, e in taken):
                    continue
                refs, reason = self._refs(m.group("refs"), list_sep, range_sep)
                if reason:
                    rejected.append(Rejected(m.start(), m.group(), reason))
                    continue
                taken.append((m.start(), m.end()))
                found.append(Marker(m.start(), m.end(), m.group(), refs, rule.id))
        found.sort(key=lambda mk: mk.start)
        rejected.sort(key=lambda r: r.start)
        return found, rejected

    def _refs(self, body: str, list_sep: re.Pattern[str], range_sep: re.Pattern[str]) -> tuple[tuple[int, ...], str]:
        refs: list[int] = []
        for item in list_sep.split(body):
            bounds = [b.strip() for b in range_sep.split(item)]
            if not all(b.isdigit() for b in bounds) or len(bounds) > 2:
                return (), f"cannot read {item.strip()!r} as a number or a range"
            lo, hi = int(bounds[0]), int(bounds[-1])
            if lo > hi:
                return (), f"range {lo}-{hi} runs backwards"
            if hi - lo >= self.max_range:
                return (), f"range {lo}-{hi} is longer than {self.max_range}"
            if lo < self.min_ref or hi > self.max_ref:
                return (), f"numbers must lie between {self.min_ref} and {self.max_ref}"
            refs.extend(range(lo, hi + 1))
        return tuple(refs), ""
