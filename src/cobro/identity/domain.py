"""Who may do what: the roles, the one permission matrix, the password policy and the signed access token.

Everything here is pure: the token functions take the secret and `now` as arguments.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    CREDIT_MANAGER = "credit_manager"
    COLLECTOR = "collector"
    SALES = "sales"
    AUDITOR = "auditor"


class Permission(StrEnum):
    LEDGER_READ = "ledger.read"
    LEDGER_WRITE = "ledger.write"
    POLICY_WRITE = "policy.write"
    APPROVAL_DECIDE = "approval.decide"
    CREDIT_WRITE = "credit.write"
    COLLECTIONS_WORK = "collections.work"
    COMMENT_WRITE = "comment.write"
    EXCEPTION_REQUEST = "exception.request"
    AUDIT_READ = "audit.read"
    ADMIN_USERS = "admin.users"
    ADMIN_TENANT = "admin.tenant"
    ALERTS_RECEIVE = "alerts.receive"


PERMISSION_HELP: dict[Permission, str] = {
    Permission.LEDGER_READ: "read customers, invoices, payments, reports and the dashboard",
    Permission.LEDGER_WRITE: "create and change customers, invoices, payments; run imports",
    Permission.POLICY_WRITE: "validate, apply and assign collection policies",
    Permission.APPROVAL_DECIDE: "approve or reject exceptions requested by someone else (four eyes)",
    Permission.CREDIT_WRITE: "set credit limits and credit stops",
    Permission.COLLECTIONS_WORK: "work the worklist: tasks, call outcomes, promises, disputes, holds",
    Permission.COMMENT_WRITE: "add comments to a customer's timeline",
    Permission.EXCEPTION_REQUEST: "request a policy exception (it does nothing until approved)",
    Permission.AUDIT_READ: "read the audit log",
    Permission.ADMIN_USERS: "create users, grant roles, create and revoke API keys",
    Permission.ADMIN_TENANT: "change the tenant's profile and settings",
    Permission.ALERTS_RECEIVE: "receive alerts and set how (off, a daily digest, each at once)",
}

_P = Permission
# The one permission matrix.  Read access is everyone's; writing money facts is the credit manager's; the
# collector works cases but sets no policy or limit; sales reads, comments and asks; the auditor only reads.
MATRIX: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.CREDIT_MANAGER: frozenset({_P.LEDGER_READ, _P.LEDGER_WRITE, _P.POLICY_WRITE, _P.APPROVAL_DECIDE,
                                    _P.CREDIT_WRITE, _P.COLLECTIONS_WORK, _P.COMMENT_WRITE, _P.EXCEPTION_REQUEST,
                                    _P.ALERTS_RECEIVE}),
    Role.COLLECTOR: frozenset({_P.LEDGER_READ, _P.COLLECTIONS_WORK, _P.COMMENT_WRITE, _P.EXCEPTION_REQUEST,
                               _P.ALERTS_RECEIVE}),
    Role.SALES: frozenset({_P.LEDGER_READ, _P.COMMENT_WRITE, _P.EXCEPTION_REQUEST, _P.ALERTS_RECEIVE}),
    Role.AUDITOR: frozenset({_P.LEDGER_READ, _P.AUDIT_READ}),
}


def allows(role: Role | str, permission: Permission | str) -> bool:
    """Whether `role` holds `permission` (an unknown role or permission holds nothing)."""
    try:
        return Permission(permission) in MATRIX[Role(role)]
    except ValueError:
        return False


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip())
    except ValueError:
        raise ValueError(f"unknown role {value!r} (one of {', '.join(Role)})") from None


# --- password policy -------------------------------------------------------------------------------------

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256  # argon2 hashes anything, but a megabyte "password" is a denial of service


def password_problems(password: str, *, email: str) -> list[str]:
    """What is wrong with a new password; empty when it is acceptable.

    The policy: at least 12 characters (length is what makes a password strong), at most 256, not one character
    class only (all digits, all lower-case letters ...), and not containing the e-mail address or its local part.
    No rotation or composition rules beyond that: they push people to predictable patterns (NIST SP 800-63B).
    """
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"must have at most {MAX_PASSWORD_LENGTH} characters")
    classes = {_char_class(c) for c in password}
    if password and len(classes) < 2:
        problems.append("must mix at least two kinds of characters (letters, digits, symbols, upper/lower case)")
    folded, address = password.casefold(), email.strip().casefold()
    local = address.split("@", 1)[0]
    if address and (address in folded or (len(local) >= 4 and local in folded)):
        problems.append("must not contain the e-mail address")
    return problems


def _char_class(c: str) -> str:
    if c.isdigit():
        return "digit"
    if c.isalpha():
        return "upper" if c.isupper() else "lower"
    return "other"


# --- access tokens: a JWT (HS256) written with hmac -------------------------------------------------------

class TokenError(ValueError):
    """A token that is malformed, tampered with, of the wrong kind or expired (the message says which)."""


@dataclass(frozen=True, slots=True)
class TokenClaims:
    subject: str  # the user id
    kind: str  # "access" (API bearer) or "session" (dashboard cookie)
    issued_at: int
    expires_at: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_HEADER = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())


def sign_token(secret: bytes, *, subject: str, kind: str, now: dt.datetime, ttl: dt.timedelta) -> str:
    issued = int(now.timestamp())
    payload = {"sub": subject, "typ": kind, "iat": issued, "exp": issued + int(ttl.total_seconds()),
               "jti": secrets.token_hex(8)}
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    signing_input = f"{_HEADER}.{body}".encode("ascii")
    return f"{_HEADER}.{body}.{_b64(hmac.new(secret, signing_input, hashlib.sha256).digest())}"


def verify_token(secret: bytes, token: str, *, kind: str, now: dt.datetime) -> TokenClaims:
    """The claims of a token this secret signed, of this kind and not expired; else `TokenError`."""
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != _HEADER:
        raise TokenError("malformed token")
    expected = hmac.new(secret, f"{parts[0]}.{parts[1]}".encode("ascii"), hashlib.sha256).digest()
    try:
        given = _unb64(parts[2])
        claims = json.loads(_unb64(parts[1]))
    except ValueError as exc:
        raise TokenError("malformed token") from exc
    if not hmac.compare_digest(expected, given):  # checked before the claims are trusted
        raise TokenError("bad signature")
    if not isinstance(claims, dict) or claims.get("typ") != kind:
        raise TokenError(f"not a {kind} token")
    sub, iat, exp = claims.get("sub"), claims.get("iat"), claims.get("exp")
    if not isinstance(sub, str) or not isinstance(iat, int) or not isinstance(exp, int):
        raise TokenError("malformed token")
    if now.timestamp() >= exp:
        raise TokenError("token expired")
    return TokenClaims(sub, kind, iat, exp)


# --- API keys and refresh tokens: random secrets, stored as SHA-256 -----------------------------------------

API_KEY_MARK = "cobro"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_api_key() -> tuple[str, str]:
    """(prefix, full key): `cobro_<prefix>_<secret>`; the prefix identifies the key in lists and lookups."""
    prefix = secrets.token_hex(4)
    return prefix, f"{API_KEY_MARK}_{prefix}_{secrets.token_urlsafe(32)}"


def api_key_prefix(key: str) -> str | None:
    """The prefix of something shaped like an API key, else None."""
    mark, _, rest = key.partition("_")
    prefix, _, secret = rest.partition("_")
    if mark != API_KEY_MARK or len(prefix) != 8 or not secret:
        return None
    return prefix


def permission_table() -> str:
    """The matrix as a Markdown table (docs/permissions.md embeds it; a test checks the two agree)."""
    roles = list(Role)
    lines = ["| permission | " + " | ".join(roles) + " | what it allows |",
             "|---|" + "---|" * len(roles) + "---|"]
    for p in Permission:
        marks = " | ".join("✓" if p in MATRIX[r] else "" for r in roles)
        lines.append(f"| `{p}` | {marks} | {PERMISSION_HELP[p]} |")
    return "\n".join(lines)
