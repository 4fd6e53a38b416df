"""Settings from the environment (prefix COBRO_) and command-line overrides."""

from __future__ import annotations

from pathlib import Path

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


def load_settings(**overrides: object) -> Settings:
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)  # type: ignore[arg-type]
