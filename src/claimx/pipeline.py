"""Build claimx's spaCy pipeline: blank English plus rule components."""

from __future__ import annotations

import spacy
from spacy.language import Language

from . import components, lemmatizer, rules_component  # noqa: F401  (register the factories)
from .citations import MarkerFinder
from .settings import Config
from .tokenizer import MarkerTokenizer, add_hyphens


def build_nlp(config: Config, *, packs: list[str] | None = None) -> Language:
    """The default pipeline. Built once per process; never pickled.

    ``packs`` picks rule packs by name or folder (default: the settings' list).
    """
    nlp = spacy.blank("en")
    add_hyphens(nlp, config.settings.tokenizer.extra_hyphens)
    nlp.tokenizer = MarkerTokenizer(nlp.tokenizer, MarkerFinder(config).any_marker)
    path = str(config.file)
    nlp.add_pipe("claimx_citations", config={"config_path": path})
    nlp.add_pipe("claimx_sentences", config={"config_path": path})
    nlp.add_pipe("claimx_lemmatizer").initialize()
    nlp.add_pipe("claimx_rules", config={"config_path": path, "packs": packs})
    return nlp
