"""The documented receiver (examples/webhooks/receiver.py) accepts what cobro sends, refuses a forged delivery
and handles a redelivered message once."""

from __future__ import annotations

import datetime as dt
import importlib.util
import threading
from http.server import HTTPServer
from pathlib import Path
from types import ModuleType

import httpx

from cobro.platform.container import Container
from cobro.webhooks import service
from cobro.webhooks.schemas import SendResult
from cobro.webhooks.sender import WebhookSender, http_post

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "webhooks" / "receiver.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("receiver_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_documented_receiver_verifies_and_deduplicates(container: Container) -> None:
    example = _load()
    with container.uow() as uow:
        created = service.subscribe(uow, url="http://127.0.0.1:1/placeholder", events=["dispute.opened"])
        uow.commit()
    example.Receiver.secret, example.Receiver.seen, example.Receiver.handled = created.secret, set(), []
    server = HTTPServer(("127.0.0.1", 0), example.Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/"
    try:
        def post_twice(target: str, headers: dict[str, str], body: bytes) -> SendResult:
            http_post(url, headers, body)  # the first try "times out" after the receiver got it ...
            return http_post(url, headers, body)  # ... and is sent again with the same webhook-id

        with container.uow() as uow:
            service.emit(uow, "dispute.opened", entity="dispute:1", data={"id": 1})
            uow.commit()
        report = WebhookSender(container.sessions, now=lambda: dt.datetime.now(dt.UTC), post=post_twice).deliver()
        assert report.delivered == 1
        assert [e["data"] for e in example.Receiver.handled] == [{"id": 1}]
        forged = httpx.post(url, content=b'{"type":"dispute.opened"}', headers={
            "webhook-id": "msg_x", "webhook-timestamp": str(int(dt.datetime.now(dt.UTC).timestamp())),
            "webhook-signature": "v1,AAAA"})
        assert forged.status_code == 401 and len(example.Receiver.handled) == 1
    finally:
        server.shutdown()
