"""claimx's pipeline as a spaCy Language.

``load()`` is to claimx what ``spacy.load()`` is to a trained pipeline: it reads
the config (the packaged one, another ``.cfg``, or a settings ``.yaml`` to use
with the packaged pipeline; see :mod:`claimx.config.pipeline`), applies dotted
overrides such as ``{"rules.packs": ["law_enforcement"]}`` and returns the Language.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from thinc.api import ConfigValidationError

from ..config.pipeline import default_pipeline_path, read_pipeline_config
from ..errors import ConfigError, Errors

# Every component and the tokenizer, so that their factories are registered.
from . import (  # noqa: F401
    citations,
    claims,
    lemmatizer,
    rules_component,
    sections,
    sentences,
    tokenizer,
    verdicts,
)

# spaCy's length limit guards the memory of parsers and NER models; claimx's
# rule components work in windows, so only the input reader bounds a document.
MAX_LENGTH = 10**9


def load(
    config: str | Path | None = None, *, overrides: dict[str, Any] | None = None, packs: list[str] | None = None
) -> Language:
    """The configured claimx pipeline (no network, no trained model needed).

    ``packs`` is a shortcut for the override ``rules.packs``.
    """
    overrides = dict(overrides or {})
    if packs is not None:
        overrides["rules.packs"] = list(packs)
    cfg = read_pipeline_config(config, overrides)
    try:
        with _no_gc():
            nlp = spacy.util.load_model_from_config(cfg, auto_fill=True, validate=True)
    except ConfigValidationError as exc:
        message = " ".join(str(exc).split())
        raise ConfigError(Errors.E002, path=config or default_pipeline_path(), message=message) from None
    nlp.max_length = MAX_LENGTH
    return nlp


@contextmanager
def _no_gc() -> Iterator[None]:
    """The cyclic garbage collector paused while the pipeline is built.

    Compiling the rules makes some 170,000 dicts, lists and tuples that live as long
    as the pipeline; every 700 of them started a collection that walked the growing
    heap for nothing (0.13 s of a 0.7 s build). Reference counting still frees what
    is dropped, and collection resumes as it was afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
