"""The scorer on small hand-made cases; every expected number is worked out in the comments."""

from __future__ import annotations

import pytest

from claimx.gold.evaluate import Item, missed, rule_table, score

GOLD = [
    Item("d", 0, 5, "A"),  # matched exactly by p1
    Item("d", 10, 20, "A"),  # overlapped (not exact) by p2
    Item("d", 30, 35, "B"),  # missed
]
PRED = [
    Item("d", 0, 5, "A", "r.a.1"),  # exact tp
    Item("d", 12, 25, "A", "r.a.2"),  # overlap tp only
    Item("d", 30, 35, "A", "r.a.1"),  # right span, wrong label: fp
    Item("d", 40, 45, "B", "r.b.1"),  # fp
]


def row(df, label):
    return df.set_index("label").loc[label]


@pytest.mark.parametrize(
    "mode,label,expected",
    [
        # exact: A has 3 predictions, 1 right -> P 1/3; 2 gold, 1 found -> R 1/2; F1 = 2*(1/3)(1/2)/(5/6) = 0.4
        ("exact", "A", (3, 2, 1, 0.3333, 0.5, 0.4)),
        # B: 1 prediction, wrong; 1 gold, missed
        ("exact", "B", (1, 1, 0, 0.0, 0.0, 0.0)),
        # ALL: 4 predictions, 1 right -> 0.25; 3 gold, 1 found -> 0.3333; F1 = 2*.25*.3333/.5833 = 0.2857
        ("exact", "ALL", (4, 3, 1, 0.25, 0.3333, 0.2857)),
        # overlap: A gains p2 -> P 2/3, R 2/2, F1 = 2*(2/3)*1/(5/3) = 0.8
        ("overlap", "A", (3, 2, 2, 0.6667, 1.0, 0.8)),
        # ALL overlap: 2/4 = 0.5, 2/3 = 0.6667, F1 = 2*.5*.6667/1.1667 = 0.5714
        ("overlap", "ALL", (4, 3, 2, 0.5, 0.6667, 0.5714)),
    ],
)
def test_scores(mode, label, expected):
    r = row(score(PRED, GOLD, mode), label)
    assert (r.pred, r.gold, r.tp, r.precision, r.recall, r.f1) == expected


def test_overlap_is_one_to_one():
    gold = [Item("d", 0, 10, "A")]
    pred = [Item("d", 0, 4, "A"), Item("d", 5, 10, "A")]
    r = row(score(pred, gold, "overlap"), "A")
    assert (r.tp, r.precision, r.recall) == (1, 0.5, 1.0)


def test_rule_table():
    table = rule_table(PRED, GOLD, "exact").set_index("rule_id")
    # r.a.1 fired twice: (0,5) right, (30,35) wrong label
    assert table.loc["r.a.1"][["hits", "tp", "fp", "precision"]].tolist() == [2, 1, 1, 0.5]
    assert table.loc["r.b.1"][["hits", "tp", "fp"]].tolist() == [1, 0, 1]


def test_missed_lists_false_negatives():
    assert missed(PRED, GOLD, "overlap")[["label", "start"]].values.tolist() == [["B", 30]]
    assert missed(PRED, GOLD, "exact")[["label", "start"]].values.tolist() == [["A", 10], ["B", 30]]


@pytest.mark.parametrize(
    "spec,inside,outside",
    [
        ("tune=001-024", ["001.txt", "024.txt", "7.txt"], ["025.txt", "x.txt"]),
        ("check=02[5-9]*,03*", ["025.txt", "036.txt"], ["024.txt", "040.txt"]),
        ("both=001-002, articles/*", ["002.txt", "articles/a.md"], ["003.txt"]),
    ],
)
def test_split_specs(spec, inside, outside):
    from claimx.gold.evaluate import Split

    part = Split(spec)
    assert all(d in part for d in inside) and not any(d in part for d in outside)


@pytest.mark.parametrize("spec", ["tune", "=001-024", "tune="])
def test_bad_split_specs(spec):
    from claimx.gold.evaluate import Split

    with pytest.raises(ValueError, match="NAME=SPEC"):
        Split(spec)


def test_sentence_around_a_missed_item(extract):
    from claimx.gold.evaluate import sentence_around

    text = "Q?\nExecutive Summary\nFirst sentence here. Police ran a quiet sting [1]. Last one.\nAnother line.\n"
    record = extract(text)
    start = text.index("sting")
    assert sentence_around(record, start, start + 5) == "Police ran a quiet [sting] [1]."
    start = text.index("line")
    assert sentence_around(record, start, start + 4) == "Another [line]."
