"""Zip members read with a hard cap on what they inflate to, whatever their headers say.

A zip header's sizes are written by whoever made the file: a 0.97 MB archive can declare a small member that
inflates to gigabytes.  So sizes are counted as the bytes come out of the decompressor, in small reads, and a
member stops being read one chunk after its cap.  Only stored and deflated members are accepted: zipfile asks the
deflate decompressor for at most the bytes it wants, but hands bzip2 and LZMA a whole compressed read to expand
at once, so one read of those could itself be the bomb.  (Spreadsheets and bank zips use deflate.)
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable

CHUNK = 64 * 1024
SAFE_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}

# what a damaged or lying archive raises while a member is read
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError)


class ZipLimitError(ValueError):
    """A member breaks a limit or cannot be read; the message names the member, not the archive."""


def check_method(info: zipfile.ZipInfo) -> None:
    if info.compress_type not in SAFE_METHODS:
        raise ZipLimitError(f"{info.filename}: compression method {info.compress_type} is not supported "
                            "(stored or deflated only)")


def stream_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int,
                  on_chunk: Callable[[bytes], None] | None = None) -> int:
    """Inflate one member chunk by chunk, handing each chunk to `on_chunk`; return its real size.

    Raises ZipLimitError once more than `cap` bytes came out, or when the member is corrupt."""
    check_method(info)
    size = 0
    try:
        with archive.open(info) as fh:
            while chunk := fh.read(CHUNK):
                size += len(chunk)
                if size > cap:
                    raise ZipLimitError(f"{info.filename}: inflates to more than {cap} bytes "
                                        f"(its header says {info.file_size}): refused")
                if on_chunk is not None:
                    on_chunk(chunk)
    except ZipLimitError:
        raise
    except ZIP_ERRORS as exc:
        raise ZipLimitError(f"{info.filename}: corrupt zip member: {exc}") from exc
    return size


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    """The member's bytes, at most `cap` of them (ZipLimitError beyond)."""
    parts: list[bytes] = []
    stream_member(archive, info, cap, parts.append)
    return b"".join(parts)
