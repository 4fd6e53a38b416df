"""`cobro serve` refuses to expose the dashboard without a secret key and a user, and weak secrets off-local."""

from __future__ import annotations

from pydantic import SecretStr

from cobro.app.serve import refusals
from cobro.platform.settings import Settings

STRONG = SecretStr("s" * 48)


def test_loopback_in_local_needs_nothing() -> None:
    assert refusals(Settings(), "127.0.0.1", users=lambda: 0) == []


def test_network_address_needs_a_secret_and_a_user() -> None:
    found = refusals(Settings(), "0.0.0.0", users=lambda: 0)
    assert len(found) == 2
    assert "COBRO_SECRET_KEY" in found[0] and "at least one user" in found[1]
    assert refusals(Settings(secret_key=STRONG), "0.0.0.0", users=lambda: 1) == []


def test_default_or_short_secrets_are_refused_outside_local() -> None:
    for secret in ("changeme", "secret", "short-but-not-known"):
        found = refusals(Settings(environment="production", secret_key=SecretStr(secret)), "127.0.0.1",
                         users=lambda: 1)
        assert found and "default or too short" in found[0], secret
    assert refusals(Settings(environment="production"), "127.0.0.1", users=lambda: 1)  # empty
    assert refusals(Settings(environment="production", secret_key=STRONG), "127.0.0.1", users=lambda: 1) == []


def test_the_secret_is_not_in_the_settings_repr() -> None:
    assert "s" * 48 not in repr(Settings(secret_key=STRONG))


def test_the_app_itself_refuses_to_sign_with_a_throwaway_key_outside_local() -> None:
    import pytest

    from cobro.app.http import create_app

    with pytest.raises(ValueError, match="COBRO_SECRET_KEY must be set"):
        create_app(Settings(environment="production"))
    assert create_app(Settings(environment="production", secret_key=STRONG)).state.signing_key == b"s" * 48
