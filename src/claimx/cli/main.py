"""The typer app. Each command lives in its own module and calls a library function."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="claimx",
    help="Turn fact-check articles into sections, citation markers and tactic claims.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help texts are plain: "[default: ...]" must stay visible
)

Arg = typer.Argument
Opt = typer.Option

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


def fail(exc) -> None:
    """Report a configuration error and exit with code 2."""
    typer.echo(f"claimx: error: [{exc.code}] {exc.message}", err=True)
    raise typer.Exit(2) from None


def main() -> None:
    app()


# Each command module registers itself on `app`; importing them here gives every
# user of `app` (the console script, tests) the full command set.
from . import check, evaluate, explain, extract, gold, report, rules, schema, table  # noqa: E402, F401
