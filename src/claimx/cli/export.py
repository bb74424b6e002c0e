from __future__ import annotations

import json
from pathlib import Path

import typer

from ..config.pipeline import settings_for
from ..errors import ConfigError
from ..io.files import atomic_writer
from ..output.claimreview import claim_review
from .main import CONFIG_HELP, Arg, Opt, Typer, app, fail
from .table import RecordReader

export_app = Typer(help="Write records in formats other tools read.", no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("claimreview")
def claimreview_cmd(
    records: Path = Arg(..., help="claimx records (JSONL file, or a folder of *.jsonl)."),
    output: Path = Opt(..., "--output", "-o", help="reviews.jsonld (a JSON array) or reviews.jsonl (one per line)."),
    publisher: str | None = Opt(None, "--publisher", help="The fact-checker's name (ClaimReview author)."),
    publisher_url: str | None = Opt(None, "--publisher-url", help="The fact-checker's site (author url)."),
    base_url: str | None = Opt(None, "--base-url", help="Page URL of a record without source.url: BASE_URL + doc_id."),
    config: Path | None = Opt(None, "--config", "-c", help=CONFIG_HELP),
    quiet: bool = Opt(False, "--quiet", "-q", help="No summary on stderr."),
) -> None:
    """One schema.org ClaimReview per record with a rating verdict (see README "ClaimReview export").

    Records whose verdict is none or null are left out and counted. Exit 0 on success,
    2 for usage or input errors (then nothing is written).
    """
    if output.suffix not in (".jsonld", ".jsonl", ".json"):
        raise typer.BadParameter(
            "the suffix picks the form: .jsonld or .json (an array), .jsonl (one per line)", param_hint="--output"
        )
    try:
        settings = settings_for(config).settings
        reader = RecordReader(records)
        reviews, unrated, no_url = [], 0, 0
        for record in reader:
            review = claim_review(
                record,
                publisher=publisher,
                publisher_url=publisher_url,
                base_url=base_url,
                url_pattern=settings.export.url_pattern,
                question_marks=settings.verdicts.question_marks,
            )
            if review is None:
                unrated += 1
                continue
            no_url += "url" not in review
            reviews.append(review)
    except ConfigError as exc:
        fail(exc)
    with atomic_writer(output) as fh:
        if output.suffix == ".jsonl":
            fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in reviews)
        else:
            fh.write(json.dumps(reviews, ensure_ascii=False, indent=2) + "\n")
    if not quiet:
        notes = f"; {no_url} without a url (give --base-url)" if no_url else ""
        typer.echo(
            f"claimx: wrote {len(reviews)} ClaimReviews from {reader.documents} documents to {output} "
            f"({unrated} without a rating verdict left out{notes})",
            err=True,
        )
