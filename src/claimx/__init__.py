"""claimx: fact-check articles in, structured and checkable records out."""

from .about import SCHEMA_VERSION, __version__
from .extract import Extractor, extract_records
from .pipeline import load
from .settings import Config, load_config
from .table import to_frame

__all__ = ["SCHEMA_VERSION", "Config", "Extractor", "__version__", "extract_records", "load", "load_config",
           "to_frame"]
