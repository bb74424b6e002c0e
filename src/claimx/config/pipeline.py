"""claimx's pipeline config: ``configs/claimx.cfg`` in spaCy's config system, read and checked.

:func:`read_pipeline_config` reads the config (the packaged one, another ``.cfg``, or
a settings ``.yaml`` to use with the packaged pipeline) and applies dotted overrides
such as ``{"rules.packs": ["law_enforcement"]}``; :func:`claimx.nlp.language.load`
turns it into the Language.
"""

from __future__ import annotations

import configparser
import difflib
import importlib.resources
import re
from pathlib import Path
from typing import Any

from thinc.api import Config as SpacyConfig
from thinc.api import ConfigValidationError

from ..errors import ConfigError, Errors
from .rulefiles import read_config_text
from .settings import Config, load_config

# Sections a pipeline config may hold: spaCy's own and claimx's [paths] and [rules].
KNOWN_SECTIONS = frozenset(
    {"paths", "rules", "nlp", "components", "system", "corpora", "training", "pretraining", "initialize"}
)
RULES_KEYS = frozenset({"packs"})
MAX_EXPANDED = 1_000_000  # characters one .cfg value may expand to through ${...} variables
_REF = re.compile(r"\$\{([^}]*)\}")


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
    text = read_config_text(cfg_path)
    try:
        raw = SpacyConfig().from_str(text, interpolate=False)
        check_sections(raw, cfg_path)
        check_interpolation(raw, cfg_path)
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
    except (OSError, ConfigValidationError, ValueError, KeyError, configparser.Error) as exc:
        message = " ".join(str(exc).split())
        raise ConfigError(Errors.E002, path=cfg_path, message=message) from None


def check_sections(raw: SpacyConfig, path: Path) -> None:
    """Refuse a section spaCy and claimx do not know (a typo would be ignored silently) and unknown [rules] keys."""
    for name in raw:
        if name not in KNOWN_SECTIONS:
            raise ConfigError(
                Errors.E033, path=path, what="section", name=f"[{name}]", hint=_did_you_mean(name, KNOWN_SECTIONS)
            )
    for key in raw.get("rules", {}):
        if key not in RULES_KEYS:
            raise ConfigError(
                Errors.E033, path=path, what="key", name=f"rules.{key}", hint=_did_you_mean(key, RULES_KEYS)
            )


def _did_you_mean(name: str, known) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(sorted(known))})"


def check_interpolation(raw: SpacyConfig, path: Path, limit: int = MAX_EXPANDED) -> None:
    """Refuse ``${section.key}`` variables that refer to themselves or expand past ``limit`` characters.

    thinc fills variables by substitution, so a chain of values each naming the one
    before it several times grows exponentially (a 1 KB file ran for minutes and took
    gigabytes). The expanded size of each value is counted here first, once per value.
    """
    leaves: dict[str, str] = {}

    def flatten(node: dict, prefix: str) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                flatten(value, f"{prefix}{key}.")
            else:
                leaves[f"{prefix}{key}"] = value if isinstance(value, str) else str(value)

    flatten(raw, "")
    sizes: dict[str, int] = {}

    def size(key: str, stack: tuple[str, ...]) -> int:
        if key in sizes:
            return sizes[key]
        if key in stack:
            chain = " -> ".join(f"${{{k}}}" for k in (*stack[stack.index(key) :], key))
            raise ConfigError(Errors.E032, path=path, message=f"variables refer to themselves: {chain}")
        value = leaves.get(key)
        if value is None:
            return len(key) + 3  # not a value (a section, or unknown: thinc reports it)
        total = len(_REF.sub("", value))
        for ref in _REF.findall(value):
            total += size(ref, (*stack, key))
            if total > limit:
                raise ConfigError(
                    Errors.E032,
                    path=path,
                    message=f"${{{key}}} expands to more than {limit} characters through nested "
                    "${...} variables; refused before thinc fills them",
                )
        sizes[key] = total
        return total

    for key in leaves:
        size(key, ())


def settings_for(source: SpacyConfig | str | Path | None = None) -> Config:
    """The claimx settings of a pipeline: a read pipeline config, a ``--config`` value
    (a ``.cfg`` or a settings ``.yaml``) or None (the packaged ones).

    The one way to the settings from outside a pipeline; inside one, a component holds
    the same :class:`Config` (``nlp.get_pipe("claimx_sections").config``). Settings
    files are read once per process and version (:func:`load_config`).
    """
    if isinstance(source, SpacyConfig):
        return load_config(source.get("paths", {}).get("settings"))
    if source is not None and Path(source).suffix.lower() not in (".yaml", ".yml"):
        return settings_for(read_pipeline_config(source))
    return load_config(source)
