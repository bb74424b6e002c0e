"""The typer app. Each command lives in its own module and calls a library function."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager

import typer
import typer.exceptions

from ..errors import ClaimxError, Errors, ExitCode, RunError


@contextmanager
def handled() -> Iterator[None]:
    """Turn claimx errors, I/O errors and crashes into one ``claimx: error:`` line and an exit code.

    ConfigError -> 2, RunError and OSError -> 3, Ctrl-C -> 130; anything else is an
    internal error (exit 3) whose traceback ``CLAIMX_DEBUG=1`` shows.
    """
    try:
        yield
    except (typer.Exit, typer.Abort, typer.exceptions.TyperException, SystemExit):
        raise  # typer's own usage errors and exits
    except ClaimxError as exc:
        fail(exc)
    except KeyboardInterrupt:
        typer.echo("claimx: interrupted", err=True)
        raise typer.Exit(ExitCode.INTERRUPTED) from None
    except OSError as exc:
        where = exc.filename if exc.filename is not None else "claimx"
        fail(RunError(Errors.E010, path=where, message=exc.strerror or exc))
    except Exception as exc:  # noqa: BLE001 - a last resort: never a bare traceback
        if os.environ.get("CLAIMX_DEBUG"):
            raise
        fail(RunError(Errors.E011, message=repr(exc)))


class Typer(typer.Typer):
    """typer.Typer whose commands run inside :func:`handled` (every command, every group)."""

    def command(self, *args, **kwargs):
        register = super().command(*args, **kwargs)

        def decorator(fn):
            @functools.wraps(fn)
            def guarded(*a, **k):
                with handled():
                    return fn(*a, **k)

            register(guarded)
            return fn

        return decorator


app = Typer(
    name="claimx",
    help="Turn fact-check articles into sections, citation markers and tactic claims.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help texts are plain: "[default: ...]" must stay visible
)

Arg = typer.Argument
Opt = typer.Option


def _print_version(value: bool) -> None:
    if value:
        from ..about import __version__

        typer.echo(f"claimx {__version__}")
        raise typer.Exit(ExitCode.OK)


@app.callback()
def _options(
    version: bool = Opt(False, "--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Turn fact-check articles into sections, citation markers and tactic claims."""


# Commands that build the pipeline take spaCy-style dotted config overrides
# (`--rules.packs law_enforcement`) after their own arguments.
OVERRIDES = {"allow_extra_args": True, "ignore_unknown_options": True}
CONFIG_HELP = "Pipeline config (.cfg) or settings file (.yaml) [default: the packaged configs/claimx.cfg]."


def split_overrides(args: list[str]) -> tuple[list[str], dict]:
    """Separate ``--section.key value`` (or ``--section.key=value``) overrides from other arguments.

    Values are read as JSON when they parse (``'["a","b"]'``, ``3``, ``null``) and as
    strings otherwise, as spaCy's CLI does.
    """
    import json

    rest, overrides = [], {}
    it = iter(args)
    for arg in it:
        if not arg.startswith("--") or arg == "--":
            rest.append(arg)
            continue
        key, eq, value = arg[2:].partition("=")
        if "." not in key:
            raise typer.BadParameter(f"no such option {arg!r} (config overrides look like --section.key value)")
        if not eq:
            value = next(it, None)
            if value is None or value.startswith("--"):
                raise typer.BadParameter(f"config override {arg} needs a value")
        try:
            overrides[key.replace("-", "_")] = json.loads(value)
        except ValueError:
            overrides[key.replace("-", "_")] = value
    return rest, overrides


def fail(exc: ClaimxError) -> None:
    """Report a claimx error and exit: 3 for a run that could not finish, 2 otherwise."""
    typer.echo(f"claimx: error: [{exc.code}] {exc.message}", err=True)
    raise typer.Exit(ExitCode.RUN_FAILED if isinstance(exc, RunError) else ExitCode.USAGE) from None


def main() -> None:
    app()


# Each command module registers itself on `app`; importing them here gives every
# user of `app` (the console script, tests) the full command set.
from . import check, evaluate, explain, export, extract, gold, report, rules, schema, table  # noqa: E402, F401
