"""Every error and warning claimx reports, with a stable code.

Codes are part of the output contract: error records and record warnings carry
them, tests match on them, and users can grep for them. Messages take
``{placeholders}`` filled with :func:`ErrorCode.format`.
"""

from __future__ import annotations

from enum import Enum, IntEnum


class ExitCode(IntEnum):
    """What a claimx command's exit status means (the README's exit-code table)."""

    OK = 0  # every document gave a record / no differences
    DOCUMENT_ERRORS = 1  # the run finished, some documents gave error records (or check found differences)
    USAGE = 2  # bad arguments, settings or rules: nothing was read, nothing written
    RUN_FAILED = 3  # the run could not finish: I/O error, disk full, lock held, engine unreachable
    INTERRUPTED = 130  # stopped by Ctrl-C or SIGTERM; a run with an output file resumes with --resume


class Errors(str, Enum):
    # Configuration and rule files (fatal at start-up, exit code 2).
    E001 = "{path}:{line}: {message}"
    E002 = "{path}: cannot read configuration: {message}"
    E003 = "unknown rule pack {pack!r}; available: {available}"
    E004 = "input path does not exist: {path}"
    # A run that could not finish (exit code 3): I/O, internal error, the output lock, a dying worker.
    E010 = "{path}: {message}"
    E011 = "internal error: {message} (set CLAIMX_DEBUG=1 to see the traceback)"
    E012 = "another claimx run is writing {output} (it holds {lock}); wait for it to finish or choose another output"
    E017 = (
        "a worker process died while extracting batch {index} (documents {first} to {last}), "
        "e.g. killed by the system for lack of memory{hint}"
    )
    # What -o may be (exit code 2, before anything is read).
    E013 = "output {path} is a directory; give a file name"
    E014 = "output {path} is also an input ({input}); write it somewhere else"
    E015 = "the output and the errors file are the same file: {path}"
    E016 = "--resume needs a regular output file: {path} is a device or FIFO, written as records come, without shards"
    # Settings, pipeline config and rule files (exit code 2).
    E030 = "{path}: is {kind}, not a regular file; a settings or rule file must be a file"
    E031 = "{path}: {size} bytes, more than the {limit} a settings or rule file may have"
    E032 = "{path}: refused variables: {message}"  # a pipeline .cfg whose ${...} variables expand too far
    E033 = "{path}: unknown {what} {name!r}{hint}"
    E034 = "no rule pack in {folder}: packs = null runs every pack there, and there is none"
    # Files read by eval, check, gold, report, table and rules stats (exit code 2; nothing is written).
    # (Placeholders differ from E001/E010 on purpose: equal texts would make these codes aliases.)
    E050 = "{path}:{line}: {problem}"
    E051 = "{path}:{line}: not an `eval -o` JSON file: {problem}"
    E052 = "{path}: {reason}"
    E053 = "{path}:{line}: {reason}"  # a line that is not UTF-8, not JSON or not an object (before any model is read)
    E054 = "{path}: cannot read the file: {message}"
    # A command's arguments that do not fit its inputs (exit code 2; nothing is written).
    E090 = "unknown field(s) {fields} or format {fmt!r}"
    E091 = "check compares claimx records; use `claimx eval` for span annotations"
    E092 = "no pack.yaml under {paths}"
    E093 = "no doc_id is in both PRED and GOLD"
    # The Dask engine (E070, E072, E073: exit code 3; E071, E074: exit code 2).
    E070 = "cannot reach the Dask scheduler at {address} (gave up after {seconds} s; --scheduler-timeout sets the wait)"
    E071 = "--engine dask needs Dask: pip install 'claimx[dask]' ({message})"
    E072 = "the Dask cluster failed during the run: {message}"
    E073 = (
        "{folder}: the workers wrote {expected} shard(s), {found} are visible here; "
        "the output must be on a file system the driver and every worker share"
    )
    E074 = "--engine dask: {message}"
    # Documents (an error record each; the batch goes on). E119: exit code 3.
    E101 = "{source}: not a text document ({reason})"
    E102 = "{source}: invalid JSON: {message}"
    E103 = "{source}: JSONL record is not an object"
    E104 = "{source}: field {field!r} is missing, empty or not a string"
    E105 = "{source}: cannot read file: {message}"
    E106 = "{source}: unsupported input format {suffix!r} (use --format to force one)"
    E107 = "{source}: broken gzip stream: {message}"
    E108 = "{source}: the document is empty"
    E109 = "{source}: duplicate doc_id {doc_id!r} (first seen at {first})"
    E115 = "{source}: larger than input.max_bytes ({limit} bytes, counted after decompression); not read"
    E116 = "{source}: not a regular file ({kind}); not opened"
    E117 = "{source}: symbolic link to {target}, outside the input folder {root}; not followed (use --follow-links)"
    E118 = "{source}: processing took longer than input.max_seconds ({seconds:g} s); stopped"
    E119 = "cannot keep the index of doc_ids: {message}"
    E120 = "{source}: HTML page with text, but none could be read from its markup: {reason}"
    E199 = "{source}: internal error while processing the document: {message}"
    # Warnings inside a record: W0xx reading the input, W1xx sections, W2xx citation markers,
    # W3xx gold records made from span annotations (`claimx gold import`).
    W001 = "text is not valid UTF-8 ({reason}); decoded as {encoding}"
    W002 = "field {field!r} holds {count} lone surrogate escape(s) (\\ud800-\\udfff), each replaced by U+FFFD"
    W003 = "HTML page: JSON-LD block {number} is not valid JSON ({message}, line {line}); skipped"
    W101 = "section numbering jumps from {previous} to {number} at offset {offset}"
    W102 = "numbered line {number}. at offset {offset} does not continue the numbering ({previous}); kept as text"
    W103 = "no title, summary or numbered section was recognised"
    W104 = "meta line at offset {offset} ({rule}): date {text!r} is in none of the rule's date_formats"
    W201 = "bracket {text!r} at offset {offset} looks like a citation marker but is not valid: {reason}"
    W301 = "annotated span {start}-{end}: {reason}"

    def format(self, **kwargs: object) -> str:
        return self.value.format(**kwargs)


