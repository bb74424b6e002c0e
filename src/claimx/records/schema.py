"""The output contract: one :class:`Record` per document, or one :class:`ErrorRecord`.

Field order is the key order of the JSON; every list is in text order. Change
anything here and bump ``SCHEMA_VERSION``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import GenerateJsonSchema

from ..about import SCHEMA_VERSION
from ..config.settings import SectionKind
from ..io.source import Source


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Named so as not to shadow the builtin; in the JSON Schema it stays "Warning" (see json_schema).
class RecordWarning(_Model):
    model_config = ConfigDict(extra="forbid", title="Warning")

    code: str
    message: str


class Section(_Model):
    id: str
    kind: SectionKind
    number: int | None
    heading: str | None
    start: int
    end: int
    heading_start: int | None
    heading_end: int | None
    rule_id: str | None = Field(description="The line rule that opened the section; null for unlabelled prose.")


class Citation(_Model):
    id: str
    text: str
    refs: list[int]
    start: int
    end: int
    section_id: str
    sentence_start: int
    sentence_end: int
    rule_id: str
    targets: list[str] = Field(
        default_factory=list,
        description="Ids of the reference entries the marker points to: its link's target on an HTML page, "
        "else the entries with its numbers.",
    )


class Reference(_Model):
    id: str
    number: int
    text: str
    start: int
    end: int
    section_id: str
    rule_id: str
    url: str | None = Field(None, description="The entry's link, when an HTML page gives one.")


class Mention(_Model):
    """A tactic named in a claim."""

    label: str
    text: str
    start: int
    end: int
    rule_id: str


class Actor(_Model):
    label: str
    text: str
    start: int
    end: int
    rule_id: str


class Quantity(_Model):
    text: str
    value: int | float | None = Field(description="The number; null for vague amounts ('dozens of').")
    unit: str = Field(description="What is counted: the last word of the span, lower case.")
    start: int
    end: int
    rule_id: str


class Hedge(_Model):
    cue: Literal["hedge", "negation"]
    text: str
    start: int
    end: int
    rule_id: str


class Claim(_Model):
    id: str
    section_id: str
    kind: Literal["tactic", "cited"] = Field(description="'tactic' when it names a tactic, else 'cited'.")
    text: str
    start: int
    end: int
    citation_ids: list[str]
    citation_refs: list[int]
    tactics: list[Mention]
    quantities: list[Quantity]
    hedges: list[Hedge]
    certainty: Literal["asserted", "hedged", "negated"]
    actors: list[Actor]


class Verdict(_Model):
    """What the article concludes about the claim it checks (``claimx_verdicts``)."""

    label: Literal["true", "partly_true", "misleading", "false", "unsupported", "none"] = Field(
        description="The rating, on the scale true > partly_true > misleading > false > unsupported; "
        "'none': the article answers an open question and rates no claim."
    )
    text: str = Field(description="The phrase that states it ('This is false', 'no evidence').")
    start: int
    end: int
    rule_id: str


class ClaimReviewed(_Model):
    """The claim or question the article checks: its title line, without a 'Fact check:' prefix."""

    text: str
    start: int
    end: int
    rule_id: str | None


class Record(_Model):
    schema_version: str = SCHEMA_VERSION
    doc_id: str
    source: Source
    title: str | None
    checked_on: date | None
    layout: str
    claim_reviewed: ClaimReviewed | None = None
    verdict: Verdict | None = Field(None, description="Null when no verdict cue was read.")
    text: str | None = Field(description="The text every offset refers to; null with --no-text.")
    sections: list[Section]
    citations: list[Citation]
    references: list[Reference]
    claims: list[Claim]
    warnings: list[RecordWarning]


class ErrorRecord(_Model):
    doc_id: str
    source: Source
    code: str
    message: str


def dumps(record: BaseModel) -> str:
    """The one serializer: compact, key order from the model, UTF-8 kept readable.

    A Record is written by pydantic's own serializer (about 4x faster than
    ``json.dumps`` of ``model_dump``), which gives the same bytes except for
    floats below 1e-4 ("0.000025" for 2.5e-05): a record holding one, and every
    other model, takes the ``json.dumps`` path.
    """
    if isinstance(record, Record) and not any(
        isinstance(q.value, float) and abs(q.value) < 1e-4 for c in record.claims for q in c.quantities
    ):
        return record.model_dump_json()
    return json.dumps(record.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))


def dumps_gold(record: BaseModel) -> str:
    """A record as gold is stored: the same object as :func:`dumps`, one key or list item per line.

    It opens with a line ``{`` and closes with a line ``}`` (nested lines are indented),
    so a changed span in a reviewed gold file is a changed line of its diff. The
    readers of records (:mod:`claimx.records.io`) take this form and one-line JSONL alike.
    """
    return json.dumps(record.model_dump(mode="json"), ensure_ascii=False, indent=2)


class _SchemaNames(GenerateJsonSchema):
    """Definitions named as the JSON Schema has always named them, whatever the Python class is called."""

    def normalize_name(self, name: str) -> str:
        name = super().normalize_name(name)
        return "Warning" if name == "RecordWarning" else name


def json_schema(model: type[BaseModel]) -> dict:
    """The JSON Schema of a record model (``claimx schema``)."""
    return model.model_json_schema(schema_generator=_SchemaNames)
