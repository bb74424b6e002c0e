"""Records as schema.org ``ClaimReview``: the form fact-check aggregators exchange.

One ClaimReview per record whose verdict is a rating (not ``none``, not null):

- ``claimReviewed``: the record's ``claim_reviewed`` text (the title without its
  prefix), else its title;
- ``reviewRating``: a ``Rating`` with ``alternateName`` = the verdict phrase as the
  article words it, ``name`` = the verdict class, and ``ratingValue`` on the 1-5
  scale of :data:`RATING_VALUES` (``worstRating`` 1, ``bestRating`` 5);
- ``url`` (``source.url``, or ``base_url`` + doc_id), ``datePublished`` (``checked_on``),
  ``author`` (the publisher given), ``itemReviewed``: a ``Claim`` whose
  ``appearance`` lists the URLs of the references section (each entry's link on an
  HTML page, and URLs written in the entries);
- ``claimx:provenance``: doc_id, the verdict's rule id and offsets, and
  ``claimIsQuestion`` when the claim reviewed is a question rather than a statement.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from ..records.schema import Record

# The numeric scale: an unsupported claim has not been shown wrong, so it rates above false.
RATING_VALUES = {"true": 5, "partly_true": 4, "misleading": 3, "unsupported": 2, "false": 1}
CONTEXT = {"@vocab": "https://schema.org/", "claimx": "urn:claimx:"}


def claim_review(
    record: Record,
    *,
    publisher: str | None = None,
    publisher_url: str | None = None,
    base_url: str | None = None,
    url_pattern: str,
    question_marks: list[str],
) -> dict | None:
    """The ClaimReview of one record, or None when it has no rating verdict."""
    verdict = record.verdict
    if verdict is None or verdict.label not in RATING_VALUES:
        return None
    claim = record.claim_reviewed.text if record.claim_reviewed else record.title
    review: dict = {"@context": CONTEXT, "@type": "ClaimReview"}
    url = record.source.url or (base_url + quote(record.doc_id) if base_url else None)
    if url:
        review["url"] = url
    review["claimReviewed"] = claim or ""
    review["reviewRating"] = {
        "@type": "Rating",
        "name": verdict.label,
        "alternateName": verdict.text,
        "ratingValue": RATING_VALUES[verdict.label],
        "worstRating": 1,
        "bestRating": 5,
    }
    if record.checked_on is not None:
        review["datePublished"] = record.checked_on.isoformat()
    if publisher:
        review["author"] = {
            "@type": "Organization",
            "name": publisher,
            **({"url": publisher_url} if publisher_url else {}),
        }
    item: dict = {"@type": "Claim"}
    appearance = _reference_urls(record, url_pattern)
    if appearance:
        item["appearance"] = appearance
    review["itemReviewed"] = item
    review["claimx:provenance"] = {
        "doc_id": record.doc_id,
        "rule_id": verdict.rule_id,
        "start": verdict.start,
        "end": verdict.end,
        "claimIsQuestion": bool(claim) and claim.rstrip().rstrip("\"'\u201d\u2019)").endswith(tuple(question_marks)),
    }
    return review


def _reference_urls(record: Record, pattern: str) -> list[str]:
    """The reference entries' URLs, in order, each once: an entry's link (HTML) and any URL written in it."""
    found: list[str] = []
    regex = re.compile(pattern)
    for ref in record.references:
        if ref.url and ref.url not in found:
            found.append(ref.url)
        for m in regex.finditer(ref.text):
            if m.group(0) not in found:
                found.append(m.group(0))
    return found
