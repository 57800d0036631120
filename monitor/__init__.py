"""monitor: watch published news articles and record every edit made to them."""

__version__ = "0.1.0"
