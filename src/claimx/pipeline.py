"""Build claimx's spaCy pipeline: blank English plus rule components."""

from __future__ import annotations

import spacy
from spacy.language import Language

from . import components  # noqa: F401  (registers the factories)
from .citations import MarkerFinder
from .settings import Config
from .tokenizer import MarkerTokenizer, add_hyphens


def build_nlp(config: Config) -> Language:
    """The default pipeline. Built once per process; never pickled."""
    nlp = spacy.blank("en")
    add_hyphens(nlp, config.settings.tokenizer.extra_hyphens)
    nlp.tokenizer = MarkerTokenizer(nlp.tokenizer, MarkerFinder(config).any_marker)
    path = str(config.file)
    nlp.add_pipe("claimx_citations", config={"config_path": path})
    nlp.add_pipe("claimx_sentences", config={"config_path": path})
    return nlp
