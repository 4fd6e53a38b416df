"""Settings from the environment (prefix COBRO_) and command-line overrides."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COBRO_", extra="ignore")

    database_url: str = "sqlite:///cobro.db"
    tenant: str = "default"
    smtp_url: str = ""
    smtp_from: str = "cobros@example.com"
    whatsapp_base_url: str = ""
    whatsapp_token: str = ""
    rates_dir: Path | None = None
    model_dir: Path = Path.home() / ".cache" / "cobro"
    environment: str = "local"
    # delivery (`cobro outbox deliver`, `cobro worker`; docs/delivery.md)
    outbox_max_attempts: int = 8
    outbox_backoff_seconds: float = 60.0  # first retry after 1 min, then 2, 4, 8 ... capped
    outbox_backoff_cap_seconds: float = 6 * 3600.0
    outbox_lease_seconds: float = 300.0  # a row in "sending" longer than this is presumed orphaned
    outbox_batch_size: int = 20
    whatsapp_phone_number_id: str = ""
    whatsapp_mode: Literal["text", "template"] = "text"
    sms_url: str = ""
    sms_token: str = ""
    sms_log: Path | None = None
    letter_dir: Path = Path("letters")


def load_settings(**overrides: object) -> Settings:
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)  # type: ignore[arg-type]
