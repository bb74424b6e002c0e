"""The marker-aware sentence splitter (nlp/sentences.py) on its own, on Docs built by hand.

No claimx tokenizer or pipeline: words and spaces are given, the marker spans and
units set directly, so each case tests MarkerSentences alone.
"""

from __future__ import annotations

import spacy
from spacy.tokens import Doc, Span

from claimx.nlp.sentences import MarkerSentences

VOCAB = spacy.blank("en").vocab
SPLIT = MarkerSentences([".", "!", "?", "..."], ['"', "\u201d", ")"])


def doc_of(words: list[str], markers: list[int] = (), units: list[tuple[int, int]] | None = None) -> Doc:
    spaces = [True] * len(words)
    doc = Doc(VOCAB, words=words, spaces=spaces)
    doc.spans["citations"] = [Span(doc, i, i + 1, label="CITATION") for i in markers]
    if units is not None:
        doc.spans["units"] = [Span(doc, s, e, label="paragraph") for s, e in units]
    return SPLIT(doc)


def sentences(doc: Doc) -> list[str]:
    return [s.text.strip() for s in doc.sents]


def test_a_run_of_markers_stays_with_the_sentence_it_closes():
    doc = doc_of(["It", "rose", ".", "[1]", "[2]", "Then", "it", "fell", "."], markers=[3, 4])
    assert sentences(doc) == ["It rose . [1] [2]", "Then it fell ."]


def test_a_marker_before_a_lower_case_word_opens_the_next_sentence():
    doc = doc_of(["It", "rose", ".", "[2]", "suggests", "more", "."], markers=[3])
    assert sentences(doc) == ["It rose .", "[2] suggests more ."]


def test_closing_quotes_and_brackets_stay_with_their_sentence():
    doc = doc_of(["He", "said", "no", ".", "\u201d", "[3]", "Police", "agreed", "."], markers=[5])
    assert sentences(doc) == ["He said no . \u201d [3]", "Police agreed ."]


def test_a_lower_case_word_after_punctuation_does_not_start_a_sentence():
    doc = doc_of(["See", "p", ".", "twelve", "for", "more", "."])
    assert sentences(doc) == ["See p . twelve for more ."]


def test_a_bracket_that_is_not_a_marker_does_not_join_the_sentence():
    doc = doc_of(["It", "rose", ".", "[sic]", "Then", "fell", "."])  # no marker span: "[sic]" opens the next
    assert sentences(doc) == ["It rose .", "[sic] Then fell ."]


def test_every_unit_starts_a_sentence_and_none_crosses_a_unit_end():
    words = ["A", "title", "without", "stop", "Body", "one", ".", "Body", "two"]
    doc = doc_of(words, units=[(0, 4), (4, 9)])
    assert sentences(doc) == ["A title without stop", "Body one .", "Body two"]
    assert all(s.end <= 4 or s.start >= 4 for s in doc.sents)


def test_text_between_units_forms_sentences_of_its_own():
    words = ["Heading", "Loading", "...", "widget", "Body", "text", "."]
    doc = doc_of(words, units=[(0, 1), (4, 7)])
    starts = [s.start for s in doc.sents]
    assert starts == [0, 1, 4]


def test_empty_doc_is_left_alone():
    doc = Doc(VOCAB, words=[])
    assert len(SPLIT(doc)) == 0


def test_sentence_index_gives_what_span_sent_gives(extractor):
    """SentenceIndex (read by the record builder) against spaCy's Token.sent, on every corpus token."""
    from claimx.io.readers import read_inputs
    from claimx.nlp.units import SentenceIndex
    from tests.conftest import ROOT

    checked = 0
    for inp in read_inputs([str(ROOT / "corpora")], extractor.config.settings.input):
        doc = extractor.nlp(inp.text)
        index = SentenceIndex(doc)
        for token in doc:
            sent = token.sent
            assert index(token.i) == (sent.start, sent.start_char, sent.end_char)
            checked += 1
    assert checked > 10_000


def test_sentence_index_of_hand_made_sentences():
    from claimx.nlp.units import SentenceIndex

    doc = doc_of(["One", ".", "[1]", "Two", "words", "!", "three"], markers=[2])
    index = SentenceIndex(doc)
    assert [s.text.strip() for s in doc.sents] == ["One . [1]", "Two words ! three"]
    assert index(2) == (0, 0, len("One . [1]"))
    assert index(6) == (3, len("One . [1] "), len("One . [1] Two words ! three"))
    assert SentenceIndex(Doc(VOCAB, words=[])).starts == []
