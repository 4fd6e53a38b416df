"""The web shell: locale negotiation, the one money/date formatter, static files."""

from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
