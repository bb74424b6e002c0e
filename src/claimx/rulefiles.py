"""Load JSONL rule files into validated pydantic models, reporting ``path:line``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from functools import cached_property
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from .errors import ConfigError, Errors

M = TypeVar("M", bound=BaseModel)

RULE_ID = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$"
# A quantified group whose body is itself unbounded, e.g. (a+)+ or (\w*\s?)*: on a long
# line Python's backtracking engine can take exponential time on such a pattern, and
# one rule would stall a whole batch. They are rejected when rules are loaded.
_NESTED = re.compile(r"\((?:[^()\\]|\\.)*(?<!\\)[+*](?:[^()\\]|\\.)*\)(?:[+*]|\{\d*,\})")


def slow_regex(pattern: str) -> str | None:
    """Why ``pattern`` may backtrack catastrophically, or None."""
    m = _NESTED.search(pattern)
    return f"nested unbounded repetition {m.group()!r} can take exponential time" if m else None


class Rule(BaseModel):
    """Fields every rule shares: a stable hand-written id and a note for readers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    note: str = ""

    @field_validator("id")
    @classmethod
    def _id_form(cls, value: str) -> str:
        if not re.match(RULE_ID, value):
            raise ValueError(f"rule id {value!r} must be dotted lower case, e.g. 'le.sting.001'")
        return value


class RegexRule(Rule):
    """A rule whose pattern is a Python regular expression."""

    pattern: str

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"pattern is not a valid regular expression: {exc}") from None
        if reason := slow_regex(value):
            raise ValueError(reason)
        return value

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern)


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"{where}: {msg}" if where else msg)
    return "; ".join(parts)


def json_chunks(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    """(first line number, text) of each JSON value in numbered ``lines``.

    A value is one line (JSONL), or a pretty-printed object: a line that is ``{``
    alone, up to the next line that is ``}`` alone (nested lines are indented). An
    unterminated object comes out as it is, so that parsing it reports the line.
    """
    block: list[str] | None = None
    first = 0
    for lineno, line in lines:
        if block is not None:
            block.append(line)
            if line.rstrip("\r\n") == "}":
                yield first, "".join(block)
                block = None
        elif line.strip() == "{":
            block, first = [line], lineno
        else:
            yield lineno, line
    if block is not None:
        yield first, "".join(block)


def json_error_line(first: int, exc: json.JSONDecodeError) -> int:
    """The file line of a parse error in a chunk that starts on line ``first``."""
    return first + exc.lineno - 1


def read_objects(path: Path, *, what: str = "a line", multiline: bool = False) -> Iterator[tuple[int, dict]]:
    """(line number, object) for each JSON object line; blank and '#' lines are skipped.

    With ``multiline``, pretty-printed objects (see :func:`json_chunks`) are read
    too, each numbered by its first line. Anything else raises :class:`ConfigError`
    naming ``path:line``.
    """
    try:
        fh = path.open(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(Errors.E002, path=path, message=exc) from None
    with fh:
        try:
            numbered = enumerate(fh, 1)
            for lineno, line in json_chunks(numbered) if multiline else numbered:
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ConfigError(Errors.E001, path=path, line=json_error_line(lineno, exc),
                                      message=f"invalid JSON: {exc.msg}") from None
                if not isinstance(data, dict):
                    raise ConfigError(Errors.E001, path=path, line=lineno, message=f"{what} must be a JSON object")
                yield lineno, data
        except UnicodeDecodeError as exc:
            raise ConfigError(Errors.E002, path=path, message=exc) from None


def read_rules(path: Path, model: type[M]) -> list[M]:
    """Read one rule per line; blank lines and lines starting with '#' are skipped.

    Any problem raises :class:`ConfigError` naming ``path:line``. Duplicate ids
    within the file are an error too.
    """
    return [rule for _, rule in read_rules_with_lines(path, model)]


def read_rules_with_lines(path: Path, model: type[M]) -> list[tuple[int, M]]:
    """Like :func:`read_rules`, with each rule's line number (for later checks)."""
    rules: list[tuple[int, M]] = []
    seen: dict[str, int] = {}
    for lineno, data in read_objects(path, what="a rule"):
        try:
            rule = model.model_validate(data)
        except ValidationError as exc:
            raise ConfigError(Errors.E001, path=path, line=lineno, message=_describe(exc)) from None
        rule_id = getattr(rule, "id", None)
        if rule_id is not None:
            if rule_id in seen:
                raise ConfigError(
                    Errors.E001, path=path, line=lineno,
                    message=f"duplicate rule id {rule_id!r} (first on line {seen[rule_id]})",
                )
            seen[rule_id] = lineno
        rules.append((lineno, rule))
    return rules
