"""A webhook receiver for cobro in the standard library only: verify, drop duplicates, then act.

    COBRO_WEBHOOK_SECRET=whsec_... python examples/webhooks/receiver.py --port 8900

Each delivery carries `webhook-id`, `webhook-timestamp` and `webhook-signature` (Standard Webhooks).  A receiver
must (1) refuse a timestamp more than five minutes from its clock (a replayed old request), (2) recompute the
HMAC-SHA256 of "{id}.{timestamp}.{raw body}" with the secret's bytes and compare it in constant time with each
signature offered, (3) answer 2xx quickly — cobro retries anything else with backoff — and (4) remember the ids it
has processed, because delivery is at least once.  Verify the raw bytes: parsing and re-serialising the JSON
first changes them.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

TOLERANCE_SECONDS = 5 * 60


def verify(secret: str, headers: dict[str, str], body: bytes, now: float | None = None) -> bool:
    try:
        msg_id, stamp = headers["webhook-id"], int(headers["webhook-timestamp"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - stamp) > TOLERANCE_SECONDS:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    expected = "v1," + base64.b64encode(digest).decode()
    return any(hmac.compare_digest(expected, offered) for offered in headers.get("webhook-signature", "").split())


class Receiver(BaseHTTPRequestHandler):
    secret = os.environ.get("COBRO_WEBHOOK_SECRET", "")
    seen: ClassVar[set[str]] = set()  # a real receiver keeps these in its database, with the work they caused
    handled: ClassVar[list[dict[str, object]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        headers = {k.lower(): v for k, v in self.headers.items()}
        if not verify(self.secret, headers, body):
            self._answer(401)
            return
        if headers["webhook-id"] not in self.seen:
            self.seen.add(headers["webhook-id"])
            event = json.loads(body)
            self.handled.append(event)  # here: update the CRM, notify the account owner, ...
        self._answer(204)

    def _answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, fmt: str, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8900)
    args = parser.parse_args()
    if not Receiver.secret.startswith("whsec_"):
        raise SystemExit("set COBRO_WEBHOOK_SECRET to the secret `cobro webhook add` printed")
    HTTPServer(("127.0.0.1", args.port), Receiver).serve_forever()


if __name__ == "__main__":
    main()
