"""Every hostile file is refused by the real `cobro` command with 512 MiB of memory (`ulimit -d 524288`).

Each case runs the CLI in a subprocess whose data limit (RLIMIT_DATA: the heap and every private writable
mapping, i.e. all memory an input can make the process allocate) is 512 MiB, and reports the child's peak resident
memory (`ru_maxrss`); the figures are in docs/reliability.md ("Bounded inputs").  Run with `-s` to see them.

Why not `ulimit -v` (address space): importing the CLI maps about 480 MiB of address space before any input is
read (polars' 131 MiB library and its allocator's reservations, numpy's), almost none of it resident, so 512 MiB
of address space leaves a benign import no room while saying nothing about what the input costs.
glibc's per-thread arenas and polars' thread pool are capped (`MALLOC_ARENA_MAX=2`, `POLARS_MAX_THREADS=2`) as
a deployment with a memory limit would.  The cost is the file's, not the database's, so the cases run on SQLite.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from cobro.platform.db.migrate import upgrade
from tests import hostile

LIMIT = 512 * 1024 * 1024
COBRO = Path(sys.executable).parent / "cobro"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_DATA and ru_maxrss as on Linux")


def _policy(content: str) -> Callable[[Path], Path]:
    def write(path: Path) -> Path:
        path.write_text(content, encoding="utf-8")
        return path
    return write


CASES: list[tuple[str, list[str], Callable[[Path], Path], str]] = [
    ("xlsx bomb (1 GiB inflated)", ["import", "invoices"], hostile.xlsx_bomb, "bomb.xlsx"),
    ("xlsx shared strings (64 MiB+)", ["import", "invoices"], hostile.xlsx_shared_strings_bomb, "strings.xlsx"),
    ("xlsx wide row", ["import", "invoices"], hostile.xlsx_wide_row, "wide.xlsx"),
    ("xlsx wide row, no refs", ["import", "invoices"], hostile.xlsx_wide_row_unreferenced, "wide2.xlsx"),
    ("xlsx row 999,999,999", ["import", "invoices"], hostile.xlsx_far_row, "far.xlsx"),
    ("csv 50 MB single line", ["import", "invoices"], hostile.csv_one_long_line, "long.csv"),
    ("csv unclosed quote", ["import", "invoices"], hostile.csv_unclosed_quote, "quote.csv"),
    ("csv NUL byte", ["import", "invoices"], hostile.csv_nul_byte, "nul.csv"),
    ("statement zip, lying header", ["import", "statement"], hostile.lying_zip, "lying.zip"),
    ("statement zip, member > 50 MiB", ["import", "statement"], hostile.oversized_member_zip, "big.zip"),
    ("policy alias bomb", ["policy", "validate"], _policy(hostile.yaml_alias_bomb()), "bomb.yaml"),
    ("policy 100k deep", ["policy", "validate"], _policy(hostile.yaml_deep()), "deep.yaml"),
]


# Linux carries a process's peak RSS across fork and exec (`ru_maxrss` of a child starts at the parent's resident
# size at fork), so a child forked from a large pytest process would report pytest's own peak.  A small Python
# launcher forks the limited child instead and reports that child's `ru_maxrss` from `wait4`.
LAUNCHER = """
import os, resource, sys
limit, out, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
pid = os.fork()
if pid == 0:
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    os.execv(cmd[0], cmd)
_, status, usage = os.wait4(pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def _run_limited(args: list[str], env: dict[str, str], out: Path) -> tuple[int, int]:
    """(exit code, peak RSS in bytes) of `cobro args` under RLIMIT_DATA = LIMIT; output (both streams) to `out`."""
    launched = subprocess.run([sys.executable, "-S", "-c", LAUNCHER, str(LIMIT), str(out), str(COBRO), *args],
                              env=env, capture_output=True, text=True, check=True)
    code, maxrss_kib = (int(v) for v in launched.stdout.split())
    return code, maxrss_kib * 1024


@pytest.mark.parametrize(("case", "command", "make", "name"), CASES, ids=[c[0] for c in CASES])
def test_refused_under_512_mib(tmp_path: Path, case: str, command: list[str], make: Callable[[Path], Path],
                               name: str) -> None:
    db = tmp_path / "cobro.db"
    engine = create_engine(f"sqlite:///{db}")
    upgrade(engine)
    engine.dispose()
    path = make(tmp_path / name)
    env = {**os.environ, "COBRO_DATABASE_URL": f"sqlite:///{db}", "MALLOC_ARENA_MAX": "2",
           "POLARS_MAX_THREADS": "2", "COLUMNS": "200"}
    code, peak = _run_limited([*command, str(path)], env, tmp_path / "out.txt")
    output = (tmp_path / "out.txt").read_text(encoding="utf-8", errors="replace")
    print(f"\n{case}: {path.stat().st_size:,} bytes on disk, exit {code}, peak RSS {peak / 2**20:.0f} MiB")
    assert code == 2, output[-3000:]
    assert "Traceback" not in output and "MemoryError" not in output
    assert name in output
    assert peak < LIMIT
