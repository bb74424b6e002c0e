"""The index page's charts as inline SVG (and the verdicts-by-month table that goes with its chart).

Built in Python with :func:`.markup.tag`, which escapes every text and attribute, so
each chart is Markup the templates insert as it is.
"""

from __future__ import annotations

from collections import Counter

from markupsafe import Markup

from .markup import esc, join, tag
from .palette import CERTAINTY_COLOURS, VERDICT_COLOURS, luminance, verdict_class
from .stats import CERTAINTIES, VERDICTS, Stats

_CHAR = 7.3  # width of a 12px monospace character in the SVG charts


def _svg(width: float, height: float, content: Markup, **attrs: object) -> Markup:
    return tag(
        "svg",
        content,
        xmlns="http://www.w3.org/2000/svg",
        width=round(width),
        height=round(height),
        viewBox=f"0 0 {round(width)} {round(height)}",
        role="img",
        **attrs,
    )


def tactic_chart(stats: Stats) -> Markup:
    """Horizontal bars: mentions per label across the archive."""
    order = stats.label_order()
    if not order:
        return tag("p", "No tactic mentions in these records.", class_="note", id="tactic-chart")
    label_w = 16 + _CHAR * max(len(lab) for lab in order)
    bar_w, row = 560, 24
    top = max(stats.labels.values())
    rows = []
    for i, lab in enumerate(order):
        n, y = stats.labels[lab], i * row
        w = max(2.0, bar_w * n / top)
        rows.append(
            tag(
                "g",
                tag("title", f"{lab}: {n} mentions in {stats.label_docs[lab]} documents")
                + tag("text", lab, x=round(label_w - 10), y=y + 16, text_anchor="end")
                + tag(
                    "rect", x=round(label_w), y=y + 4, width=f"{w:.1f}", height=16, rx=2, fill=stats.colours[lab].strong
                )
                + tag("text", n, x=f"{label_w + w + 6:.1f}", y=y + 16),
                class_="bar",
                data_label=lab,
                data_count=n,
            )
        )
    return tag(
        "div",
        _svg(label_w + bar_w + 50, row * len(order) + 6, join(rows), aria_label="tactic mentions per label"),
        class_="chart",
        id="tactic-chart",
    )


def verdict_chart(stats: Stats) -> Markup:
    """Documents per verdict class (bars, in scale order) and, when records are dated, per month (a table)."""
    top = max(stats.verdicts.values(), default=0)
    if not top:
        return tag("p", "No records.", class_="note", id="verdict-chart")
    label_w, bar_w, row = 16 + _CHAR * max(map(len, VERDICTS)), 420, 24
    rows = []
    for i, v in enumerate(VERDICTS):
        n, y = stats.verdicts.get(v, 0), i * row
        w = bar_w * n / top
        rows.append(
            tag(
                "g",
                tag("title", f"{v}: {n} documents")
                + tag("text", v, x=round(label_w - 10), y=y + 16, text_anchor="end")
                + tag("rect", x=round(label_w), y=y + 4, width=f"{w:.1f}", height=16, rx=2, fill=VERDICT_COLOURS[v][0])
                + tag("text", n, x=f"{label_w + w + 6:.1f}", y=y + 16),
                class_="bar",
                data_verdict=v,
                data_count=n,
            )
        )
    chart = tag(
        "div",
        _svg(label_w + bar_w + 50, row * len(VERDICTS) + 6, join(rows), aria_label="documents per verdict"),
        class_="chart",
        id="verdict-chart",
    )
    if not stats.dated:
        return chart
    months = sorted({m for m, _ in stats.verdict_months})
    head = tag(
        "tr",
        tag("th", "month")
        + join(tag("th", tag("span", v, class_=f"badge {verdict_class(v)}"), class_="n") for v in VERDICTS),
    )
    body = join(
        tag(
            "tr",
            tag("td", m) + join(tag("td", stats.verdict_months.get((m, v), 0) or "", class_="n") for v in VERDICTS),
            data_month=m,
        )
        for m in months
    )
    return chart + tag("table", tag("thead", head) + tag("tbody", body), id="verdicts-by-month")


