"""Scoring verdicts against gold: accuracy, a confusion matrix, P/R/F1 per class.

Gold is either claimx records (their ``verdict``) or a verdict file with one object
per line, ``{doc_id, verdict, verdict_text, start, end, claim, claim_start,
claim_end}`` (the form of ``../shared/dev/verdicts.jsonl``). A record without a
verdict counts as ``none``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import ConfigError, Errors, validation_problems
from ..io.jsonl import read_jsonl
from ..nlp.verdicts import SCALE
from ..records.schema import Record

if TYPE_CHECKING:
    import pandas as pd


class VerdictGold(BaseModel):
    """One line of a verdict gold file (other keys, such as notes, are ignored)."""

    model_config = ConfigDict(extra="ignore")

    doc_id: str
    verdict: str
    verdict_text: str | None = None
    start: int | None = None
    end: int | None = None
    claim_start: int | None = None
    claim_end: int | None = None


@dataclass(frozen=True)
class Judged:
    """A document's verdict as one side (pred or gold) sees it."""

    label: str
    span: tuple[int, int] | None = None
    claim: tuple[int, int] | None = None


def is_verdict_file(path: Path) -> bool:
    """Whether ``path`` (a file) holds verdict lines rather than records or span annotations."""
    if path.is_dir():
        return False
    for _, obj in read_jsonl(path, what="a record", comments=True):
        return "verdict" in obj and "schema_version" not in obj and "spans" not in obj
    return False


def read_verdict_gold(path: Path) -> dict[str, Judged]:
    out: dict[str, Judged] = {}
    for lineno, obj in read_jsonl(path, what="a verdict", comments=True):
        try:
            g = VerdictGold.model_validate(obj)
        except ValidationError as exc:
            raise ConfigError(Errors.E050, path=path, line=lineno, problem=validation_problems(exc)[0]) from None
        if g.verdict not in SCALE:
            raise ConfigError(
                Errors.E050, path=path, line=lineno, problem=f"verdict {g.verdict!r} is not one of {', '.join(SCALE)}"
            )
        if g.doc_id in out:
            raise ConfigError(Errors.E050, path=path, line=lineno, problem=f"duplicate doc_id {g.doc_id!r}")
        span = (g.start, g.end) if g.start is not None and g.end is not None else None
        claim = (g.claim_start, g.claim_end) if g.claim_start is not None and g.claim_end is not None else None
        out[g.doc_id] = Judged(g.verdict, span, claim)
    return out


def judged(record: Record) -> Judged:
    v, c = record.verdict, record.claim_reviewed
    return Judged(v.label if v else "none", (v.start, v.end) if v else None, (c.start, c.end) if c else None)


def confusion(pred: dict[str, Judged], gold: dict[str, Judged], doc_ids: list[str]) -> pd.DataFrame:
    """Counts of gold class (rows) by predicted class (columns), in scale order."""
    import pandas as pd

    table = pd.DataFrame(0, index=pd.Index(SCALE, name="gold"), columns=pd.Index(SCALE, name="pred"))
    for d in doc_ids:
        table.loc[gold[d].label, pred[d].label] += 1
    return table


def class_table(matrix: pd.DataFrame) -> pd.DataFrame:
    """Precision, recall and F1 per class (and their support) from a confusion matrix."""
    import pandas as pd

    rows = []
    for label in SCALE:
        tp = int(matrix.loc[label, label])
        n_pred, n_gold = int(matrix[label].sum()), int(matrix.loc[label].sum())
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        rows.append(
            {
                "label": label,
                "gold": n_gold,
                "pred": n_pred,
                "precision": round(p, 4),
                "recall": round(r, 4),
                "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
            }
        )
    return pd.DataFrame(rows)


def accuracy(matrix: pd.DataFrame) -> float:
    total = int(matrix.to_numpy().sum())
    return round(sum(int(matrix.loc[c, c]) for c in SCALE) / total, 4) if total else 0.0


def span_agreement(pred: dict[str, Judged], gold: dict[str, Judged], doc_ids: list[str], what: str) -> tuple[int, int]:
    """(documents whose predicted ``what`` span overlaps gold's, documents where gold has one)."""
    hit = total = 0
    for d in doc_ids:
        g, p = getattr(gold[d], what), getattr(pred[d], what)
        if g is None:
            continue
        total += 1
        hit += p is not None and p[0] < g[1] and g[0] < p[1]
    return hit, total
