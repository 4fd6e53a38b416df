"""Use cases of identity: users and roles, password logins with throttling, tokens, API keys, the principal.

Every function takes the unit of work and the time (`now`, from the entrypoint's clock); none commits.  A failed
login or refresh is returned as a value, not raised, so the entrypoint commits what throttling and token-theft
detection recorded and only then answers 401.
"""

from __future__ import annotations

import datetime as dt
import secrets
from functools import cache

from email_validator import EmailNotValidError, validate_email
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from cobro.audit import service as audit
from cobro.audit.schemas import Change
from cobro.identity.domain import (
    MAX_PASSWORD_LENGTH,
    Role,
    TokenError,
    api_key_prefix,
    digest,
    new_api_key,
    parse_role,
    password_problems,
    sign_token,
    verify_token,
)
from cobro.identity.records import ApiKeyRow, UserRow
from cobro.identity.repository import IDENTITY
from cobro.identity.schemas import (
    ApiKey,
    IssuedApiKey,
    LoginResult,
    Membership,
    Principal,
    PrincipalKind,
    RefreshResult,
    TokenPair,
    User,
)
from cobro.kernel.errors import ConflictError, InvalidInputError, NotFoundError
from cobro.kernel.errors import Problem as InputProblem
from cobro.platform.actor import ActorKind
from cobro.platform.uow import Uow

ACCESS_TTL = dt.timedelta(minutes=15)
SESSION_TTL = dt.timedelta(hours=8)  # the dashboard cookie: a working day
REFRESH_TTL = dt.timedelta(days=14)
LOCK_WINDOW = dt.timedelta(minutes=15)
ACCOUNT_FAILURES = 5  # failures within the window that lock an account
ADDRESS_FAILURES = 20  # ... that lock a client address (it may be an office behind one NAT)
KEY_TOUCH_INTERVAL = dt.timedelta(minutes=1)  # how fresh an API key's `last_used_at` is kept


# argon2id, RFC 9106's second recommended ("low memory") profile: 3 passes over 64 MiB with 4 lanes; its cost per
# login is measured in docs/identity.md.  A stored hash with other parameters is re-hashed at the next login.
ARGON2_TIME_COST, ARGON2_MEMORY_KIB, ARGON2_LANES = 3, 64 * 1024, 4


@cache
def _hasher() -> PasswordHash:
    return PasswordHash((Argon2Hasher(time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB,
                                      parallelism=ARGON2_LANES),))


@cache
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_hex(16))


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive datetimes for timezone-aware columns; they were stored in UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def normalize_email(email: str, *, field: str = "email") -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise InvalidInputError(f"{field}: {exc}", [InputProblem(str(exc), column=field)]) from exc


def _check_password(password: str, email: str) -> None:
    problems = password_problems(password, email=email)
    if problems:
        raise InvalidInputError("password: " + "; ".join(problems),
                                [InputProblem(p, column="password") for p in problems])


def _user(uow: Uow, row: UserRow) -> User:
    return User(row.id, row.email, row.display_name, row.active, _utc(row.created_at), _utc(row.last_login_at),
                tuple(uow.repo(IDENTITY).memberships_of(row.id)))


def _find(uow: Uow, email: str) -> UserRow:
    row = uow.repo(IDENTITY).user_by_email(normalize_email(email))
    if row is None:
        raise NotFoundError(f"no user {email.strip()!r}")
    return row


def _audit(uow: Uow, entity: str, entity_id: str, action: str, before: dict[str, object] | None,
           after: dict[str, object] | None) -> None:
    """Users, roles and keys are audited in the tenant the acting unit of work is in (users themselves are global)."""
    audit.record(uow, Change(entity, entity_id, action, before, after))


# --- users and roles -------------------------------------------------------------------------------------

def create_user(uow: Uow, *, email: str, password: str, display_name: str = "") -> User:
    repo = uow.repo(IDENTITY)
    address = normalize_email(email)
    if repo.user_by_email(address) is not None:
        raise ConflictError(f"a user {address!r} exists already")
    _check_password(password, address)
    row = repo.add_user(email=address, display_name=display_name.strip() or address,
                        password_hash=_hasher().hash(password))
    uow.flush()
    _audit(uow, "user", address, "create", None, {"email": address, "active": True})
    return _user(uow, row)