def timeline_chart(stats: Stats) -> Markup:
    """A heat map of mentions per label by month of checked_on.

    When no record has a date, by document instead (the first ``TIMELINE_DOCS`` documents).
    """
    order = stats.label_order()
    if not order:
        return tag("p", "No tactic mentions in these records.", class_="note", id="timeline-chart")
    dated = stats.dated
    if dated:  # "YYYY-MM" columns in order, then "undated" (which sorts after digits)
        cols = sorted({d.month for d in stats.docs})
        heads = cols
        cells = stats.months
    else:
        cols = [doc_id for doc_id, _ in stats.first_docs]
        heads = [d if len(d) <= 26 else "\u2026" + d[-25:] for d in cols]
        cells = Counter({(doc_id, lab): n for doc_id, labels in stats.first_docs for lab, n in labels.items()})
    top = max(cells[(col, lab)] for col in cols for lab in order) or 1
    label_w = 16 + _CHAR * max(len(lab) for lab in order)
    cw, ch = (58, 22) if dated else (30, 22)
    head_h = 30 if dated else 16 + _CHAR * max(len(h) for h in heads) * 0.75
    parts = []
    for j, (col, head) in enumerate(zip(cols, heads, strict=False)):
        x = label_w + j * cw + cw / 2
        if dated:
            parts.append(tag("text", head, x=f"{x:.1f}", y=round(head_h - 10), text_anchor="middle", font_size=11))
        else:
            parts.append(
                tag(
                    "text",
                    tag("title", col) + esc(head),
                    x=f"{x + 4:.1f}",
                    y=round(head_h - 6),
                    transform=f"rotate(-45 {x + 4:.1f} {round(head_h - 6)})",
                    font_size=11,
                )
            )
    for i, lab in enumerate(order):
        y = head_h + i * ch
        parts.append(tag("text", lab, x=round(label_w - 10), y=f"{y + 15:.1f}", text_anchor="end"))
        for j, col in enumerate(cols):
            n = cells.get((col, lab), 0)
            x = label_w + j * cw
            fill = stats.colours[lab].strong if n else "#eef0f4"
            opacity = f"{0.18 + 0.82 * n / top:.3f}" if n else "1"
            cell = tag(
                "rect",
                tag("title", f"{lab} / {col}: {n}"),
                x=round(x + 1),
                y=f"{y + 1:.1f}",
                width=cw - 2,
                height=ch - 2,
                rx=2,
                fill=fill,
                fill_opacity=opacity,
                class_="cell",
                data_label=lab,
                data_col=col,
                data_count=n,
            )
            if n:
                alpha = 0.18 + 0.82 * n / top
                ink = "#fff" if luminance(stats.colours[lab].rgb, alpha) < 0.18 else "#1f2430"
                cell += tag(
                    "text",
                    n,
                    x=f"{x + cw / 2:.1f}",
                    y=f"{y + 15:.1f}",
                    text_anchor="middle",
                    font_size=11,
                    style=f"fill:{ink}",
                )
            parts.append(cell)
    width = label_w + cw * len(cols) + (10 if dated else 120)
    what = "month of checked_on" if dated else "document (no record has a checked_on date)"
    chart = tag(
        "div",
        _svg(width, head_h + ch * len(order) + 6, join(parts), aria_label=f"tactic mentions per label by {what}"),
        class_="chart",
        id="timeline-chart",
        data_by="month" if dated else "document",
    )
    if len(cols) < len(stats.docs) and not dated:
        chart += tag("p", f"The first {len(cols)} of {len(stats.docs)} documents, by doc_id.", class_="note")
    return chart


def certainty_bar(stats: Stats) -> Markup:
    """One bar split by the claims' certainty."""
    total = sum(stats.certainty.values())
    x, rects = 0.0, []
    for c in CERTAINTIES:
        n = stats.certainty.get(c, 0)
        w = 600 * n / total if total else 0
        rects.append(
            tag(
                "rect",
                tag("title", f"{c}: {n}"),
                x=f"{x:.1f}",
                y=0,
                width=f"{w:.1f}",
                height=14,
                fill=CERTAINTY_COLOURS.get(c, "#8894a8"),
                data_certainty=c,
                data_count=n,
            )
        )
        x += w
    return _svg(600, 14, join(rects), aria_label="claims by certainty", preserveAspectRatio="none")
