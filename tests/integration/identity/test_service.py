"""Identity's use cases on SQLite and PostgreSQL: users, hashing, throttling, refresh rotation, API keys."""

from __future__ import annotations

import datetime as dt

import pytest

from cobro.identity import service
from cobro.identity.repository import IDENTITY
from cobro.identity.schemas import LoginResult
from cobro.kernel.errors import ConflictError, InvalidInputError, NotFoundError
from cobro.platform.container import Container
from cobro.platform.tenants import resolve_tenant

NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)
SECRET = b"x" * 32
PASSWORD = "Sunny-harbour-2026"


def _user(container: Container, email: str = "ana@example.com", role: str = "collector") -> None:
    with container.uow() as uow:
        service.create_user(uow, email=email, password=PASSWORD)
        service.add_membership(uow, email=email, tenant="default", role=role)
        uow.commit()


def _login(container: Container, password: str, *, email: str = "ana@example.com", address: str = "10.0.0.1",
           at: dt.datetime = NOW) -> LoginResult:
    with container.uow() as uow:
        result = service.authenticate(uow, email=email, password=password, address=address, now=at)
        uow.commit()
    return result


def test_users_are_stored_with_argon2id_and_verified(container: Container) -> None:
    _user(container, "Ana@Example.COM")
    with container.uow() as uow:
        row = uow.repo(IDENTITY).user_by_email("ana@example.com")
        assert row is not None and row.password_hash.startswith("$argon2id$") and PASSWORD not in row.password_hash
        with pytest.raises(ConflictError, match="exists"):
            service.create_user(uow, email="ana@example.com", password=PASSWORD)
        with pytest.raises(InvalidInputError, match="password: must have at least 12") as bad:
            service.create_user(uow, email="bo@example.com", password="short")
        assert bad.value.problems[0].column == "password"
        with pytest.raises(InvalidInputError, match="email:"):
            service.create_user(uow, email="not an address", password=PASSWORD)
    ok = _login(container, PASSWORD, email=" ANA@example.com ")
    assert ok.ok and ok.user is not None and ok.user.memberships[0].tenant == "default"
    assert not _login(container, PASSWORD + "x").ok
    assert not _login(container, PASSWORD, email="nobody@example.com").ok
    with container.uow() as uow:
        assert [u.last_login_at for u in service.list_users(uow)] == [NOW]


def test_memberships_default_tenant_and_roles(container: Container) -> None:
    _user(container)
    with container.uow() as uow:
        resolve_tenant(uow.session, "north", create=True)
        user = service.add_membership(uow, email="ana@example.com", tenant="north", role="auditor")
        assert {(m.tenant, m.role, m.is_default) for m in user.memberships} == {
            ("default", "collector", True), ("north", "auditor", False)}
        user = service.add_membership(uow, email="ana@example.com", tenant="north", role="sales", default=True)
        assert {(m.tenant, m.role, m.is_default) for m in user.memberships} == {
            ("default", "collector", False), ("north", "sales", True)}
        with pytest.raises(NotFoundError, match="ghost"):
            service.add_membership(uow, email="ana@example.com", tenant="ghost", role="sales")
        with pytest.raises(InvalidInputError, match="unknown role"):
            service.add_membership(uow, email="ana@example.com", tenant="north", role="boss")


def test_five_failures_lock_the_account_for_fifteen_minutes(container: Container) -> None:
    _user(container)
    for i in range(service.ACCOUNT_FAILURES):
        result = _login(container, "wrong-password-1", address=f"10.0.0.{i}", at=NOW + dt.timedelta(seconds=i))
        assert not result.ok and result.locked_until is None
    locked = _login(container, PASSWORD, address="10.9.9.9", at=NOW + dt.timedelta(minutes=1))
    assert not locked.ok and locked.locked_until is not None  # even the right password, from anywhere
    later = _login(container, PASSWORD, at=NOW + dt.timedelta(minutes=16))
    assert later.ok  # the window has passed
    # a success resets the count: four new failures do not lock
    for i in range(service.ACCOUNT_FAILURES - 1):
        assert _login(container, "wrong", at=NOW + dt.timedelta(minutes=17, seconds=i)).locked_until is None
    assert _login(container, PASSWORD, at=NOW + dt.timedelta(minutes=18)).ok


def test_one_address_guessing_many_accounts_is_locked(container: Container) -> None:
    _user(container)
    for i in range(service.ADDRESS_FAILURES):
        _login(container, "wrong", email=f"user{i}@example.com", address="203.0.113.7",
               at=NOW + dt.timedelta(seconds=i))
    blocked = _login(container, PASSWORD, address="203.0.113.7", at=NOW + dt.timedelta(minutes=1))
    assert blocked.locked_until is not None
    assert _login(container, PASSWORD, address="198.51.100.1", at=NOW + dt.timedelta(minutes=1)).ok


