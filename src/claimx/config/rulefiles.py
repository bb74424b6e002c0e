"""Load JSONL rule files into validated pydantic models, reporting ``path:line``."""

from __future__ import annotations

import itertools
import json
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ..errors import ConfigError, Errors, at, validation_problems
from .regexguard import slow_regex_tree

M = TypeVar("M", bound=BaseModel)

RULE_ID = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$"


def slow_regex(pattern: str) -> str | None:
    """Why ``pattern`` may backtrack catastrophically, or None.

    On a long line Python's backtracking engine can take exponential time on a
    repeated group whose text splits in many ways (``(a+)+``, ``(?:\\w+){1,1000}``,
    ``(a|aa)+``, ``(.*a){12}``), and one rule would stall a whole batch; such
    patterns are refused when rules are loaded (:mod:`claimx.config.regexguard` says why).
    """
    return slow_regex_tree(pattern)


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


def checked_regex(value: str) -> str:
    """``value`` if it compiles and passes the slow-regex guard; ValueError saying why otherwise."""
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"pattern is not a valid regular expression: {exc}") from None
    if reason := slow_regex(value):
        raise ValueError(reason)
    return value


class RegexRule(Rule):
    """A rule whose pattern is a Python regular expression."""

    pattern: str

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        return checked_regex(value)

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern)


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


# Settings and rule files are small (the largest shipped one is ~60 KB); these bounds
# only stop a path naming a device, a FIFO or a huge file from hanging a run or
# filling memory before the first document is read.
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_LINE_CHARS = 1024 * 1024


def check_file(path: Path, limit: int = MAX_FILE_BYTES) -> None:
    """Refuse what is not a regular file of at most ``limit`` bytes, before opening it.

    A FIFO would block the open, a device or a huge file would be read without end.
    """
    try:
        info = path.stat()
    except OSError as exc:
        raise ConfigError(Errors.E002, path=path, message=exc.strerror or exc) from None
    if not stat.S_ISREG(info.st_mode):
        kind = (
            "a directory"
            if stat.S_ISDIR(info.st_mode)
            else "a device"
            if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
            else "a FIFO"
            if stat.S_ISFIFO(info.st_mode)
            else "a socket"
            if stat.S_ISSOCK(info.st_mode)
            else "not a file"
        )
        raise ConfigError(Errors.E030, path=path, kind=kind)
    if info.st_size > limit:
        raise ConfigError(Errors.E031, path=path, size=info.st_size, limit=limit)


