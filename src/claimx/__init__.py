"""claimx: fact-check articles in, structured and checkable records out."""

from .about import SCHEMA_VERSION, __version__
from .config.settings import Config, load_config
from .nlp.language import load
from .output.table import to_frame
from .run.extractor import Extractor, extract_records

__all__ = ["SCHEMA_VERSION", "Config", "Extractor", "__version__", "extract_records", "load", "load_config", "to_frame"]
