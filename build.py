"""Build the briefing site: `python build.py [build|serve|check] ...` (see README)."""

from briefing.cli import run

run()
