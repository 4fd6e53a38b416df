"""Identity's pure rules: the permission matrix (and its doc), the password policy, signed tokens, key shapes."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pytest

from cobro.identity.domain import (
    MATRIX,
    PERMISSION_HELP,
    Permission,
    Role,
    TokenError,
    allows,
    api_key_prefix,
    new_api_key,
    password_problems,
    sign_token,
    verify_token,
)

REPO = Path(__file__).resolve().parents[3]
NOW = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.UTC)
SECRET = b"k" * 32


def test_every_role_is_in_the_matrix_and_every_permission_is_documented() -> None:
    assert set(MATRIX) == set(Role)
    assert set(PERMISSION_HELP) == set(Permission)
    assert MATRIX[Role.ADMIN] == frozenset(Permission)


@pytest.mark.parametrize(("role", "permission", "expected"), [
    ("auditor", "ledger.read", True), ("auditor", "audit.read", True), ("auditor", "ledger.write", False),
    ("auditor", "comment.write", False), ("sales", "exception.request", True), ("sales", "approval.decide", False),
    ("collector", "collections.work", True), ("collector", "policy.write", False),
    ("collector", "credit.write", False), ("credit_manager", "approval.decide", True),
    ("credit_manager", "admin.users", False), ("admin", "admin.tenant", True),
    ("nobody", "ledger.read", False), ("admin", "no.such", False),
])
def test_allows(role: str, permission: str, expected: bool) -> None:
    assert allows(role, permission) is expected


def test_permissions_doc_matches_the_code() -> None:
    spec = importlib.util.spec_from_file_location("permissions_doc", REPO / "scripts" / "permissions_doc.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    doc = (REPO / "docs" / "permissions.md").read_text(encoding="utf-8")
    assert module.render(doc) == doc, "docs/permissions.md is stale: run scripts/permissions_doc.py"
    assert "| `approval.decide` | ✓ | ✓ |  |  |  |" in doc  # the table is really there


@pytest.mark.parametrize(("password", "fragment"), [
    ("short1A!", "at least 12"),
    ("a" * 300 + "B1", "at most 256"),
    ("123456789012345", "two kinds"),
    ("abcdefghijklmnop", "two kinds"),
    ("ana.perez-Secret-2026", "e-mail"),
    ("xx-ANA.PEREZ@EXAMPLE.COM-xx", "e-mail"),
])
def test_password_policy_refuses(password: str, fragment: str) -> None:
    problems = password_problems(password, email="ana.perez@example.com")
    assert any(fragment in p for p in problems), problems


def test_password_policy_accepts_a_long_mixed_password() -> None:
    assert password_problems("correct horse battery 9", email="ana@example.com") == []
    assert password_problems("Tr0ub4dor&3xyz", email="ana@example.com") == []


def test_token_round_trip_and_expiry() -> None:
    token = sign_token(SECRET, subject="7", kind="access", now=NOW, ttl=dt.timedelta(minutes=15))
    claims = verify_token(SECRET, token, kind="access", now=NOW + dt.timedelta(minutes=14))
    assert (claims.subject, claims.kind, claims.expires_at - claims.issued_at) == ("7", "access", 900)
    with pytest.raises(TokenError, match="expired"):
        verify_token(SECRET, token, kind="access", now=NOW + dt.timedelta(minutes=15))


def test_tampered_tokens_are_refused() -> None:
    token = sign_token(SECRET, subject="7", kind="access", now=NOW, ttl=dt.timedelta(minutes=15))
    header, body, sig = token.split(".")
    forged = sign_token(SECRET, subject="1", kind="access", now=NOW, ttl=dt.timedelta(minutes=15)).split(".")[1]
    for bad, why in ((f"{header}.{forged}.{sig}", "bad signature"),  # someone else's claims, this signature
                     (f"{header}.{body}.{sig[:-2]}AA", "bad signature"),
                     (f"{header}.{body}", "malformed"), (f"xx.{body}.{sig}", "malformed"),
                     (f"{header}.{body}.!!!", "bad signature|malformed")):
        with pytest.raises(TokenError, match=why):
            verify_token(SECRET, bad, kind="access", now=NOW)
    with pytest.raises(TokenError, match="bad signature"):
        verify_token(b"another secret", token, kind="access", now=NOW)
    with pytest.raises(TokenError, match="not a session token"):
        verify_token(SECRET, token, kind="session", now=NOW)


def test_api_key_shape() -> None:
    prefix, key = new_api_key()
    assert key.startswith(f"cobro_{prefix}_") and len(key) > 50
    assert api_key_prefix(key) == prefix
    assert new_api_key()[1] != key
    for bad in ("", "cobro_", "cobro_abc_x", "other_12345678_secret", "cobro_12345678_"):
        assert api_key_prefix(bad) is None
