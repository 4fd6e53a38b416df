"""Test servers: an aiosmtpd sink that records Message-IDs, and a fake WhatsApp Cloud API over http.server."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session


def free_port() -> int:
    # aiosmtpd cannot use port 0 (its readiness check connects to self.port): pick one first.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class SmtpSink:
    messages: list[EmailMessage] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # recipients answered with 550

    async def handle_RCPT(self, server: Any, session: Session, envelope: Envelope, address: str,  # noqa: N802
                          options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:  # noqa: N802
        content = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        self.messages.append(message_from_bytes(content, policy=policy.default))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    @property
    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages]


def _authenticator(user: str, password: str) -> Any:
    def check(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == user.encode() \
            and auth_data.password == password.encode()
        return AuthResult(success=ok, handled=False)

    return check


def start_smtp(port: int | None = None, *, auth: tuple[str, str] | None = None,
               sink: SmtpSink | None = None, **kwargs: Any) -> tuple[Controller, SmtpSink]:
    sink = sink or SmtpSink()
    extra: dict[str, Any] = {}
    if auth:
        extra = {"authenticator": _authenticator(*auth), "auth_require_tls": False, "auth_required": True}
    controller = Controller(sink, hostname="127.0.0.1", port=port or free_port(), **extra, **kwargs)
    controller.start()
    return controller, sink


class FakeWhatsApp:
    """Speaks the Cloud API `POST /{version}/{phone_number_id}/messages` and records each request."""

    def __init__(self, token: str = "test-token") -> None:
        self.token = token
        self.requests: list[dict[str, Any]] = []
        self.fail_to: dict[str, tuple[int, dict[str, Any]]] = {}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                fake.requests.append({"path": self.path, "auth": self.headers.get("Authorization"),
                                      "body": body})
                if self.headers.get("Authorization") != f"Bearer {fake.token}":
                    self._reply(401, {"error": {"code": 190, "message": "Invalid OAuth access token"}})
                elif not self.path.endswith("/messages"):
                    self._reply(404, {"error": {"code": 100, "message": "Unknown path"}})
                elif body.get("to") in fake.fail_to:
                    self._reply(*fake.fail_to[body["to"]])
                else:
                    n = len(fake.requests)
                    self._reply(200, {"messaging_product": "whatsapp",
                                      "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                                      "messages": [{"id": f"wamid.TEST{n:04d}"}]})

            def _reply(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v21.0"

    def __enter__(self) -> FakeWhatsApp:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
