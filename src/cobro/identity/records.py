"""Tables of the identity feature."""

from __future__ import annotations
