"""The shipped packs on sentences written for this test, in the styles fact-checkers use.

Expected mentions were written by reading each sentence against the annotation
convention (README), not taken from the output. Every expected mention must be
found with its label and no other label may fire (overlap); where the convention
and the rules agree on the boundaries, the span must be exact. Verb frames take in
a trailing prepositional phrase ("at the border") that the convention leaves out;
those sentences are checked for overlap only.
"""

from __future__ import annotations

import pytest

from tests.conftest import mentions

CASES = [
    ("Police said the sting netted 14 arrests.", [("sting", "STING_OPERATION")], True),
    (
        "Detectives ran a reverse sting in which officers posed as sex workers.",
        [("reverse sting", "STING_OPERATION"), ("posed as sex workers", "UNDERCOVER_ONLINE")],
        True,
    ),
    (
        "The men were arrested during a multi-agency sting at a motel.",
        [("multi-agency", "MULTI_AGENCY_TASK_FORCE"), ("sting", "STING_OPERATION")],
        True,
    ),
    (
        "Federal agents carried out coordinated raids in three states.",
        [("coordinated raids", "COORDINATED_ARRESTS")],
        True,
    ),
    ("Officers executed search warrants at 12 addresses.", [("executed search warrants", "COORDINATED_ARRESTS")], True),
    (
        "The claim that a nationwide sweep rescued 500 children is false.",
        [("nationwide sweep", "COORDINATED_ARRESTS")],
        True,
    ),
    ("Troopers set up checkpoints on the interstate.", [("checkpoints", "INTERDICTION")], True),
    ("Deputies stopped a van carrying nine migrants.", [("stopped a van", "INTERDICTION")], True),
    ("The video shows a traffic stop, not a rescue.", [("traffic stop", "INTERDICTION")], True),
    (
        "CBP officers may search travelers' phones at the border.",
        [("search travelers' phones", "BORDER_SCREENING")],
        False,
    ),
    (
        "Passport checks at the airport flagged a forged visa.",
        [("Passport checks", "BORDER_SCREENING"), ("forged visa", "BORDER_SCREENING")],
        True,
    ),
    (
        "Investigators used facial recognition software to identify the man.",
        [("facial recognition software", "SURVEILLANCE")],
        True,
    ),
    (
        "Police rely on license plate readers and surveillance cameras.",
        [("license plate readers", "SURVEILLANCE"), ("surveillance cameras", "SURVEILLANCE")],
        True,
    ),
    ("The FBI obtained a wiretap on his phone.", [("wiretap", "SURVEILLANCE")], False),
    ("Agents tracked his phone's location for weeks.", [("tracked his phone's location", "SURVEILLANCE")], False),
    (
        "Forensic examiners recovered deleted messages from the suspect's laptop.",
        [("recovered deleted messages", "CYBER_FORENSICS")],
        False,
    ),
    ("Platforms use hash matching to detect known abuse images.", [("hash matching", "CYBER_FORENSICS")], True),
    ("Investigators traced the IP address to a house in Ohio.", [("traced the IP address", "CYBER_FORENSICS")], False),
    ("Facebook removed the page after it was reported.", [("removed the page", "PLATFORM_DISRUPTION")], True),
    ("YouTube suspended the channel for spam.", [("suspended the channel", "PLATFORM_DISRUPTION")], False),
    ("Authorities seized the website's domain.", [("seized the website's domain", "PLATFORM_DISRUPTION")], True),
    (
        "The agency shares intelligence with its European partners.",
        [("shares intelligence with its European partners", "INTELLIGENCE_SHARING")],
        True,
    ),
    (
        "Tips are forwarded to local police.",
        [("Tips", "TIP_LINE"), ("forwarded to local police", "INTELLIGENCE_SHARING")],
        True,
    ),
    ("Interpol issued a red notice for the suspect.", [("red notice", "INTERNATIONAL_COOPERATION")], True),
    ("He was extradited to the United States in 2021.", [("extradited", "INTERNATIONAL_COOPERATION")], True),
    (
        "The joint task force includes state and federal agents.",
        [("joint task force", "MULTI_AGENCY_TASK_FORCE")],
        True,
    ),
    (
        "Call the National Human Trafficking Hotline to report a tip.",
        [("National Human Trafficking Hotline", "TIP_LINE"), ("tip", "TIP_LINE")],
        True,
    ),
    ("Anonymous tips led police to the warehouse.", [("Anonymous tips", "TIP_LINE")], True),
    (
        "Investigators froze the group's bank accounts.",
        [("froze the group's bank accounts", "FINANCIAL_INVESTIGATION")],
        True,
    ),
    (
        "Prosecutors followed the money through shell companies.",
        [("followed the money", "FINANCIAL_INVESTIGATION")],
        True,
    ),
    (
        "Survivors were placed in shelters and offered counseling.",
        [("placed in shelters", "VICTIM_SERVICES"), ("offered counseling", "VICTIM_SERVICES")],
        True,
    ),
    (
        "Undercover officers posed as buyers online.",
        [("Undercover officers", "UNDERCOVER_ONLINE"), ("posed as buyers", "UNDERCOVER_ONLINE")],
        True,
    ),
    (
        "The text is a phishing attempt that asks you to verify your account details.",
        [("phishing attempt", "PHISHING"), ("verify your account details", "PHISHING")],
        True,
    ),
    ("Scammers impersonate IRS agents over the phone.", [("impersonate IRS agents", "IMPERSONATION")], False),
    ("The page uses a fake celebrity endorsement.", [("fake celebrity endorsement", "IMPERSONATION")], True),
    ("The video is a deepfake created with AI.", [("deepfake", "DEEPFAKE"), ("created with AI", "DEEPFAKE")], True),
    ("An AI-generated image of the pope went viral.", [("AI-generated image", "DEEPFAKE")], True),
    ("The scammers used a cloned voice of her grandson.", [("cloned voice", "DEEPFAKE")], True),
    ("The photo was doctored to add flames.", [("was doctored", "MANIPULATED_MEDIA")], True),
    ("The clip was taken out of context.", [("taken out of context", "MANIPULATED_MEDIA")], True),
    ("The footage is old and was recirculated as new.", [("recirculated as new", "MANIPULATED_MEDIA")], True),
    ("Researchers found a network of bots amplifying the hashtag.", [("network of bots", "BOT_NETWORK")], True),
    (
        "The campaign relied on sockpuppet accounts and troll farms.",
        [("sockpuppet accounts", "BOT_NETWORK"), ("troll farms", "BOT_NETWORK")],
        True,
    ),
    (
        "Meta removed accounts for coordinated inauthentic behavior.",
        [("removed accounts", "PLATFORM_DISRUPTION"), ("coordinated inauthentic behavior", "BOT_NETWORK")],
        True,
    ),
    (
        "The article appeared on a fake news site designed to look like the BBC.",
        [("fake news site", "FAKE_WEBSITE")],
        True,
    ),
    ("The link leads to a spoofed website.", [("spoofed website", "FAKE_WEBSITE")], True),
    ("The quote is fabricated; he never said it.", [("fabricated", "FABRICATED_QUOTE")], True),
    ("The meme attributes a fake quote to Einstein.", [("fake quote", "FABRICATED_QUOTE")], True),
    (
        "The graph uses a truncated y-axis to exaggerate the change.",
        [("truncated y-axis", "MISLEADING_STATISTICS")],
        True,
    ),
    ("The post cherry-picks data from a single month.", [("cherry-picks data", "MISLEADING_STATISTICS")], False),
]


@pytest.fixture(scope="module")
def nlp(extractor):
    return extractor.nlp


def found(nlp, sentence):
    return [(text, label) for text, label, _ in mentions(nlp, f"Q?\nExecutive Summary\n{sentence}\n")]


@pytest.mark.parametrize("sentence,expected,exact", CASES)
def test_expected_mentions_are_found(nlp, sentence, expected, exact):
    got = found(nlp, sentence)
    for text, label in expected:
        assert any(lab == label and (text in g or g in text) for g, lab in got), (text, label, got)
    assert {lab for _, lab in got} <= {lab for _, lab in expected}, got
    if exact:
        assert sorted(got) == sorted(expected)
