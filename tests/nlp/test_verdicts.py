"""Verdicts: which phrase states a fact-check's conclusion, and which class it gives.

The sentences are written for these tests (the real pages stay in ../shared). Each
case puts one phrasing in an article's summary and checks the class and the
phrase the record names.
"""

from __future__ import annotations

import json

import pytest

from claimx.nlp.verdicts import SCALE
from claimx.output.claimreview import RATING_VALUES, claim_review
from tests.conftest import ROOT


def article(summary: str, title: str = "Did the council ban cash at the market?", body: str = "") -> str:
    body = body or "The market manager said stalls still take cash [1]."
    return (
        f"Fact check: {title}\n\nChecked on March 4, 2025\n\nExecutive summary\n\n{summary}\n\n"
        f"1. What the council said\n\n{body}\n"
    )


@pytest.mark.parametrize(
    ("summary", "label", "phrase"),
    [
        ("Short answer: no. The council changed its card terminals, not its rules [1].", "false", "Short answer: no"),
        ("No, the council did not ban cash [1].", "false", "No"),
        ("This is false. Stalls still take cash [1].", "false", "is false"),
        ("The claim that cash was banned is not true [1].", "false", "not true"),
        ("The screenshot is fabricated: the council never posted it [1].", "false", "is fabricated"),
        ("The quote was falsely attributed to the mayor [1].", "false", "falsely attributed"),
        ("The posts are a scam that asks for card details [1].", "false", "are a scam"),
        ("The claim is not supported by the available reporting [1].", "unsupported", "not supported"),
        ("There is no evidence that the council banned cash [1].", "unsupported", "no evidence"),
        ("The figure cannot be verified with public records [1].", "unsupported", "cannot be verified"),
        ("We could not verify the council minutes the post cites [1].", "unsupported", "could not verify"),
        ("The claim is misleading: only one stall stopped taking cash [1].", "misleading", "misleading"),
        ("The photo is real but was taken out of context [1].", "misleading", "is real but"),
        ("The post takes a real photo out of context [1].", "misleading", "out of context"),
        ("The numbers in the post are exaggerated [1].", "misleading", "exaggerated"),
        ("The claim is partly true: one market went card-only [1].", "partly_true", "partly true"),
        ("The post is largely accurate [1].", "true", "is largely accurate"),
        ("Yes, the council voted for card-only stalls [1].", "true", "Yes"),
        ("The claim is accurate and matches the council minutes [1].", "true", "is accurate"),
        ("Our ruling: False. Stalls still take cash [1].", "false", "False"),
        ("Rating: Mixture. One market went card-only [1].", "partly_true", "Mixture"),
        ("Verdict \u2014 missing context: one stall stopped taking cash [1].", "misleading", "missing context"),
        ("The post lacks any evidence for a ban [1].", "unsupported", "lacks any evidence"),
        ("The ban never happened, the council says [1].", "false", "never happened"),
        ("The figure in the post checks out [1].", "true", "checks out"),
        ("A figure we debunked last year is back in the post [1].", "false", "debunked"),
        ("Researchers disproved the figure the post repeats [1].", "false", "disproved"),
        (
            "Traders should be aware of a parking-fine scam that copies council letters [1].",
            "false",
            "aware of a parking-fine scam",
        ),
        ("Police warned about fake market vouchers sent by text [1].", "false", "warned about fake"),
        (
            "Both the card terminals and the cash complaints are real [1].",
            "partly_true",
            "Both the card terminals and the cash complaints are real",
        ),
        ("Both accounts exist, and the council confirms one of them [1].", None, None),
        ("There is some truth to the post: one market went card-only [1].", "partly_true", "some truth"),
        ("The claim is true in part: one market went card-only [1].", "partly_true", "true in part"),
        ("The council says there is a basis in law for the card fee [1].", None, None),
    ],
)
def test_phrasings_give_their_class(extract, summary, label, phrase):
    record = extract(article(summary))
    if label is None:
        assert record.verdict is None, (summary, record.verdict)
        return
    assert record.verdict is not None, summary
    assert (record.verdict.label, record.verdict.text) == (label, phrase)
    assert record.verdict.rule_id.startswith(f"verdict.{label}.")


def test_a_negated_cue_does_not_count(extract):
    record = extract(article("The chart is not misleading; the post cites it correctly [1]."))
    assert record.verdict is None


@pytest.mark.parametrize(
    "summary",
    [
        "Bot networks spreading misleading posts about the market were removed; stalls take cash [1].",
        "Networks pushing false information about card fees were named by the council [1].",
        "Pages sharing fabricated stories about the fair were taken down last week [1].",
    ],
)
def test_what_accounts_spread_is_no_verdict(extract, summary):
    """A rating word inside a block rule's phrase (what someone spreads) rates nothing."""
    record = extract(article(summary))
    assert record.verdict is None, record.verdict
    alone = extract(article("The claims about the market are misleading [1]."))
    assert alone.verdict.label == "misleading"  # the same word, predicated of the claim, still rates it


