"""Configuration: the settings (one resolved ``Config``), the pipeline ``.cfg`` with overrides,
and the loaders of the rule files they name."""
