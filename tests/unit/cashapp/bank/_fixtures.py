"""Shared fixture location: /work/shared/fixtures, reached relative to the repository (never copied in)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SHARED

FIXTURES = SHARED / "fixtures"


def fixture_path(relative: str) -> Path:
    path = FIXTURES / relative
    if not path.exists():
        pytest.skip(f"shared fixture {relative} not available (expected under {FIXTURES})")
    return path


def fixture_files(folder: str, pattern: str = "*") -> list[Path]:
    """Files of a fixture folder for parametrisation; empty (tests then skip) when fixtures are absent."""
    base = FIXTURES / folder
    if not base.is_dir():
        return []
    skip = {"README.md", "LICENSE"}
    return sorted(p for p in base.rglob(pattern) if p.is_file() and p.name not in skip and "expected" not in p.parts)


def rel(path: Path) -> str:
    return path.relative_to(FIXTURES).as_posix()
