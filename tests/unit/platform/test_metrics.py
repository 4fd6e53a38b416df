"""The process counters /metrics exposes, in one process and summed over several (PROMETHEUS_MULTIPROC_DIR)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from cobro.platform import metrics


def value(body: bytes, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(body.decode()):
        for s in family.samples:
            if s.name == name and s.labels == labels:
                return float(s.value)
    return 0.0


def test_recorders_count_what_they_are_told() -> None:
    before = metrics.exposition()
    metrics.record_import(tenant="t-unit", kind="invoices", rows=120, errors=0, dry_run=False)
    metrics.record_import(tenant="t-unit", kind="invoices", rows=7, errors=3, dry_run=False)
    metrics.record_job(job="cycle", ok=True, seconds=2.5)
    metrics.record_job(job="cycle", ok=False, seconds=0.1)
    metrics.record_cycle(tenant="t-unit", seconds=4.0, actions=[("email", 5), ("call", 2)])
    after = metrics.exposition()

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("cobro_import_rows_total", tenant="t-unit", kind="invoices") == 127
    assert grew("cobro_import_errors_total", tenant="t-unit", kind="invoices") == 3
    assert grew("cobro_imports_total", tenant="t-unit", kind="invoices", outcome="ok") == 1
    assert grew("cobro_imports_total", tenant="t-unit", kind="invoices", outcome="rejected") == 1
    assert grew("cobro_job_runs_total", job="cycle", outcome="failed") == 1
    assert grew("cobro_job_duration_seconds_sum", job="cycle") == pytest.approx(2.6)
    assert grew("cobro_cycle_actions_total", tenant="t-unit", channel="email") == 5
    assert grew("cobro_cycle_duration_seconds_count", tenant="t-unit") == 1


_RECORD = """
from cobro.platform import metrics
metrics.record_job(job="deliver", ok=True, seconds=1.0)
metrics.record_import(tenant="t1", kind="payments", rows={rows}, errors=0, dry_run=False)
"""
_SCRAPE = """
import sys
from cobro.platform import metrics
sys.stdout.write(metrics.exposition().decode())
"""


def test_several_processes_add_up_in_the_multiprocess_directory(tmp_path: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for rows in (10, 32):  # e.g. the worker and a CLI import, each its own process
        subprocess.run([sys.executable, "-c", _RECORD.format(rows=rows)], env=env, check=True, timeout=60)
    scraped = subprocess.run([sys.executable, "-c", _SCRAPE], env=env, check=True, timeout=60,
                             capture_output=True).stdout
    assert value(scraped, "cobro_import_rows_total", tenant="t1", kind="payments") == 42
    assert value(scraped, "cobro_job_runs_total", job="deliver", outcome="ok") == 2
