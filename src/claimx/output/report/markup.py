"""HTML built in Python (the SVG charts, the highlighted text): every piece escaped unless it is Markup.

``esc`` escapes with :func:`html.escape` (``&quot;``, ``&#x27;``), the spelling the
templates use too (see ``build._finalize``), so a report's bytes do not depend on
which side wrote a value. Everything here returns :class:`markupsafe.Markup`, and only
from escaped parts, so the templates insert it as it is.
"""

from __future__ import annotations

import html

from markupsafe import Markup


def esc(value: object) -> Markup:
    """``value`` as HTML text; Markup (already HTML) is left as it is."""
    return Markup(_text(value))


def _text(value: object) -> str:
    """``value`` as HTML text, as a plain str (for building a larger piece that becomes Markup)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value), quote=True)


def attr_text(attrs: dict[str, object]) -> Markup:
    """`` key="value"`` for each attribute, values escaped, None values dropped (keys are the code's own names)."""
    return Markup("".join(f' {key}="{_text(value)}"' for key, value in attrs.items() if value is not None))


def tag(name: str, content: object = "", **attrs: object) -> Markup:
    """``<name a="v">content</name>``; ``class_`` -> class, ``data_x`` -> data-x, None values dropped.

    ``content`` is escaped unless it is Markup (say another ``tag``).
    """
    names = {key.rstrip("_").replace("_", "-"): value for key, value in attrs.items()}
    return Markup(f"<{name}{attr_text(names)}>{_text(content)}</{name}>")


def join(pieces: object, sep: str = "") -> Markup:
    """Markup pieces joined (``"".join`` would give a plain str, escaped again when inserted)."""
    return Markup(sep).join(pieces)
