"""Statement zips are read with a hard cap on what each member inflates to, whatever its headers say."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path

import pytest

from cobro.cashapp.bank import StatementParseError, parse_statement
from cobro.kernel.limits import DEFAULT_LIMITS
from tests import hostile


def test_a_zip_whose_headers_understate_the_member_is_refused_without_a_traceback(tmp_path: Path) -> None:
    path = hostile.lying_zip(tmp_path / "lying.zip")
    assert path.stat().st_size < 1024 * 1024
    with pytest.raises(StatementParseError, match=r"lying\.zip!camt053\.xml.*corrupt zip member: Bad CRC-32"):
        parse_statement(path)


def test_a_member_past_the_limit_is_refused_as_it_inflates(tmp_path: Path) -> None:
    path = hostile.oversized_member_zip(tmp_path / "big.zip")
    with pytest.raises(StatementParseError, match=r"big\.zip!n43\.txt.*inflates to more than 52428800 bytes"):
        parse_statement(path)


def test_the_total_over_members_is_capped_too(tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(3):
            zf.writestr(f"s{i}.txt", b"x" * 4000)
    tight = dataclasses.replace(DEFAULT_LIMITS, zip_total_bytes=10_000)
    with pytest.raises(StatementParseError, match=r"many\.zip!s2\.txt.*inflates to more than 2000 bytes"):
        parse_statement(path, tight)


def test_bzip2_and_lzma_members_are_refused_before_inflating(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_BZIP2) as zf:
        zf.writestr("s.txt", b"x" * 1000)
    (tmp_path / "bz.zip").write_bytes(buffer.getvalue())
    with pytest.raises(StatementParseError, match="compression method 12 is not supported"):
        parse_statement(tmp_path / "bz.zip")
