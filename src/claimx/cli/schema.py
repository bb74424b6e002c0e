from __future__ import annotations

import json

import typer

from ..records import ErrorRecord, Record
from .main import Opt, app


@app.command("schema")
def schema_cmd(
    errors: bool = Opt(False, "--errors", help="Print the schema of error records instead."),
) -> None:
    """Print the JSON Schema of output records."""
    model = ErrorRecord if errors else Record
    typer.echo(json.dumps(model.model_json_schema(), indent=2, ensure_ascii=False))
