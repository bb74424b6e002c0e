"""claimx: fact-check articles in, structured and checkable records out."""

from .about import SCHEMA_VERSION, __version__
from .extract import Extractor, extract_records
from .settings import Config, load_config

__all__ = ["SCHEMA_VERSION", "Config", "Extractor", "__version__", "extract_records", "load_config"]
