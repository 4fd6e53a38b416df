"""Shared field types and the problem document."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

Amount = Annotated[str, Field(pattern=r"^-?\d+(\.\d+)?$", examples=["1234.50"],
                              description="Exact decimal amount in major units")]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", examples=["2026-11-25"], description="ISO date")]


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    version: str
    database: str = Field(examples=["ok"])


class Ready(BaseModel):
    """`/api/ready`: what was checked and how it went (status "ready" with 200, else "not ready" with 503)."""

    status: str = Field(examples=["ready"])
    version: str
    database: str = Field(examples=["ok"])
    migrations: str = Field(examples=["ok"])
    worker: str = Field(examples=["worker host:1234:20261204T060000 beat 3s ago"])


class Problem(BaseModel):
    """RFC 9457 problem details (media type application/problem+json)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict[str, object]] | None = None
