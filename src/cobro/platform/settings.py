"""Settings from the environment (prefix COBRO_) and command-line overrides."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from cobro.kernel.limits import DEFAULT_LIMITS, InputLimits
from cobro.kernel.redact import mask_setting


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
    # signs access tokens and dashboard sessions (docs/identity.md); required by `cobro serve` on a network
    secret_key: SecretStr = SecretStr("")
    # web hardening (docs/web.md "Security"): a body above max_request_bytes answers 413; CORS is off unless
    # origins are listed (COBRO_CORS_ORIGINS=https://erp.example.com,https://bi.example.com)
    max_request_bytes: int = 20 * 1024 * 1024
    cors_origins: Annotated[list[str], NoDecode] = []
    hsts_seconds: int = 365 * 24 * 3600  # Strict-Transport-Security max-age, sent over TLS only; 0 sends none
    # rate limits (platform/http/ratelimit.py), `limits` notation; empty turns one off. The storage is per process
    # unless it names a shared store (redis://host:6379)
    rate_limit_per_credential: str = "600/minute"
    rate_limit_per_address: str = "1200/minute"
    rate_limit_login: str = "30/minute"
    rate_limit_storage: str = "memory://"
    # operations (docs/operations.md): log lines as JSON or for a console and their level (default: INFO for
    # `cobro serve`, WARNING for commands, which log this way only when one of the two is set, as the units' do),
    # and the bearer token a scraper sends to /metrics (without one, only loopback may scrape)
    log_format: Literal["json", "console"] = "console"
    log_level: str = ""
    metrics_token: SecretStr = SecretStr("")
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
    # jobs (`cobro worker`, `cobro jobs`; docs/jobs.md)
    jobs_cycle_at: str = "06:00"  # the daily cycle, tenant-local time, on the tenant's business days
    jobs_retrain_at: str = "03:00"  # weekly retraining of the payment model, Sundays, tenant-local time
    jobs_digest_at: str = "07:00"  # the daily alert digest, tenant-local time, after the cycle
    jobs_lease_seconds: float = 3600.0  # a run whose holder sends no heartbeat is presumed abandoned after this
    worker_heartbeat_seconds: float = 15.0  # how often `cobro worker` writes its heartbeat
    worker_heartbeat_max_age_seconds: float = 120.0  # `/api/ready` answers 503 when the newest beat is older
    statement_inbox: Path | None = None  # a folder of bank statements imported by the worker (docs/jobs.md)
    # bounded inputs (COBRO_LIMIT_*; kernel/limits.py, docs/reliability.md "Bounded inputs")
    limit_csv_field_bytes: int = DEFAULT_LIMITS.csv_field_bytes
    limit_csv_line_bytes: int = DEFAULT_LIMITS.csv_line_bytes
    limit_xlsx_total_bytes: int = DEFAULT_LIMITS.xlsx_total_bytes
    limit_xlsx_part_bytes: int = DEFAULT_LIMITS.xlsx_part_bytes
    limit_xlsx_cells: int = DEFAULT_LIMITS.xlsx_cells
    limit_xlsx_columns: int = DEFAULT_LIMITS.xlsx_columns
    limit_zip_member_bytes: int = DEFAULT_LIMITS.zip_member_bytes
    limit_zip_total_bytes: int = DEFAULT_LIMITS.zip_total_bytes
    limit_zip_members: int = DEFAULT_LIMITS.zip_members
    limit_yaml_bytes: int = DEFAULT_LIMITS.yaml_bytes
    limit_yaml_depth: int = DEFAULT_LIMITS.yaml_depth
    limit_yaml_aliases: int = DEFAULT_LIMITS.yaml_aliases
    limit_yaml_nodes: int = DEFAULT_LIMITS.yaml_nodes

    def input_limits(self) -> InputLimits:
        """The `limit_*` settings as the value readers take."""
        return InputLimits(**{name: getattr(self, f"limit_{name}") for name in InputLimits.__slots__})

    @field_validator("rate_limit_per_credential", "rate_limit_per_address", "rate_limit_login")
    @classmethod
    def _a_rate(cls, value: str, info: ValidationInfo) -> str:
        # refused when the settings load (a command names the setting), not on the first request
        from limits import parse

        if value.strip():
            try:
                parse(value)
            except ValueError:
                raise ValueError(f"COBRO_{str(info.field_name).upper()}: {value!r} is not a rate such as "
                                 "600/minute") from None
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        # the environment gives one string: origins separated by commas
        return [o.strip() for o in value.split(",") if o.strip()] if isinstance(value, str) else value

    def __repr_args__(self) -> list[tuple[str | None, object]]:
        # settings hold the database password, SMTP credentials and tokens: a repr (a log line, a traceback's
        # locals) shows them masked
        return [(name, mask_setting(name or "", value)) for name, value in super().__repr_args__()]


def load_settings(**overrides: object) -> Settings:
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)  # type: ignore[arg-type]
