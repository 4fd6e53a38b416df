"""What the HTTP channels (SMS gateway, WhatsApp Cloud API) share: one lazily opened httpx client with their
headers, or the one given (tests, a shared pool), closed only when the channel opened it itself."""

from __future__ import annotations

import httpx


class PooledHttpChannel:
    def __init__(self, url: str, headers: dict[str, str], *, timeout: float = 15.0,
                 client: httpx.Client | None = None) -> None:
        self.url = url
        self._headers = headers
        self._timeout = timeout
        self._client = client
        self._owns_client = client is None

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(timeout=self._timeout, headers=self._headers)
        return self._client

    def close(self) -> None:
        """Drop the connection pool; the channel stays usable and reconnects on the next send."""
        if self._owns_client and self._client is not None:
            self._client.close()
            self._client = None
