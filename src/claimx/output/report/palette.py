"""Colours of the report: one per tactic label (by its position in the sorted labels), one per verdict class.

The rules that use them are CSS written here from the colours (``label_css``,
``verdict_css``), so a colour is named once; the rest of the style is ``static/report.css``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

# Verdict classes in scale order, then records with no verdict; a fixed colour each (background, text).
VERDICT_COLOURS = {
    "true": ("#2e8b57", "#fff"),
    "partly_true": ("#7fb77e", "#10311a"),
    "misleading": ("#e0a21b", "#3b2600"),
    "false": ("#d04545", "#fff"),
    "unsupported": ("#8a6fb0", "#fff"),
    "none": ("#b8c0cc", "#1f2430"),
    "not read": ("#e4e7ed", "#3a4252"),
}
CERTAINTY_COLOURS = {"asserted": "#3f9a63", "hedged": "#e0a21b", "negated": "#d04545"}


@dataclass(frozen=True)
class Colour:
    index: int
    strong: str  # bars, underlines, chips
    tint: str  # highlight background
    rgb: tuple[float, float, float]  # of ``strong``, 0..1


def palette(labels: Iterable[str]) -> dict[str, Colour]:
    """A colour per label, by its position in the sorted label list.

    Hues are evenly spaced in OKLCH (perceptually even, unlike HSL). Up to 12 labels
    get a hue each; with more, the second half of the list takes the hues half-way
    between those of the first half, in a darker band. Neighbours in the list are
    spread round the wheel, so labels that sort together do not look alike.
    """
    names = sorted(set(labels))
    hues = len(names) if len(names) <= 12 else -(-len(names) // 2)
    coprime = [k for k in range(1, hues) if math.gcd(k, hues) == 1]
    step = min(coprime, key=lambda k: (abs(k - 0.382 * hues), k), default=1)  # about a golden angle
    out = {}
    for i, label in enumerate(names):
        band = i // hues
        hue = (((i * step) % hues + band / 2) / hues * 360 + 250) % 360  # the first label is blue
        strong = _oklch(0.45 if band else 0.60, 0.16, hue)
        tint = _oklch(0.84 if band else 0.90, 0.09 if band else 0.08, hue)
        out[label] = Colour(i, _hex(strong), _hex(tint), strong)
    return out


def _oklch(lightness: float, chroma: float, hue: float) -> tuple[float, float, float]:
    """sRGB (0..1) of an OKLCH colour, chroma reduced until it fits the sRGB gamut."""
    a, b = chroma * math.cos(math.radians(hue)), chroma * math.sin(math.radians(hue))
    lms = [
        (lightness + 0.3963377774 * a + 0.2158037573 * b) ** 3,
        (lightness - 0.1055613458 * a - 0.0638541728 * b) ** 3,
        (lightness - 0.0894841775 * a - 1.2914855480 * b) ** 3,
    ]
    rgb = [
        4.0767416621 * lms[0] - 3.3077115913 * lms[1] + 0.2309699292 * lms[2],
        -1.2684380046 * lms[0] + 2.6097574011 * lms[1] - 0.3413193965 * lms[2],
        -0.0041960863 * lms[0] - 0.7034186147 * lms[1] + 1.7076147010 * lms[2],
    ]
    if chroma > 0.005 and not all(-1e-6 <= c <= 1 + 1e-6 for c in rgb):
        return _oklch(lightness, chroma * 0.95, hue)
    clipped = [min(1.0, max(0.0, c)) for c in rgb]
    r, g, b = (12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055 for c in clipped)
    return (r, g, b)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb)


def luminance(rgb: tuple[float, float, float], alpha: float) -> float:
    """Relative luminance of ``rgb`` laid over white with opacity ``alpha``."""
    shade = [alpha * c + 1 - alpha for c in rgb]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in shade]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def verdict_class(verdict: str) -> str:
    """The CSS class of a verdict class's badge (``not read`` -> ``v-not-read``)."""
    return "v-" + verdict.replace(" ", "-")


def verdict_css() -> str:
    """Verdict badges and the verdict phrase's outline, in the colours of VERDICT_COLOURS."""
    badges = "".join(f".{verdict_class(v)}{{background:{bg};color:{fg}}}\n" for v, (bg, fg) in VERDICT_COLOURS.items())
    outline = (
        ".verdict{background:none;color:inherit;outline:2.5px solid #1f2430;outline-offset:1px;border-radius:3px}\n"
    )
    outlines = "".join(
        f".verdict.v-{v}{{outline-color:{bg}}}\n" for v, (bg, _) in VERDICT_COLOURS.items() if v != "not read"
    )
    return badges + outline + outlines


def label_css(colours: dict[str, Colour]) -> str:
    """A ``.lab-N`` rule per label: its strong colour and its tint as CSS variables."""
    return "".join(f".lab-{c.index}{{--c:{c.strong};--t:{c.tint}}}\n" for c in colours.values())
