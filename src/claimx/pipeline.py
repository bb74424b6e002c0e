"""claimx's spaCy pipeline, described by ``configs/claimx.cfg`` in spaCy's config system.

``load()`` is to claimx what ``spacy.load()`` is to a trained pipeline: it reads
the config (the packaged one, another ``.cfg``, or a settings ``.yaml`` to use
with the packaged pipeline), applies dotted overrides such as
``{"rules.packs": ["law_enforcement"]}`` and returns the Language.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from thinc.api import Config as SpacyConfig
from thinc.api import ConfigValidationError

from . import claims, components, lemmatizer, rules_component, tokenizer, verdicts  # noqa: F401  (register the factories)
from .errors import ConfigError, Errors
from .settings import Config, load_config

# spaCy's length limit guards the memory of parsers and NER models; claimx's
# rule components work in windows, so only the input reader bounds a document.
MAX_LENGTH = 10**9


def default_pipeline_path() -> Path:
    """The packaged ``claimx.cfg`` (the repository's ``configs/`` folder)."""
    return Path(str(importlib.resources.files("claimx") / "configs" / "claimx.cfg"))


def read_pipeline_config(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> SpacyConfig:
    """The pipeline config with overrides applied, variables filled and ``paths.settings`` absolute.

    ``path`` may also be a settings file (``.yaml``): the packaged pipeline is then
    used with those settings. A relative settings path in a ``.cfg`` starts from the
    ``.cfg``'s folder; one given as an override, from the working directory.
    """
    overrides = dict(overrides or {})
    cfg_path = default_pipeline_path()
    if path is not None and Path(path).suffix.lower() in (".yaml", ".yml"):
        overrides.setdefault("paths.settings", str(Path(path)))
    elif path is not None:
        cfg_path = Path(path)
    try:
        raw = SpacyConfig().from_disk(cfg_path, interpolate=False)
        settings = raw.get("paths", {}).get("settings")
        if isinstance(settings, str) and not Path(settings).is_absolute():
            raw["paths"]["settings"] = str((cfg_path.parent / settings).resolve())
        for key in overrides:
            node = raw
            for part in key.split("."):
                if not isinstance(node, dict) or part not in node:
                    raise ConfigError(Errors.E002, path=cfg_path, message=f"no setting {key!r} to override")
                node = node[part]
        if isinstance(overrides.get("paths.settings"), str):
            overrides["paths.settings"] = str(Path(overrides["paths.settings"]).resolve())
        return SpacyConfig().from_str(raw.to_str(), overrides=overrides)
    except (OSError, ConfigValidationError, ValueError, KeyError) as exc:
        message = " ".join(str(exc).split())
        raise ConfigError(Errors.E002, path=cfg_path, message=message) from None


def settings_of(cfg: SpacyConfig) -> Config:
    """The claimx settings the pipeline config names."""
    return load_config(cfg.get("paths", {}).get("settings"))


def settings_for(path: str | Path | None = None) -> Config:
    """The claimx settings of a ``--config`` value: a pipeline ``.cfg``, a settings ``.yaml`` or None."""
    if path is not None and Path(path).suffix.lower() not in (".yaml", ".yml"):
        return settings_of(read_pipeline_config(path))
    return load_config(path)


def load(config: str | Path | None = None, *, overrides: dict[str, Any] | None = None,
         packs: list[str] | None = None) -> Language:
    """The configured claimx pipeline (no network, no trained model needed).

    ``packs`` is a shortcut for the override ``rules.packs``.
    """
    overrides = dict(overrides or {})
    if packs is not None:
        overrides["rules.packs"] = list(packs)
    cfg = read_pipeline_config(config, overrides)
    try:
        nlp = spacy.util.load_model_from_config(cfg, auto_fill=True, validate=True)
    except ConfigValidationError as exc:
        message = " ".join(str(exc).split())
        raise ConfigError(Errors.E002, path=config or default_pipeline_path(), message=message) from None
    nlp.max_length = MAX_LENGTH
    return nlp