def set_password(uow: Uow, *, email: str, password: str) -> User:
    row = _find(uow, email)
    _check_password(password, row.email)
    uow.repo(IDENTITY).set_password_hash(row.id, _hasher().hash(password))
    uow.flush()
    _audit(uow, "user", row.email, "set_password", None, None)  # that it changed, never the hash
    return _user(uow, row)


def add_membership(uow: Uow, *, email: str, tenant: str, role: str, default: bool = False) -> User:
    """Give a user a role in a tenant (replacing the role they had there); their first tenant is the default."""
    repo = uow.repo(IDENTITY)
    row = _find(uow, email)
    try:
        the_role = parse_role(role)
    except ValueError as exc:
        raise InvalidInputError(f"role: {exc}", [InputProblem(str(exc), column="role")]) from exc
    tenant_id = repo.tenant_id(tenant)
    if tenant_id is None:
        raise NotFoundError(f"tenant {tenant!r} does not exist")
    first = not repo.memberships_of(row.id)
    repo.set_membership(user_id=row.id, tenant_id=tenant_id, role=the_role, is_default=default or first)
    uow.flush()
    _audit(uow, "membership", f"{row.email}@{tenant}", "grant", None, {"role": the_role, "default": default or first})
    return _user(uow, row)


def set_active(uow: Uow, *, email: str, active: bool) -> User:
    """Deactivate (or reactivate) a user: a deactivated user's tokens, sessions and refreshes are refused at once,
    since every request looks the user up; their memberships are kept for the record."""
    row = _find(uow, email)
    uow.repo(IDENTITY).set_active(row.id, active)
    uow.flush()
    _audit(uow, "user", row.email, "reactivate" if active else "deactivate", {"active": row.active}, {"active": active})
    fresh = uow.repo(IDENTITY).user_by_id(row.id)
    assert fresh is not None
    return _user(uow, fresh)


def list_users(uow: Uow) -> list[User]:
    return [_user(uow, row) for row in uow.repo(IDENTITY).users()]


def user_count(uow: Uow) -> int:
    """Active users (`cobro serve` on a network refuses to start without one)."""
    return uow.repo(IDENTITY).user_count()


# --- password login ------------------------------------------------------------------------------------------

def authenticate(uow: Uow, *, email: str, password: str, address: str, now: dt.datetime) -> LoginResult:
    """Check a password login.  Locked (5 failures per account or 20 per address within 15 minutes, counted in
    the database) → refused without checking the password.  An unknown e-mail costs the same argon2 work as a
    known one, so the answer's timing does not tell whether the account exists."""
    repo = uow.repo(IDENTITY)
    try:
        login = normalize_email(email)
    except InvalidInputError:
        login = email.strip().lower()[:254]
    address = address[:64]
    if len(password) > MAX_PASSWORD_LENGTH:  # no stored password is longer; hash no megabyte "passwords"
        password = password[:MAX_PASSWORD_LENGTH] + "\0"  # still checked (same cost), can never match
    since = now - LOCK_WINDOW
    if (repo.failures(email=login, since=since) >= ACCOUNT_FAILURES
            or repo.failures(address=address, since=since) >= ADDRESS_FAILURES):
        return LoginResult(None, locked_until=now + LOCK_WINDOW)
    row = repo.user_by_email(login)
    if row is None or not row.password_hash:
        _hasher().verify(password, _dummy_hash())
        ok, new_hash = False, None
    else:
        ok, new_hash = _hasher().verify_and_update(password, row.password_hash)
    ok = ok and row is not None and row.active
    repo.record_attempt(email=login, address=address, succeeded=ok, at=now)
    if not ok or row is None:
        uow.flush()
        return LoginResult(None)
    if new_hash:  # parameters were raised since this hash was made
        repo.set_password_hash(row.id, new_hash)
    repo.touch_login(row.id, now)
    uow.flush()
    return LoginResult(_user(uow, row))


