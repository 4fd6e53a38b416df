"""deploy/: the systemd units parse, harden the service and start real cobro commands; the environment example
names only real settings; the reverse proxy terminates TLS, forwards the proxy headers and hides /metrics."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cobro.app.cli import app
from cobro.platform.settings import Settings

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
HARDENING = {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
             "PrivateDevices": "yes", "RestrictSUIDSGID": "yes", "CapabilityBoundingSet": "",
             "SystemCallArchitectures": "native"}


def parse_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """Sections -> key -> values (a key may repeat), as systemd reads them: comments and blank lines skipped."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None and "=" in line, f"{path.name}:{number}: not a key=value line in a section"
        key, value = line.split("=", 1)
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def test_both_units_exist() -> None:
    assert [u.name for u in UNITS] == ["cobro-web.service", "cobro-worker.service"]


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_unit_is_hardened_and_starts_a_real_command(unit: Path) -> None:
    found = parse_unit(unit)
    assert set(found) == {"Unit", "Service", "Install"}
    service = found["Service"]
    assert found["Unit"]["Description"] and found["Install"]["WantedBy"] == ["multi-user.target"]
    assert service["User"] == ["cobro"] and service["EnvironmentFile"] == ["/etc/cobro/cobro.env"]
    assert service["Restart"] == ["on-failure"]
    for key, value in HARDENING.items():
        assert service.get(key) == [value], f"{unit.name}: {key}={value} missing"
    assert service["ReadWritePaths"] == ["/var/lib/cobro"]
    (exec_start,) = service["ExecStart"]
    binary, *args = exec_start.split()
    assert binary == "/opt/cobro/.venv/bin/cobro"
    # the command and its options exist: `cobro <args> --help` accepts them
    result = CliRunner().invoke(app, [*args, "--help"])
    assert result.exit_code == 0, result.output


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_systemd_accepts_every_line(unit: Path, tmp_path: Path) -> None:
    """`systemd-analyze verify` warns about an unknown key or a bad value (and a missing binary: the copy points
    ExecStart at this checkout's cobro)."""
    cobro = Path(sys.executable).with_name("cobro")
    copy = tmp_path / unit.name
    copy.write_text(unit.read_text(encoding="utf-8").replace("/opt/cobro/.venv/bin/cobro", str(cobro)),
                    encoding="utf-8")
    done = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr


def test_environment_example_names_only_real_settings() -> None:
    names = [line.split("=", 1)[0] for line in (DEPLOY / "cobro.env.example").read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    fields = {f"COBRO_{name.upper()}" for name in Settings.model_fields}
    assert "COBRO_DATABASE_URL" in names and "COBRO_SECRET_KEY" in names
    assert [n for n in names if n not in fields and n != "PROMETHEUS_MULTIPROC_DIR"] == []
    assert len(names) == len(set(names))


def test_reverse_proxy_terminates_tls_and_hides_metrics() -> None:
    conf = (DEPLOY / "nginx" / "cobro.conf").read_text(encoding="utf-8")
    assert re.search(r"listen 443 ssl( http2)?;", conf) and "ssl_certificate " in conf and "ssl_certificate_key " in conf
    assert "return 301 https://" in conf
    for header in ("Host", "X-Forwarded-For", "X-Forwarded-Proto", "X-Request-ID"):
        assert f"proxy_set_header {header} " in conf
    assert re.search(r"location = /metrics \{\s*deny all;\s*\}", conf)
    assert "proxy_pass http://127.0.0.1:8000;" in conf


@pytest.mark.skipif(shutil.which("nginx") is None or shutil.which("openssl") is None, reason="nginx not installed")
def test_nginx_accepts_the_site(tmp_path: Path) -> None:
    """`nginx -t` on the site inside a minimal main configuration, with a throwaway certificate in place of the
    real one's paths."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=cobro.example.com", "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
                   capture_output=True, check=True, timeout=60)
    site = (DEPLOY / "nginx" / "cobro.conf").read_text(encoding="utf-8")
    site = site.replace("/etc/letsencrypt/live/cobro.example.com/fullchain.pem", str(tmp_path / "cert.pem"))
    site = site.replace("/etc/letsencrypt/live/cobro.example.com/privkey.pem", str(tmp_path / "key.pem"))
    (tmp_path / "site.conf").write_text(site, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  include {tmp_path}/site.conf;\n}}\n", encoding="utf-8")
    done = subprocess.run(["nginx", "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
