"""briefing: a static intelligence-briefing site generator."""

__version__ = "0.1.0"
