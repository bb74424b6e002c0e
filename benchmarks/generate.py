"""Write a synthetic archive of fact-check articles, deterministic by seed.

Structure comes from the bundled corpus: claimx's own section splitter marks
which lines are prose; every other line (furniture, titles, headings, bullets'
signs) is kept as a template. Prose is rewritten from a large generated
vocabulary with Zipf-like frequencies, mixed with tactic phrases taken from the
rule packs, citation markers and a few contractions, so that no two articles
repeat and the tokenizer cache is not flattered.

    python benchmarks/generate.py OUT_DIR -n 2000 --seed 1
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
from itertools import accumulate
from pathlib import Path

from claimx.config.settings import load_config
from claimx.io.readers import read_inputs
from claimx.layout.sections import SectionSplitter

ROOT = Path(__file__).resolve().parents[1]
ONSETS = "b c d f g h j k l m n p r s t v w z br cr dr fr gr pl pr st tr ch sh th".split()
VOWELS = "a e i o u ai ea io ou".split()
CODAS = ["", "", "n", "r", "s", "t", "l", "nd", "st", "rk"]
CONTRACTIONS = ["don't", "it's", "isn't", "can't", "won't", "they're", "that's", "wasn't"]


def vocabulary(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        n = rng.choice((1, 2, 2, 3, 3, 4))
        words.add("".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(n)))
    return sorted(words)


def _rule_lines(path: Path):
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            yield json.loads(line)


def lexicon_words() -> dict[str, list[str]]:
    """Words of every lexicon (shared and per pack), includes resolved shallowly."""
    rules = ROOT / "configs" / "rules"
    lexicons: dict[str, dict] = {}
    for path in [rules / "lexicons.jsonl", *sorted(rules.glob("*/lexicons.jsonl"))]:
        if path.exists():
            lexicons.update({lex["id"]: lex for lex in _rule_lines(path)})
    return {
        name: lex.get("words", [])
        + [w for inc in lex.get("include", []) for w in lexicons.get(inc, {}).get("words", [])]
        for name, lex in lexicons.items()
    }


def tactic_phrases() -> list[str]:
    """Phrase patterns of the packs ("@name" stands for a word of that lexicon, "?" marks an optional part)."""
    phrases = []
    for path in sorted((ROOT / "configs" / "rules").glob("*/tactics.jsonl")):
        phrases.extend(rule["pattern"] for rule in _rule_lines(path) if isinstance(rule["pattern"], str))
    return phrases


def realise(phrase: str, words: dict[str, list[str]], rng: random.Random) -> str:
    out = []
    for item in phrase.split():
        if item.endswith("?") and len(item) > 1:
            if rng.random() < 0.5:
                continue
            item = item[:-1]
        out.append(rng.choice(words.get(item[1:]) or ["x"]) if item.startswith("@") else item)
    return " ".join(out) or "x"


class Prose:
    def __init__(self, rng: random.Random, vocab_size: int = 40000) -> None:
        self.rng = rng
        self.words = vocabulary(rng, vocab_size)
        rng.shuffle(self.words)  # frequency rank must not follow the alphabet
        self.cum = list(accumulate(1.0 / (rank + 1) ** 1.07 for rank in range(len(self.words))))
        self.tactics = tactic_phrases() or ["x"]
        self.lexicons = lexicon_words()

    def word(self) -> str:
        return self.words[bisect.bisect(self.cum, self.rng.random() * self.cum[-1])]

    def sentence(self) -> str:
        rng = self.rng
        words = [self.word() for _ in range(rng.randint(8, 28))]
        if rng.random() < 0.5:
            words.insert(rng.randrange(len(words)), realise(rng.choice(self.tactics), self.lexicons, rng))
        if rng.random() < 0.15:
            words.insert(rng.randrange(len(words)), rng.choice(CONTRACTIONS))
        if rng.random() < 0.1:
            words.insert(rng.randrange(len(words)), f"{rng.randint(2, 999)} {self.word()}s")
        text = " ".join(words)
        text = text[0].upper() + text[1:]
        if rng.random() < 0.6:
            text += " " + " ".join(f"[{rng.randint(1, 9)}]" for _ in range(rng.randint(1, 3)))
        return text + "."

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 6)))


def templates() -> list[tuple[str, list[tuple[int, int]]]]:
    """(text, prose spans to replace) for each corpus document."""
    config = load_config()
    splitter = SectionSplitter(config)
    out = []
    for inp in read_inputs([str(ROOT / "corpora")], config.settings.input):
        layout = splitter(inp.text)
        spans = [(u.start, u.end) for u in layout.units if u.role == "paragraph"]
        out.append((inp.text, spans))
    return out


def generate(out_dir: Path, n: int, seed: int) -> int:
    rng = random.Random(seed)
    prose = Prose(rng)
    tpls = templates()
    out_dir.mkdir(parents=True, exist_ok=True)
    words = 0
    for i in range(n):
        text, spans = tpls[rng.randrange(len(tpls))]
        pieces, pos = [], 0
        for start, end in spans:
            para = prose.paragraph()
            words += para.count(" ") + 1
            pieces += [text[pos:start], para]
            pos = end
        pieces.append(text[pos:])
        shard = out_dir / f"{i // 1000:04d}"
        shard.mkdir(exist_ok=True)
        (shard / f"doc{i:07d}.txt").write_text("".join(pieces), encoding="utf-8")
    return words


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("-n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    words = generate(args.out, args.n, args.seed)
    print(f"wrote {args.n} documents ({words} words of prose) to {args.out}")


if __name__ == "__main__":
    main()
