"""congso — open-source digital-government platform for a Vietnamese city."""

__version__ = "0.1.0"
