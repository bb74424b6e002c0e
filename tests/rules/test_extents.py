"""Widening a match: head nouns, words before it, and verb frames' object windows."""

from __future__ import annotations

import pytest

from tests.conftest import mentions

MEDIA = {"id": "media", "words": ["video", "clip", "voice note"]}
AUX = {"id": "aux", "attr": "LOWER", "words": ["was", "were", "been", "have", "has", "being"]}
AGENCY = {"id": "agency", "words": ["police", "investigator", "law enforcement"]}
DET = {"id": "test_det", "attr": "LOWER", "words": ["the", "a", "an"]}


def rule(pattern, label="DEEPFAKE", rid="t.x.001", **extra) -> dict:
    return {"id": rid, "label": label, "pattern": pattern, **extra}


@pytest.mark.parametrize(
    "text,found",
    [
        ("a deepfake video clip spread", ["deepfake video clip"]),
        ("a deepfake voice note", ["deepfake voice note"]),
        ("a deepfake, video", ["deepfake"]),
        ("a deepfake video clip video", ["deepfake video clip"]),  # at most max (2) head words
    ],
)
def test_head_extension(pack_nlp, text, found):
    nlp = pack_nlp([rule("deepfake", head="media")], labels=("DEEPFAKE",), lexicons=[MEDIA])
    assert [m[0] for m in mentions(nlp, text)] == found


def test_label_default_head_and_opting_out(pack_nlp):
    rules = [rule("deepfake"), rule("cheapfake", rid="t.x.002", head=False)]
    nlp = pack_nlp(rules, labels=("DEEPFAKE",), lexicons=[MEDIA], heads={"DEEPFAKE": {"lexicon": "media", "max": 1}})
    assert [m[0] for m in mentions(nlp, "a deepfake video clip and a cheapfake video")] == [
        "deepfake video",
        "cheapfake",
    ]


def test_head_does_not_leave_the_unit(pack_nlp):
    nlp = pack_nlp([rule("deepfake", head="media")], labels=("DEEPFAKE",), lexicons=[MEDIA])
    assert [m[0] for m in mentions(nlp, "Q?\nExecutive Summary\nIt was a deepfake\nvideo of him.\n")] == ["deepfake"]


def test_before_takes_in_auxiliaries(pack_nlp):
    nlp = pack_nlp(
        [rule("remove", label="PLATFORM_DISRUPTION", before="aux")], labels=("PLATFORM_DISRUPTION",), lexicons=[AUX]
    )
    assert [m[0] for m in mentions(nlp, "Groups have been removed. Facebook removed them.")] == [
        "have been removed",
        "removed",
    ]


FRAME = rule("impersonate", label="IMPERSONATION", object={"max": 5})


@pytest.mark.parametrize(
    "text,found",
    [
        ("Scammers impersonate bank staff and police officers.", ["impersonate bank staff"]),
        ("They impersonate officials [3] to win trust.", ["impersonate officials"]),
        ("They impersonate the. Then", ["impersonate"]),  # the window gives back a trailing article
        ("They impersonate one two three four five six seven", ["impersonate one two three four five"]),
        ("They impersonate officials who call.", ["impersonate officials"]),
    ],
)
def test_object_window(pack_nlp, text, found):
    nlp = pack_nlp([FRAME], labels=("IMPERSONATION",))
    assert [m[0] for m in mentions(nlp, text)] == found


@pytest.mark.parametrize(
    "window,text,found",
    [
        ({"min": 1}, "Do not impersonate. Never.", []),
        ({"min": 1}, "Do not impersonate anyone.", ["impersonate anyone"]),
        ({"require": "agency"}, "They impersonate bank staff.", []),
        ({"require": "agency"}, "They impersonate local police.", ["impersonate local police"]),
        ({"stop": "agency", "trim": "agency"}, "They impersonate local police, and.", ["impersonate local"]),
        ({"stop": ["object_stop", "agency"]}, "They impersonate local police", ["impersonate local"]),
        (
            {"start": "test_det", "min": 1},
            "impersonated officials; impersonated the police",
            ["impersonated the police"],
        ),
        (
            {"start": "test_det"},
            "impersonated officials; impersonated the police",
            ["impersonated", "impersonated the police"],
        ),
    ],
)
def test_object_window_conditions(pack_nlp, window, text, found):
    nlp = pack_nlp(
        [rule("impersonate", label="IMPERSONATION", object=window)], labels=("IMPERSONATION",), lexicons=[AGENCY, DET]
    )
    assert [m[0] for m in mentions(nlp, text)] == found


def test_widened_spans_keep_their_core_and_are_explained(pack_nlp):
    nlp = pack_nlp(
        [rule("@fake deepfake?", head="media")],
        labels=("DEEPFAKE",),
        lexicons=[MEDIA, {"id": "fake", "words": ["synthetic", "AI-made"]}],
    )
    doc = nlp("an AI-made deepfake clip")
    (span,) = doc.spans["tactics"]
    assert span.text == "AI-made deepfake clip"
    assert doc[span._.core[0] : span._.core[1]].text == "AI-made deepfake"
    assert nlp.get_pipe("claimx_rules").describe(span) == ["@fake: 'AI-made'", "head @media: 'clip'"]


