"""Package metadata kept in one place."""

__title__ = "claimx"
__version__ = "0.1.0"
# Bumped whenever the shape or meaning of an output record changes.
SCHEMA_VERSION = "1.2"