def test_a_claim_not_yet_debunked_is_not_rated_false(extract):
    record = extract(article("The claim has not been debunked, and the council has not replied [1]."))
    assert record.verdict is None or record.verdict.label != "false"


def test_no_evidence_that_it_is_false_is_unsupported(extract):
    record = extract(article("There is no evidence that the council statement is false [1]."))
    assert record.verdict.label == "unsupported"


def test_an_open_question_rates_nothing(extract):
    record = extract(
        article(
            "Markets use several tricks; some claims about them are false [1].",
            title="What are the most common tricks used at street markets?",
        )
    )
    assert record.verdict.label == "none" and record.verdict.rule_id == "verdict.none.open_question"


def test_a_question_sentence_states_no_verdict(extract):
    record = extract(article("Is the claim accurate? Readers asked us to look [1]."))
    assert record.verdict is None


def test_summary_outranks_later_sections(extract):
    record = extract(article("This is false [1].", body="A later paragraph calls a different post accurate [2]."))
    assert record.verdict.label == "false"


def test_a_section_heading_is_not_a_verdict(extract):
    text = (
        "Fact check: Did the council ban cash?\n\n1. Summary of the results\n\n"
        "The council changed card terminals [1].\n\n2. Missing context\n\nStalls still take cash [2].\n"
    )
    assert extract(text).verdict is None


def test_a_rating_printed_on_its_own_line(extract):
    text = "Fact check: Did the council ban cash?\n\nFalse\n\nA post claimed the market went card-only [1].\n"
    record = extract(text)
    assert (record.verdict.label, record.verdict.text, record.verdict.rule_id) == (
        "false",
        "False",
        "verdict.false.rating",
    )


def test_the_paragraph_after_a_verdict_heading_comes_first(extract):
    body = "\n".join(f"The council held meeting {n} about the market." for n in range(1, 25))
    text = f"Did the council ban cash?\n\n{body}\n\nOur ruling\n\nThe claim is partly true [1].\n"
    assert extract(text).verdict.label == "partly_true"


def test_claim_reviewed_is_the_title_without_prefix(extract):
    record = extract(article("This is false [1]."))
    assert record.claim_reviewed.text == "Did the council ban cash at the market?"
    assert record.claim_reviewed.rule_id


# Google's Search Central documentation of ClaimReview ("Fact check (ClaimReview) structured data",
# https://developers.google.com/search/docs/appearance/structured-data/factcheck), as tabulated in
# Full Fact's markup investigation notes (fullfact.github.io/markup-investigation): entity, property, status.
GOOGLE_CLAIMREVIEW = [
    ("ClaimReview", "claimReviewed", "required"),
    ("ClaimReview", "reviewRating", "required"),
    ("ClaimReview", "url", "required"),
    ("ClaimReview", "author", "recommended"),
    ("ClaimReview", "datePublished", "recommended"),
    ("ClaimReview", "itemReviewed", "recommended"),
    ("Rating", "alternateName", "required"),
    ("Rating", "bestRating", "recommended"),
    ("Rating", "name", "recommended"),
    ("Rating", "ratingValue", "recommended"),
    ("Rating", "worstRating", "recommended"),
    ("Claim", "appearance", "recommended"),
]
TYPES = {
    "claimReviewed": str,
    "reviewRating": dict,
    "url": str,
    "author": dict,
    "datePublished": str,
    "itemReviewed": dict,
    "alternateName": str,
    "bestRating": int,
    "name": str,
    "ratingValue": int,
    "worstRating": int,
    "appearance": list,
}


def test_claimreview_export_of_the_corpus_validates(tmp_path, corpus_records):
    from typer.testing import CliRunner

    from claimx.cli.main import app

    records = tmp_path / "records.jsonl"
    records.write_text("".join(r.model_dump_json() + "\n" for r in corpus_records), encoding="utf-8")
    out = tmp_path / "reviews.jsonld"
    result = CliRunner().invoke(
        app,
        [
            "export",
            "claimreview",
            str(records),
            "-o",
            str(out),
            "--publisher",
            "Example Checks",
            "--base-url",
            "https://checks.example.org/",
        ],
    )
    assert result.exit_code == 0, result.output
    reviews = json.loads(out.read_text(encoding="utf-8"))
    rated = [r for r in corpus_records if r.verdict is not None and r.verdict.label != "none"]
    assert len(reviews) == len(rated) > 0
    for review in reviews:
        assert review["@type"] == "ClaimReview" and review["reviewRating"]["@type"] == "Rating"
        parts = {"ClaimReview": review, "Rating": review["reviewRating"], "Claim": review["itemReviewed"]}
        for entity, prop, status in GOOGLE_CLAIMREVIEW:
            if status == "required":
                assert prop in parts[entity], (review["claimx:provenance"]["doc_id"], prop)
            if prop in parts[entity]:
                assert isinstance(parts[entity][prop], TYPES[prop]), (entity, prop)
        rating = review["reviewRating"]
        assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
        assert RATING_VALUES[rating["name"]] == rating["ratingValue"]
    assert any(r["itemReviewed"].get("appearance") for r in reviews), "no reference URL reached appearance"