# --- tokens -------------------------------------------------------------------------------------------------

def issue_tokens(uow: Uow, *, user: User, secret: bytes, now: dt.datetime, family: str = "") -> TokenPair:
    """A short-lived signed access token and a refresh token (stored hashed) of a new or continuing login."""
    refresh = secrets.token_urlsafe(32)
    uow.repo(IDENTITY).add_refresh(user_id=user.id, token_hash=digest(refresh), family=family or secrets.token_hex(16),
                                   expires_at=now + REFRESH_TTL)
    uow.flush()
    access = sign_token(secret, subject=str(user.id), kind="access", now=now, ttl=ACCESS_TTL)
    return TokenPair(access, refresh, int(ACCESS_TTL.total_seconds()))


def open_session(uow: Uow, *, user: User, now: dt.datetime) -> str:
    """A new dashboard session: the cookie value, a random secret whose hash is stored until it expires or is
    revoked (logout), so the server can end a session whoever holds a copy of the cookie."""
    secret = secrets.token_urlsafe(32)
    uow.repo(IDENTITY).add_session(user_id=user.id, token_hash=digest(secret), expires_at=now + SESSION_TTL)
    uow.flush()
    return secret


def close_session(uow: Uow, *, token: str, now: dt.datetime) -> bool:
    """Revoke a dashboard session (logout); whether a live one was revoked."""
    done = uow.repo(IDENTITY).revoke_session(digest(token), now)
    uow.flush()
    return done


def principal_for_session(uow: Uow, *, token: str, now: dt.datetime) -> Principal | None:
    """The user of a live (stored, unexpired, not revoked) dashboard session."""
    repo = uow.repo(IDENTITY)
    row = repo.session_by_hash(digest(token)) if token else None
    if row is None or row.revoked_at is not None:
        return None
    expires = _utc(row.expires_at)
    if expires is None or expires <= now:
        return None
    user = repo.user_by_id(row.user_id)
    if user is None or not user.active:
        return None
    return Principal(PrincipalKind.USER, str(user.id), user.email, tuple(repo.memberships_of(user.id)))


def display_name(uow: Uow, *, user_id: str) -> str:
    """How a user is called on the pages (their display name, else their e-mail); "" for an unknown id."""
    row = uow.repo(IDENTITY).user_by_id(int(user_id)) if user_id.isdigit() else None
    return (row.display_name or row.email) if row is not None else ""


def acting_name(uow: Uow) -> str:
    """The name the unit of work's actor works under — a user's display name (what a customer's `collector` holds),
    else the key's or the CLI's name: what `mine=true` and Today match collectors against."""
    actor = uow.actor
    if actor is None:
        return ""
    if actor.kind == ActorKind.USER:
        return display_name(uow, user_id=actor.id) or actor.name
    return actor.name


def refresh(uow: Uow, *, refresh_token: str, secret: bytes, now: dt.datetime) -> RefreshResult:
    """Rotate a refresh token: the old one is revoked and a new pair issued.  A token used twice was copied:
    its whole family (every token of that login) is revoked, so the thief's and the owner's copies both die."""
    repo = uow.repo(IDENTITY)
    row = repo.refresh_by_hash(digest(refresh_token))
    if row is None:
        return RefreshResult(None, "unknown refresh token")
    if row.revoked_at is not None:
        repo.revoke_family(row.family, now)
        uow.flush()
        return RefreshResult(None, "refresh token reused: every token of this login is revoked")
    expires = _utc(row.expires_at)
    if expires is None or expires <= now:
        return RefreshResult(None, "refresh token expired")
    user = repo.user_by_id(row.user_id)
    if user is None or not user.active:
        return RefreshResult(None, "user inactive")
    repo.revoke_family(row.family, now)  # the family's one live token is this one: it is now spent
    uow.flush()
    return RefreshResult(issue_tokens(uow, user=_user(uow, user), secret=secret, now=now, family=row.family))


