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
    from . import explain, extract, rules, schema  # noqa: F401  (commands register themselves)

    app()