def test_claimreview_flags_a_question_and_skips_none(extract):
    question = extract(article("No, the council did not ban cash [1]."))
    review = claim_review(question, url_pattern=r"https?://\S+", question_marks=["?"])
    assert review["claimx:provenance"]["claimIsQuestion"] is True and "url" not in review
    open_q = extract(article("Some are false [1].", title="What are the common tricks at street markets?"))
    assert claim_review(open_q, url_pattern=r"https?://\S+", question_marks=["?"]) is None


def test_scale_and_rating_values_agree():
    assert set(RATING_VALUES) == set(SCALE) - {"none"}
    assert sorted(RATING_VALUES.values()) == [1, 2, 3, 4, 5]


def test_verdict_rules_are_data():
    """Every class has rules; each id names its class (or marks a verdict heading or block) and is unique."""
    rules = [
        json.loads(line)
        for line in (ROOT / "configs" / "cues" / "verdicts.jsonl").read_text().splitlines()
        if line.startswith("{")
    ]
    assert {r["verdict"] for r in rules if "verdict" in r} == set(SCALE)
    assert len({r["id"] for r in rules}) == len(rules)
    for r in rules:
        kind = r["verdict"] if "verdict" in r else "heading" if r.get("heading") else "block"
        assert r["id"].startswith(f"verdict.{kind}."), r["id"]


def test_verdicts_table_has_one_row_per_document(extract):
    from claimx.output.table import to_frame

    rated, unrated = extract(article("This is false [1].")), extract(article("Stalls take cash [1]."), doc_id="u")
    frame = to_frame([rated, unrated], "verdicts")
    assert list(frame["doc_id"]) == ["t", "u"]
    assert list(frame["label"].fillna("-")) == ["false", "-"]
    row = frame.iloc[0]
    assert rated.text[row["start"] : row["end"]] == row["text"] == "is false"
    assert (row["section_kind"], row["checked_on"]) == ("summary", "2025-03-04")


def test_check_reports_a_changed_verdict(extract):
    from claimx.gold.check import diff_records

    gold = extract(article("This is false [1]."))
    out = gold.model_copy(update={"verdict": gold.verdict.model_copy(update={"label": "misleading"})})
    (change,) = diff_records(out, gold, set())
    assert change.field == "verdict" and "false 'is false'" in change.detail and "-> misleading" in change.detail


ANNOTATED = ROOT / "tests" / "annotations" / "verdicts.jsonl"


def test_corpus_verdicts_sit_on_the_text_and_cover_every_class(annotated_records):
    from claimx.gold.verdictscore import VerdictGold

    rows = [VerdictGold.model_validate_json(line) for line in ANNOTATED.read_text(encoding="utf-8").splitlines()]
    records = {r.doc_id: r for r in annotated_records}
    assert {g.doc_id for g in rows} == set(records)
    assert {g.verdict for g in rows} == set(SCALE)
    for g in rows:
        text = records[g.doc_id].text
        if g.verdict != "none":
            assert text[g.start : g.end] == g.verdict_text, g.doc_id
        assert g.claim_start is not None and text[g.claim_start : g.claim_end].strip()


def test_corpus_verdicts_reach_the_targets(annotated_records):
    """Issue target on the corpus annotated by reading: accuracy >= 0.9 and every class F1 >= 0.8."""
    from claimx.gold.verdictscore import accuracy, class_table, confusion, judged, read_verdict_gold

    gold = read_verdict_gold(ANNOTATED)
    pred = {r.doc_id: judged(r) for r in annotated_records}
    matrix = confusion(pred, gold, sorted(gold))
    classes = class_table(matrix).set_index("label")
    assert accuracy(matrix) >= 0.9, matrix
    assert (classes["f1"] >= 0.8).all(), classes


@pytest.mark.parametrize(
    "fields",
    [{"verdict": "false", "block": True}, {"heading": True, "block": True}, {}],
    ids=["class-and-block", "heading-and-block", "neither"],
)
def test_a_verdict_rule_is_a_class_a_heading_or_a_block(tmp_path, fields):
    from claimx.config.rulefiles import read_rules
    from claimx.errors import ConfigError
    from claimx.rules.packs import VerdictRule

    path = tmp_path / "verdicts.jsonl"
    good = {"id": "verdict.false.ok", "verdict": "false", "pattern": "is false"}
    path.write_text(
        json.dumps(good) + "\n" + json.dumps({"id": "verdict.x.bad", "pattern": "spreading", **fields}) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        read_rules(path, VerdictRule)
    assert err.value.message.startswith(f"{path}:2: ")
    assert "exactly one of 'verdict'" in err.value.message
