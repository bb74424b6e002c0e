"""The typer app. Each command lives in its own module and calls a library function."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="claimx",
    help="Turn fact-check articles into sections, citation markers and tactic claims.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

Arg = typer.Argument
Opt = typer.Option


def main() -> None:
    app()


# Each command module registers itself on `app`; importing them here gives every
# user of `app` (the console script, tests) the full command set.
from . import check, evaluate, explain, extract, gold, rules, schema  # noqa: E402, F401