@pytest.mark.parametrize(
    "pattern,text,found",
    [
        (
            [{"LEMMA": "url", "CONTEXT": True}, {"LOWER": "for", "CONTEXT": True}, {"LEMMA": "spoof"}],
            "Check the URL for spoofing; spoofing",
            ["spoofing"],
        ),
        (
            [{"LEMMA": "tip"}, {"LEXICON": {"NOT_IN": "advice_word"}, "CONTEXT": True}],
            "tips for you, tips from the public",
            ["tips"],
        ),
    ],
)
def test_context_tokens_must_match_but_stay_outside(pack_nlp, pattern, text, found):
    nlp = pack_nlp(
        [rule(pattern, label="TIP_LINE")],
        labels=("TIP_LINE",),
        lexicons=[{"id": "advice_word", "attr": "LOWER", "words": ["for", "on"]}],
    )
    assert [m[0] for m in mentions(nlp, text)] == found


@pytest.mark.parametrize(
    "pattern,message",
    [
        ([{"LEMMA": "a", "CONTEXT": True}], "needs a token that is not CONTEXT"),
        ([{"LEMMA": "a"}, {"LEMMA": "b", "CONTEXT": True}, {"LEMMA": "c"}], "must lead or trail"),
        ([{"LEMMA": "a", "CONTEXT": True, "OP": "?"}, {"LEMMA": "b"}], "cannot have an OP"),
        ([{"LEXICON": "two_words", "CONTEXT": True}, {"LEMMA": "b"}], "must stand for one token"),
    ],
)
def test_broken_context_tokens(pack_nlp, pattern, message):
    from claimx.errors import ConfigError

    with pytest.raises(ConfigError, match=message):
        pack_nlp([rule(pattern)], labels=("DEEPFAKE",), lexicons=[MEDIA, {"id": "two_words", "words": ["a b"]}])


def test_block_rules_remove_their_labels_mentions(pack_nlp):
    rules = [
        rule("tip", label="TIP_LINE"),
        rule("tip for", label="TIP_LINE", rid="t.x.002", block=True),
        rule("tip for", label="DEEPFAKE", rid="t.x.003"),
    ]
    nlp = pack_nlp(rules, labels=("TIP_LINE", "DEEPFAKE"))
    assert mentions(nlp, "A tip for you. A tip came in.") == [
        ("tip for", "DEEPFAKE", "t.x.003"),
        ("tip", "TIP_LINE", "t.x.001"),
    ]


@pytest.mark.parametrize(
    "priorities,found",
    [
        ((0, 0), [("URL spoofing", "FAKE_WEBSITE")]),  # same priority: the longer wins
        ((1, 0), [("URL spoofing", "FAKE_WEBSITE")]),
        ((0, 1), [("spoofing", "IMPERSONATION")]),  # a higher priority beats length
    ],
)
def test_one_label_per_span(pack_nlp, priorities, found):
    rules = [
        rule("url spoofing", label="FAKE_WEBSITE", priority=priorities[0]),
        rule("spoofing", label="IMPERSONATION", rid="t.x.002", priority=priorities[1]),
    ]
    nlp = pack_nlp(rules, labels=("FAKE_WEBSITE", "IMPERSONATION"))
    assert [m[:2] for m in mentions(nlp, "Look for URL spoofing.")] == found


def test_same_extent_goes_to_the_earlier_rule_and_neighbours_both_stay(pack_nlp):
    rules = [
        rule("spoofing", label="FAKE_WEBSITE"),
        rule("spoofing", label="IMPERSONATION", rid="t.x.002"),
        rule("url", label="IMPERSONATION", rid="t.x.003"),
    ]
    nlp = pack_nlp(rules, labels=("FAKE_WEBSITE", "IMPERSONATION"))
    assert [m[:2] for m in mentions(nlp, "URL spoofing")] == [("URL", "IMPERSONATION"), ("spoofing", "FAKE_WEBSITE")]


def test_every_required_lexicon_must_be_in_the_window(pack_nlp):
    window = {"max": 8, "require": ["agency", "media"]}
    nlp = pack_nlp(
        [rule("send", label="INTELLIGENCE_SHARING", object=window)],
        labels=("INTELLIGENCE_SHARING",),
        lexicons=[AGENCY, MEDIA],
    )
    assert [m[0] for m in mentions(nlp, "They send the video to police. They send it to police.")] == [
        "send the video to police"
    ]


def test_object_window_stops_before_another_mention(pack_nlp):
    rules = [
        rule("track", label="SURVEILLANCE", object={"max": 8, "stop": "object_stop_list"}),
        rule("facial recognition", label="SURVEILLANCE", rid="t.x.002"),
        rule("tip", label="TIP_LINE", rid="t.x.003"),
        rule("refer", label="INTELLIGENCE_SHARING", rid="t.x.004", object={"max": 4, "start": "det"}),
    ]
    nlp = pack_nlp(rules, labels=("SURVEILLANCE", "TIP_LINE", "INTELLIGENCE_SHARING"))
    assert [
        m[0] for m in mentions(nlp, "They track residents in towns and facial recognition tools. Refer that tip.")
    ] == ["track residents in towns", "facial recognition", "Refer that tip"]


def test_suffix_lexicons_stop_windows_and_match_in_patterns(pack_nlp):
    ending = {"id": "test_ing", "attr": "SUFFIX", "words": ["ing"]}
    rules = [
        rule("stop", label="INTERDICTION", object={"max": 6, "stop": ["object_stop", "test_ing"]}),
        rule([{"LEMMA": "bus"}, {"LEXICON": "test_ing"}], label="DEEPFAKE", rid="t.x.002"),
    ]
    nlp = pack_nlp(rules, labels=("INTERDICTION", "DEEPFAKE"), lexicons=[ending])
    assert [m[:2] for m in mentions(nlp, "They stop a van carrying migrants. A bus carrying")] == [
        ("stop a van", "INTERDICTION"),
        ("bus carrying", "DEEPFAKE"),
    ]