def read_config_text(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """The text of a settings, manifest or pipeline file, read with a size bound."""
    check_file(path, limit)
    try:
        with path.open(encoding="utf-8") as fh:
            text = fh.read(limit + 1)
    except UnicodeDecodeError as exc:
        raise ConfigError(Errors.E002, path=path, message=exc) from None
    except OSError as exc:
        raise ConfigError(Errors.E002, path=path, message=exc.strerror or exc) from None
    if len(text) > limit:  # it grew since stat
        raise ConfigError(Errors.E031, path=path, size=f"more than {limit}", limit=limit)
    return text


def read_yaml(path: Path):
    """The YAML of a settings file or ``pack.yaml`` (bounded as :func:`read_config_text`).

    A syntax error is E002 naming ``path:line``.
    """
    import yaml

    text = read_config_text(path)
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part) or str(exc)
        where = at(path, mark.line + 1 if mark else 1)
        raise ConfigError(Errors.E002, path=where, message=f"YAML syntax error: {message}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(Errors.E002, path=path, message=f"YAML error: {exc}") from None


def bounded_lines(fh, path: Path, limit: int = MAX_FILE_BYTES) -> Iterator[str]:
    """The lines of an open rule file; a line or a file past the bounds is a ``path:line`` error."""
    total = 0
    for lineno in itertools.count(1):
        line = fh.readline(MAX_LINE_CHARS + 1)
        if not line:
            return
        total += len(line)
        if len(line) > MAX_LINE_CHARS:
            raise ConfigError(
                Errors.E001,
                path=path,
                line=lineno,
                message=f"line longer than {MAX_LINE_CHARS} characters: not a rule file",
            )
        if total > limit:
            raise ConfigError(Errors.E031, path=path, size=f"more than {limit}", limit=limit)
        yield line


def report(problems: list[ConfigError] | None, error: ConfigError) -> None:
    """Raise ``error``, or, when collecting (``claimx rules check``), keep it and go on."""
    if problems is None:
        raise error
    problems.append(error)


def json_objects(
    numbered: Iterable[tuple[int, str]],
    error: Callable[[int, str], ConfigError],
    *,
    what: str | None = None,
    multiline: bool = False,
    comments: bool = False,
    problems: list[ConfigError] | None = None,
) -> Iterator[tuple[int, object]]:
    """(line number, value) for each JSON value of numbered lines: the loop every JSONL reader shares.

    Blank lines are skipped, and with ``comments`` lines starting with '#'. With
    ``multiline``, pretty-printed objects (see :func:`json_chunks`) are read too, each
    numbered by its first line; with ``what``, a value must be an object. A line that
    is not JSON (or not an object) is ``error(line, message)``, raised, or kept in
    ``problems`` while the next line is read (:func:`report`). The openers are
    :func:`read_objects` (rule files, bounded) and :func:`claimx.io.jsonl.read_jsonl`
    (record, annotation and verdict files).
    """
    for lineno, line in json_chunks(numbered) if multiline else numbered:
        if not line.strip() or (comments and line.lstrip().startswith("#")):
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            report(problems, error(json_error_line(lineno, exc), f"invalid JSON: {exc.msg}"))
            continue
        if what is not None and not isinstance(data, dict):
            report(problems, error(lineno, f"{what} must be a JSON object"))
            continue
        yield lineno, data


def read_objects(
    path: Path, *, what: str = "a line", problems: list[ConfigError] | None = None, limit: int = MAX_FILE_BYTES
) -> Iterator[tuple[int, dict]]:
    """(line number, object) for each JSON object line of a rule file; blank and '#' lines are skipped.

    The path must be a regular file of at most ``limit`` bytes with lines of at most
    :data:`MAX_LINE_CHARS`. Anything else raises :class:`ConfigError` (``E001`` naming
    ``path:line``); given a ``problems`` list, the error is kept there and the next line
    is read, so one run can list every problem of a file.
    """
    try:
        check_file(path, limit)
        fh = path.open(encoding="utf-8")
    except ConfigError as exc:
        report(problems, exc)
        return
    except OSError as exc:
        report(problems, ConfigError(Errors.E002, path=path, message=exc))
        return

    def error(line: int, message: str) -> ConfigError:
        return ConfigError(Errors.E001, path=path, line=line, message=message)

    with fh:
        try:
            numbered = enumerate(bounded_lines(fh, path, limit), 1)
            yield from json_objects(numbered, error, what=what, comments=True, problems=problems)
        except UnicodeDecodeError as exc:
            report(problems, ConfigError(Errors.E002, path=path, message=exc))


def read_rules(path: Path, model: type[M]) -> list[M]:
    """Read one rule per line; blank lines and lines starting with '#' are skipped.

    Any problem raises :class:`ConfigError` naming ``path:line``. Duplicate ids
    within the file are an error too.
    """
    return [rule for _, rule in read_rules_with_lines(path, model)]


def read_rules_with_lines(path: Path, model: type[M], problems: list[ConfigError] | None = None) -> list[tuple[int, M]]:
    """Like :func:`read_rules`, with each rule's line number (for later checks).

    Given ``problems``, every broken line is kept there and left out, and the rest is read.
    """
    rules: list[tuple[int, M]] = []
    seen: dict[str, int] = {}
    for lineno, data in read_objects(path, what="a rule", problems=problems, limit=MAX_FILE_BYTES):
        try:
            rule = model.model_validate(data)
        except ValidationError as exc:
            report(
                problems, ConfigError(Errors.E001, path=path, line=lineno, message="; ".join(validation_problems(exc)))
            )
            continue
        rule_id = getattr(rule, "id", None)
        if rule_id is not None:
            if rule_id in seen:
                report(
                    problems,
                    ConfigError(
                        Errors.E001,
                        path=path,
                        line=lineno,
                        message=f"duplicate rule id {rule_id!r} (first on line {seen[rule_id]})",
                    ),
                )
                continue
            seen[rule_id] = lineno
        rules.append((lineno, rule))
    return rules
