"""The architecture contracts in pyproject.toml hold, and breaking one fails `lint-imports`.

Each probe copies the package to a temporary directory, adds one module with a forbidden import and runs
import-linter there with the project's own contracts: the run must fail and name the contract that was broken.
The unmodified copy must pass, so a probe cannot succeed because the copy itself is broken.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

PROBES = {
    "kernel-imports-a-feature": (
        "kernel/_probe.py", "from cobro.ledger import records\n",
        "The kernel imports nothing of cobro and no framework"),
    "domain-imports-sqlalchemy": (
        "collections/domain/_probe.py", "import sqlalchemy\n",
        "Domain modules are pure"),
    "platform-imports-a-feature": (
        "platform/_probe.py", "from cobro.collections import service\n",
        "Layers point one way"),
    "feature-service-imports-another-repository": (
        "reporting/_probe.py", "from cobro.collections.repository import work\n",
        "Other features reach collections only through its service, schemas and domain"),
    "feature-service-imports-another-records": (
        "risk/service/_probe.py", "from cobro.cashapp import records\n",
        "Other features reach cashapp only through its service, schemas and domain"),
    "entrypoint-imports-a-repository": (
        "reporting/cli/_probe.py", "from cobro.reporting import repository\n",
        "Entrypoints (cli, api, web) call services, never records or repositories"),
}


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=root, env=env, capture_output=True, text=True,
                          check=False)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("contracts") / "repo"
    shutil.copytree(REPO / "src", root / "src", ignore=shutil.ignore_patterns("__pycache__", "static", "templates"))
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


def test_the_project_keeps_its_contracts(pristine: Path) -> None:
    result = _lint(pristine)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("probe", sorted(PROBES))
def test_breaking_a_contract_fails(probe: str, pristine: Path, tmp_path: Path) -> None:
    module, source, contract = PROBES[probe]
    root = tmp_path / "repo"
    shutil.copytree(pristine, root)
    (root / "src" / "cobro" / module).write_text(source, encoding="utf-8")
    result = _lint(root)
    assert result.returncode != 0, f"{probe}: lint-imports passed although {module} breaks a contract"
    assert contract in result.stdout
    assert "BROKEN" in result.stdout
