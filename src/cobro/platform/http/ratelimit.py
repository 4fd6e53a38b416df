"""Rate limits per credential and per address, before any route runs.

Three budgets (settings `COBRO_RATE_LIMIT_*`, in the `limits` notation `600/minute`; empty turns one off):
- per credential: each bearer token, API key or session cookie (keyed by a hash of it, never the secret itself);
- per address: every request from one client address, with or without credentials;
- login: the token endpoint and the dashboard's login form, per address (the per-account lockout after failed
  passwords lives in identity; this stops one address from trying many accounts).

The counting is the `limits` library's (the engine under slowapi), in memory by default: one server process keeps
its own counts. With several processes, point `COBRO_RATE_LIMIT_STORAGE` at a shared store (`redis://host:6379`)
so they share one budget. Behind a reverse proxy the address is the proxy's unless uvicorn trusts its
`X-Forwarded-For` (`--forwarded-allow-ips`, docs/operations.md). A refused request gets a 429 problem with
`Retry-After`. Health, readiness, metrics and static files are never limited: a monitor or a page's assets must
not use up a user's budget.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from fastapi import FastAPI
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from cobro.platform.http.auth import credentials_of
from cobro.platform.http.errors import problem
from cobro.platform.settings import Settings

EXEMPT_PREFIXES = ("/static/", "/api/health", "/api/ready", "/metrics")
LOGIN_ROUTES = frozenset({("POST", "/api/v1/auth/token"), ("POST", "/login")})


@dataclass(frozen=True, slots=True)
class Budgets:
    per_credential: RateLimitItem | None
    per_address: RateLimitItem | None
    login: RateLimitItem | None

    @classmethod
    def from_settings(cls, settings: Settings) -> Budgets:
        """The budgets of validated settings (Settings refuses a value that is not a rate, naming it)."""
        def read(text: str) -> RateLimitItem | None:
            return parse(text) if text.strip() else None

        return cls(read(settings.rate_limit_per_credential), read(settings.rate_limit_per_address),
                   read(settings.rate_limit_login))


class RateLimiter:
    """The budgets and their counts (one per app; tests reset it)."""

    def __init__(self, budgets: Budgets, storage_uri: str) -> None:
        self.budgets = budgets
        self._storage = storage_from_string(storage_uri or "memory://")
        self._limiter = FixedWindowRateLimiter(self._storage)

    def reset(self) -> None:
        self._storage.reset()

    def refused(self, method: str, path: str, request: Request, address: str) -> int | None:
        """None when the request may go on, else the seconds until the budget it exceeded refills."""
        checks: list[tuple[RateLimitItem, str]] = []
        if (method, path) in LOGIN_ROUTES and self.budgets.login is not None:
            checks.append((self.budgets.login, f"login:{address}"))
        if self.budgets.per_address is not None:
            checks.append((self.budgets.per_address, f"address:{address}"))
        credential = credential_of(request)
        if credential and self.budgets.per_credential is not None:
            checks.append((self.budgets.per_credential, f"credential:{credential}"))
        for item, key in checks:
            if not self._limiter.hit(item, key):
                reset_at, _ = self._limiter.get_window_stats(item, key)
                return max(1, math.ceil(reset_at - time.time()))
        return None


def credential_of(request: Request) -> str:
    """A hash of whatever credential the request carries, read as authentication reads it (the same token → the
    same budget; never the secret itself)."""
    found = credentials_of(request)
    raw = found.bearer or found.api_key or found.session or ""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32] if raw else ""


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, *, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = client[0] if client else "unknown"
        wait = self.limiter.refused(scope["method"], path, Request(scope), address)
        if wait is None:
            await self.app(scope, receive, send)
            return
        response = problem(429, "rate-limited", f"too many requests; try again in {wait} seconds",
                           instance=path)
        response.headers["Retry-After"] = str(wait)
        await response(scope, receive, send)


def install_rate_limits(app: FastAPI, settings: Settings) -> RateLimiter:
    """Add the middleware; the limiter is returned and kept on `app.state.rate_limiter`."""
    limiter = RateLimiter(Budgets.from_settings(settings), settings.rate_limit_storage)
    app.state.rate_limiter = limiter
    app.add_middleware(RateLimitMiddleware, limiter=limiter)
    return limiter
