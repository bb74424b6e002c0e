"""Main-content extraction measured on the corpus web pages (corpora/web/): what each extractor keeps.

For every page, against the plain-text rendering of the same article (corpora/articles/):

- article: share of the article's lines (title, headings, paragraphs, bullets, source
  entries) found whole in the extractor's text (markers and small numbers set aside, so
  a footnote written "2" or "[2]" counts alike);
- headings: share of the article's headings found as lines of their own (what the
  section splitter needs);
- chrome: share of the page's chrome and hidden text (``data-chrome``,
  ``data-hidden-test``: test annotations, read only here) that reached the text;
- ms/page.

Extractors: claimx's reader (lxml, settings ``input.html``); every visible text node
(what claimx read before, the floor); trafilatura's ``extract`` when it is installed
(``pip install trafilatura``; not a dependency of claimx), with its default settings and
with ``favor_recall``. Printed, not asserted.

    .venv/bin/python benchmarks/html_extractors.py
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import lxml.html

from claimx.config.settings import load_config
from claimx.io.html import read_html
from claimx.io.readers import read_inputs
from claimx.run.extractor import Extractor

ROOT = Path(__file__).resolve().parents[1]
CONTENT = {"title", "summary", "body", "references"}
_SET_ASIDE = re.compile(r"\[[\d,\s\-\u2013]+\]|(?<!\S)\d{1,2}(?=[\s.,;:)]|$)|\*\*|↩")


def norm(text: str) -> str:
    text = re.sub(r"\[([^\]]+)\]\((?:https?://[^)\s]+)\)", r"\1", text)  # a Markdown link is its text on a page
    text = re.sub(r"(?m)^\s*#{1,6}\s+", "", text)  # and a Markdown heading sign is the heading element
    return " ".join(_SET_ASIDE.sub(" ", text).split())


def visible_text(markup: str) -> str:
    root = lxml.html.document_fromstring(markup)
    for el in root.xpath("//script|//style|//head|//noscript|//template"):
        el.drop_tree()
    body = root.find("body")
    return "\n".join(t.strip() for t in (body if body is not None else root).itertext() if t.strip())


def extractors() -> dict:
    out = {"claimx (lxml + input.html settings)": lambda m: read_html(m).text, "visible text (floor)": visible_text}
    try:
        import trafilatura
    except ImportError:
        print("trafilatura is not installed: only claimx and the floor are measured")
        return out
    out["trafilatura"] = lambda m: trafilatura.extract(m, include_comments=False, include_tables=True) or ""
    out["trafilatura favor_recall"] = lambda m: (
        trafilatura.extract(m, include_comments=False, include_tables=True, favor_recall=True) or ""
    )
    return out


def article_of(page: Path, extractor: Extractor):
    stem = page.stem.split("-", 1)[1]
    (txt,) = [p for p in (ROOT / "corpora" / "articles").glob(stem + ".*") if p.suffix != ".html"]
    (rec,) = list(extractor(read_inputs([str(txt)], load_config().settings.input)))
    lines, headings = [], []
    for s in rec.sections:
        if s.kind not in CONTENT:
            continue
        for line in rec.text[s.start : s.end].splitlines():
            line = (
                re.sub(r"^\s*(?:[-*\u2022]\s+|\[\d+\]\s*|\d+[.)]\s+(?=\S)(?=.*\S))", "", line)
                if s.kind == "references"
                else line
            )
            line = re.sub(r"^\s*[-*\u2022\u25e6]\s+", "", line)
            if norm(line):
                lines.append(norm(line))
        if s.heading:
            headings.append(norm(s.heading))
    return lines, headings, rec.text


def chrome_of(page: Path, article: str) -> list[str]:
    tree = lxml.html.fromstring(page.read_text(encoding="utf-8"))
    pieces = []
    for el in tree.xpath("//*[@data-chrome or @data-hidden-test]"):
        for piece in el.itertext():
            piece = " ".join(piece.split())
            if len(piece) >= 12 and piece not in article:
                pieces.append(piece)
    return pieces


def main() -> None:
    pages = sorted((ROOT / "corpora" / "web").glob("*.html"))
    extractor = Extractor()
    truth = {p: article_of(p, extractor) for p in pages}
    print(f"{len(pages)} pages in {len({p.stem.split('-')[0] for p in pages})} templates\n")
    print("| extractor | article lines kept | headings as lines | chrome reached the text | ms/page |")
    print("|---|---:|---:|---:|---:|")
    for name, fn in extractors().items():
        kept = total = heads = heads_total = leaked = chrome_total = 0
        seconds = 0.0
        for page in pages:
            markup = page.read_text(encoding="utf-8")
            t0 = time.perf_counter()
            text = fn(markup)
            seconds += time.perf_counter() - t0
            lines, headings, article = truth[page]
            flat = norm(text)
            own_lines = {norm(re.sub(r"^\W*\d{1,2}[.)]\s+", "", line.strip("#* "))) for line in text.splitlines()}
            kept += sum(line in flat for line in lines)
            total += len(lines)
            heads += sum(h in own_lines for h in headings)
            heads_total += len(headings)
            chrome = chrome_of(page, " ".join(article.split()))
            squashed = " ".join(text.split())
            leaked += sum(p in squashed for p in chrome)
            chrome_total += len(chrome)
        print(
            f"| {name} | {kept / total:.3f} ({kept}/{total}) | {heads / heads_total:.3f} | "
            f"{leaked / chrome_total:.3f} ({leaked}/{chrome_total}) | {1000 * seconds / len(pages):.1f} |"
        )


if __name__ == "__main__":
    main()
