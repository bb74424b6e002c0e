"""Where a document came from: the ``source`` of its record, set by the reader."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="The input file as given (or '-' for stdin).")
    line: int | None = Field(None, description="Line number inside a JSONL file.")
    format: str = Field(description="txt, markdown, html or jsonl.")
    url: str | None = None
