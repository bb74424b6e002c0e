"""Where a document came from: the ``source`` of its record, set by the reader."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ..errors import at


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str = Field(description="The input file as given (or '-' for stdin).")
    line: int | None = Field(None, description="Line number inside a JSONL file.")
    format: str = Field(description="txt, markdown, html or jsonl.")
    url: str | None = Field(None, description="The page's URL: a JSONL url field, or an HTML page's canonical link.")
    claimreview: list[dict] | None = Field(
        None, description="schema.org ClaimReview objects an HTML page embeds as JSON-LD, as published."
    )

    @property
    def where(self) -> str:
        """The file, or ``path:line`` for a line of a JSONL file, as messages name a document."""
        return at(self.path, self.line) if self.line else self.path
