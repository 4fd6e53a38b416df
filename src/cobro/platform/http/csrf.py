"""CSRF protection of the dashboard: a request that changes state on the strength of the session cookie must
also carry the session's CSRF token in the `X-CSRF-Token` header (the pages put it in a meta tag; htmx sends it
with every request through `hx-headers`).

The token is derived from the session secret with the signing key (HMAC-SHA256), so it needs no storage, changes
with every login and cannot be computed by another site, which can make the browser send the cookie but can
neither read the page's meta tag nor set a custom header on a cross-site form post.  Bearer tokens and API keys
are not sent by browsers on their own, so requests that use them need no CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac

CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"  # the form field of plain (non-htmx) forms such as logout
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def csrf_token(secret: bytes, session: str) -> str:
    """The CSRF token of the session whose cookie value is `session`."""
    return hmac.new(secret, b"csrf:" + session.encode("utf-8"), hashlib.sha256).hexdigest()


def csrf_ok(secret: bytes, session: str, presented: str | None) -> bool:
    return bool(presented) and hmac.compare_digest(csrf_token(secret, session), presented or "")
