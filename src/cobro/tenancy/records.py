"""Tables of the tenancy feature."""

from __future__ import annotations