def test_refresh_rotates_and_a_replay_revokes_the_login(container: Container) -> None:
    _user(container)
    user = _login(container, PASSWORD).user
    assert user is not None
    with container.uow() as uow:
        first = service.issue_tokens(uow, user=user, secret=SECRET, now=NOW)
        uow.commit()
    with container.uow() as uow:
        principal = service.principal_for_token(uow, token=first.access_token, secret=SECRET, kind="access", now=NOW)
        assert principal is not None and principal.name == "ana@example.com"
        assert principal.role_in("default") == "collector" and principal.may("default", "collections.work")
        assert not principal.may("default", "policy.write") and principal.role_in("other") is None
        assert service.principal_for_token(uow, token=first.access_token, secret=SECRET, kind="access",
                                           now=NOW + service.ACCESS_TTL) is None  # expired
        assert service.principal_for_token(uow, token=first.access_token, secret=b"y" * 32, kind="access",
                                           now=NOW) is None
    with container.uow() as uow:
        second = service.refresh(uow, refresh_token=first.refresh_token, secret=SECRET, now=NOW).pair
        uow.commit()
    assert second is not None and second.refresh_token != first.refresh_token
    with container.uow() as uow:  # the spent token again: theft assumed, the whole login dies
        replay = service.refresh(uow, refresh_token=first.refresh_token, secret=SECRET, now=NOW)
        uow.commit()
    assert replay.pair is None and "reused" in replay.reason
    with container.uow() as uow:
        assert service.refresh(uow, refresh_token=second.refresh_token, secret=SECRET, now=NOW).pair is None
        assert service.refresh(uow, refresh_token="made-up", secret=SECRET, now=NOW).reason == "unknown refresh token"


def test_refresh_tokens_expire_and_logout_revokes(container: Container) -> None:
    _user(container)
    user = _login(container, PASSWORD).user
    assert user is not None
    with container.uow() as uow:
        pair = service.issue_tokens(uow, user=user, secret=SECRET, now=NOW)
        other = service.issue_tokens(uow, user=user, secret=SECRET, now=NOW)
        uow.commit()
    with container.uow() as uow:
        late = service.refresh(uow, refresh_token=pair.refresh_token, secret=SECRET,
                               now=NOW + service.REFRESH_TTL + dt.timedelta(seconds=1))
        assert late.pair is None and late.reason == "refresh token expired"
        assert not service.logout(uow, refresh_token=other.refresh_token, user_id="999", now=NOW)  # not theirs
        assert service.logout(uow, refresh_token=other.refresh_token, user_id=str(user.id), now=NOW)
        uow.commit()
    with container.uow() as uow:
        assert service.refresh(uow, refresh_token=other.refresh_token, secret=SECRET, now=NOW).pair is None


def test_api_key_lifecycle(container: Container) -> None:
    with container.uow() as uow:
        resolve_tenant(uow.session, "other", create=True)
        uow.commit()
    with container.uow("default") as uow:
        issued = service.create_api_key(uow, name="ERP sync", role="collector", created_by="ops")
        uow.commit()
    assert issued.secret.startswith(f"cobro_{issued.key.prefix}_")
    with container.uow("default") as uow:
        principal = service.principal_for_api_key(uow, key=issued.secret, now=NOW)
        uow.commit()
    assert principal is not None and principal.kind == "apikey" and principal.name == "ERP sync"
    with container.uow("default") as uow:  # used again within the minute: last_used_at is not rewritten
        assert service.principal_for_api_key(uow, key=issued.secret, now=NOW + dt.timedelta(seconds=30))
        uow.commit()
    assert principal.default_tenant == "default" and principal.role_in("other") is None
    with container.uow("default") as uow:
        [listed] = service.list_api_keys(uow)
        assert (listed.prefix, listed.role, listed.last_used_at, listed.revoked_at) == (
            issued.key.prefix, "collector", NOW, None)
        assert "secret" not in listed.as_json() and issued.secret not in str(listed.as_json())
        stored = uow.repo(IDENTITY).api_key(issued.key.prefix)
        assert stored is not None and issued.secret not in stored[0].secret_hash
        wrong = issued.secret[:-3] + ("aaa" if not issued.secret.endswith("aaa") else "bbb")
        assert service.principal_for_api_key(uow, key=wrong, now=NOW) is None
    with container.uow("other") as uow:
        assert service.list_api_keys(uow) == []
        with pytest.raises(NotFoundError):  # another tenant cannot revoke it
            service.revoke_api_key(uow, prefix=issued.key.prefix, now=NOW)
    with container.uow("default") as uow:
        revoked = service.revoke_api_key(uow, prefix=issued.key.prefix, now=NOW)
        uow.commit()
    assert revoked.revoked_at == NOW
    with container.uow("default") as uow:
        assert service.principal_for_api_key(uow, key=issued.secret, now=NOW) is None
        with pytest.raises(InvalidInputError, match="role"):
            service.create_api_key(uow, name="x", role="root", created_by="ops")


def test_a_deactivated_user_is_refused_at_once(container: Container) -> None:
    _user(container)
    user = _login(container, PASSWORD).user
    assert user is not None
    with container.uow() as uow:
        pair = service.issue_tokens(uow, user=user, secret=SECRET, now=NOW)
        assert not service.set_active(uow, email="ana@example.com", active=False).active
        uow.commit()
    with container.uow() as uow:
        assert service.principal_for_token(uow, token=pair.access_token, secret=SECRET, kind="access",
                                           now=NOW) is None
        assert service.refresh(uow, refresh_token=pair.refresh_token, secret=SECRET, now=NOW).pair is None
    assert not _login(container, PASSWORD, at=NOW + dt.timedelta(seconds=1)).ok
    assert not _login(container, PASSWORD + "x" * 1000, at=NOW + dt.timedelta(seconds=2)).ok  # over-long: refused
    with container.uow() as uow:
        assert service.set_active(uow, email="ana@example.com", active=True).active
        uow.commit()
    assert _login(container, PASSWORD, at=NOW + dt.timedelta(seconds=3)).ok
