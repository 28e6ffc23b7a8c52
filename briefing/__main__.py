"""Allow `python -m briefing`."""

from briefing.cli import run

run()
