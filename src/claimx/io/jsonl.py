"""The one reader of record, annotation and verdict files: (line number, value), errors naming ``path:line``.

Records, gold records (pretty-printed, :func:`claimx.records.schema.dumps_gold`), span
annotations, verdict gold and table rows are all read here. The loop over the lines
is :func:`claimx.config.rulefiles.json_objects`, which rule files share: config sits
below io (the readers here need the resolved settings), so the shared part lives there
and this module adds what a data file needs: no size bounds (a record may be megabytes),
a UTF-8 BOM on the first line, pretty-printed objects, and the record-file codes
(``E053`` for a line, ``E054`` for the file, ``E004`` for a missing path).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..config.rulefiles import json_objects
from ..errors import ConfigError, Errors


def read_jsonl(path: Path, *, what: str | None = None, comments: bool = False) -> Iterator[tuple[int, object]]:
    """(line number, value) for each JSON value of ``path``, read lazily.

    A value is one non-blank line, or a pretty-printed object numbered by its first
    line. With ``what`` (``"a record"``), each value must be an object; with
    ``comments``, lines starting with '#' are skipped. A line that is not UTF-8, not
    JSON or not an object raises :class:`ConfigError` ``E053`` naming ``path:line``; a
    file that cannot be read, ``E054``; a path that does not exist, ``E004``.
    """
    if not path.exists():
        raise ConfigError(Errors.E004, path=path)

    def error(line: int, reason: str) -> ConfigError:
        return ConfigError(Errors.E053, path=path, line=line, reason=reason)

    def decoded(fh) -> Iterator[tuple[int, str]]:
        for lineno, raw in enumerate(fh, 1):
            try:
                yield lineno, raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise error(lineno, f"not UTF-8: {exc.reason}") from None

    try:
        with path.open("rb") as fh:
            yield from json_objects(decoded(fh), error, what=what, multiline=True, comments=comments)
    except OSError as exc:
        raise ConfigError(Errors.E054, path=path, message=exc.strerror or exc) from None