def logout(uow: Uow, *, refresh_token: str, user_id: str, now: dt.datetime) -> bool:
    """Revoke the login a refresh token belongs to, if it is this user's; whether something was revoked."""
    repo = uow.repo(IDENTITY)
    row = repo.refresh_by_hash(digest(refresh_token))
    if row is None or str(row.user_id) != user_id:
        return False
    repo.revoke_family(row.family, now)
    uow.flush()
    return True


def principal_for_token(uow: Uow, *, token: str, secret: bytes, kind: str, now: dt.datetime) -> Principal | None:
    """The user a valid access (or session) token names, with their memberships as they are now."""
    try:
        claims = verify_token(secret, token, kind=kind, now=now)
    except TokenError:
        return None
    row = uow.repo(IDENTITY).user_by_id(int(claims.subject)) if claims.subject.isdigit() else None
    if row is None or not row.active:
        return None
    return Principal(PrincipalKind.USER, str(row.id), row.email, tuple(uow.repo(IDENTITY).memberships_of(row.id)))


# --- API keys -----------------------------------------------------------------------------------------------

def _api_key(row: ApiKeyRow, tenant: str) -> ApiKey:
    return ApiKey(row.prefix, tenant, row.name, Role(row.role), row.created_by, _utc(row.created_at),
                  _utc(row.revoked_at), _utc(row.last_used_at))


def create_api_key(uow: Uow, *, name: str, role: str, created_by: str) -> IssuedApiKey:
    """A key for `uow.tenant` with one role; the secret is returned once and only its hash is stored."""
    if not name.strip():
        raise InvalidInputError("name: an API key needs a name", [InputProblem("required", column="name")])
    try:
        the_role = parse_role(role)
    except ValueError as exc:
        raise InvalidInputError(f"role: {exc}", [InputProblem(str(exc), column="role")]) from exc
    repo = uow.repo(IDENTITY)
    prefix, secret = new_api_key()
    repo.add_api_key(tenant_id=uow.tenant.id, prefix=prefix, secret_hash=digest(secret), name=name.strip()[:120],
                     role=the_role, created_by=created_by)
    uow.flush()
    _audit(uow, "api_key", prefix, "create", None, {"name": name.strip()[:120], "role": the_role})
    found = repo.api_key(prefix)
    assert found is not None  # just written in this transaction
    return IssuedApiKey(_api_key(*found), secret)


def list_api_keys(uow: Uow) -> list[ApiKey]:
    return [_api_key(row, code) for row, code in uow.repo(IDENTITY).api_keys(uow.tenant.id)]


def revoke_api_key(uow: Uow, *, prefix: str, now: dt.datetime) -> ApiKey:
    repo = uow.repo(IDENTITY)
    found = repo.api_key(prefix.strip())
    if found is None or found[1] != uow.tenant.code:
        raise NotFoundError(f"no API key {prefix.strip()!r} in tenant {uow.tenant.code!r}")
    repo.revoke_api_key(found[0].prefix, now)
    uow.flush()
    _audit(uow, "api_key", found[0].prefix, "revoke", {"revoked": False}, {"revoked": True})
    again = repo.api_key(found[0].prefix)
    assert again is not None
    return _api_key(*again)


def principal_for_api_key(uow: Uow, *, key: str, now: dt.datetime) -> Principal | None:
    """The key's principal (its one tenant and role) if the key is valid and not revoked; records its use."""
    prefix = api_key_prefix(key)
    found = uow.repo(IDENTITY).api_key(prefix) if prefix else None
    if found is None:
        digest(key)  # the same work as a known prefix
        return None
    row, tenant = found
    if not secrets.compare_digest(row.secret_hash, digest(key)) or row.revoked_at is not None:
        return None
    last = _utc(row.last_used_at)
    if last is None or now - last >= KEY_TOUCH_INTERVAL:  # a busy integration writes once a minute, not per call
        uow.repo(IDENTITY).touch_api_key(row.prefix, now)
        uow.flush()
    return Principal(PrincipalKind.APIKEY, row.prefix, row.name, (Membership(tenant, Role(row.role), True),))
