"""`Idempotency-Key` on every POST under /api: the first request runs, a retry with the same key and the same
request gets the first response again (marked `Idempotent-Replayed: true`), the same key with another request is
refused (422), and a retry while the first still runs gets 409.  Responses of 5xx are not kept, so a failed
request can be retried.

Keys are scoped to who asks: `app.state.idempotency_scope(headers)` names the principal (the auth wiring sets it
to the verified user or key and tenant); without it, the credentials and tenant headers themselves are the scope,
so one client can never replay another's response.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cobro.platform.http.errors import TITLES
from cobro.platform.idempotency import Claim, IdempotencyStore, Stored

HEADER = "idempotency-key"
MAX_KEY = 255
ScopeOf = Callable[[Mapping[str, str]], str]
_SCOPE_HEADERS = ("authorization", "x-api-key", "cookie", "x-cobro-tenant")
_KEEP_HEADERS = {"content-type", "location", "etag", "content-language"}


def default_scope(headers: Mapping[str, str]) -> str:
    return "\n".join(f"{name}:{headers.get(name, '')}" for name in _SCOPE_HEADERS)


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, *, prefix: str = "/api/") -> None:
        self.app, self.prefix = app, prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        key = headers.get(HEADER)
        if key is None:
            await self.app(scope, receive, send)
            return
        if not 1 <= len(key) <= MAX_KEY or not key.isprintable() or not key.isascii():
            await _problem(send, 400, "Idempotency-Key must be 1 to 255 printable ASCII characters")
            return
        body = await _read_body(receive)
        state = scope["app"].state
        store: IdempotencyStore = IdempotencyStore(state.container.engine)
        scope_of: ScopeOf = getattr(state, "idempotency_scope", None) or default_scope
        who = _sha(scope_of(headers))
        request_hash = _sha("\n".join((scope["method"], scope["path"], scope.get("query_string", b"").decode(
            "latin-1"), headers.get("content-type", ""))).encode() + b"\n" + body)
        now = dt.datetime.now(dt.UTC)
        result = await run_in_threadpool(store.claim, who, key, request_hash, now)
        if result.claim is Claim.MISMATCH:
            await _problem(send, 422, "this Idempotency-Key was used with another request; use a new key")
        elif result.claim is Claim.IN_PROGRESS:
            await _problem(send, 409, "a request with this Idempotency-Key is still running; retry later")
        elif result.claim is Claim.REPLAY and result.stored is not None:
            await _send(send, result.stored, replayed=True)
        else:
            await self._first(scope, body, send, store, who, key)

    async def _first(self, scope: Scope, body: bytes, send: Send, store: IdempotencyStore, who: str,
                     key: str) -> None:
        captured: dict[str, Any] = {"status": 500, "headers": [], "body": b""}

        async def replay_body() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in message["headers"]]
            elif message["type"] == "http.response.body":
                captured["body"] += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, replay_body, capture)
        except BaseException:
            await run_in_threadpool(store.release, who, key)
            raise
        status = int(captured["status"])
        if status >= 500:
            await run_in_threadpool(store.release, who, key)
            return
        kept = [(k, v) for k, v in captured["headers"] if k.lower() in _KEEP_HEADERS]
        await run_in_threadpool(store.complete, who, key, Stored(status, kept, bytes(captured["body"])))


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    more = True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = bool(message.get("more_body", False))
    return b"".join(chunks)


async def _send(send: Send, stored: Stored, *, replayed: bool) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in stored.headers]
    headers.append((b"content-length", str(len(stored.body)).encode()))
    if replayed:
        headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": stored.status, "headers": headers})
    await send({"type": "http.response.body", "body": stored.body})


async def _problem(send: Send, status: int, detail: str) -> None:
    slug = {400: "invalid-input", 409: "conflict", 422: "invalid-input"}[status]
    body = json.dumps({"type": f"https://cobro.dev/problems/{slug}", "title": TITLES[status], "status": status,
                       "detail": detail, "errors": [{"loc": ["header", "Idempotency-Key"], "message": detail}]}).encode()
    await _send(send, Stored(status, [("content-type", "application/problem+json")], body), replayed=False)


def _sha(data: str | bytes) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()