def at(path: object, line: int) -> str:
    """The ``path:line`` of a place in a file, as every message that names a line writes it."""
    return f"{path}:{line}"


def _location(loc: tuple) -> str:
    """pydantic's ``("spans", 0, "end")`` as ``spans[0].end``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f"{'.' if out else ''}{part}"
    return out


def validation_problems(exc, hint=None) -> list[str]:
    """One readable line per problem of a pydantic ``ValidationError``: ``spans[0].end: Field required``.

    ``hint(error)``, when given, may replace the message of one error (a near-miss
    suggestion for an unknown key, say); it returns None to keep pydantic's.
    """
    out = []
    for err in exc.errors(include_url=False):
        msg = (hint and hint(err)) or err["msg"].removeprefix("Value error, ")
        where = _location(err["loc"])
        out.append(f"{where}: {msg}" if where else msg)
    return out


class ClaimxError(Exception):
    """An error that carries a code from :class:`Errors`."""

    def __init__(self, code: Errors, **kwargs: object) -> None:
        self.code = code.name
        self.message = code.format(**kwargs)
        super().__init__(f"[{self.code}] {self.message}")

    def __reduce__(self):
        # Sent between processes (workers, Dask) as its code and message.
        return _rebuild, (type(self), self.code, self.message)


def _rebuild(cls: type[ClaimxError], code: str, message: str) -> ClaimxError:
    err = cls.__new__(cls)
    Exception.__init__(err, f"[{code}] {message}")
    err.code, err.message = code, message
    return err


class ConfigError(ClaimxError):
    """A settings, rule, record or annotation file is invalid, or the arguments do not fit it: exit code 2.

    Raised before any document is read or anything is written."""


class RunError(ClaimxError):
    """The run could not finish (I/O error, disk full, lock held, engine unreachable): exit code 3."""


class DocumentError(ClaimxError):
    """One document cannot be processed; it becomes an error record."""
