from __future__ import annotations

import json

import typer

from ..records.schema import ErrorRecord, Record, json_schema
from .main import Opt, app


@app.command("schema")
def schema_cmd(
    errors: bool = Opt(False, "--errors", help="Print the schema of error records instead."),
) -> None:
    """Print the JSON Schema of output records."""
    model = ErrorRecord if errors else Record
    typer.echo(json.dumps(json_schema(model), indent=2, ensure_ascii=False))
