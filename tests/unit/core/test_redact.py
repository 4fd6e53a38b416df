"""Secrets never shown: URLs lose their password, secret-named settings are masked, errors hide the SMTP password."""

from __future__ import annotations

import pytest

from cobro.delivery.channels.email import SmtpUrlError, parse_smtp_url
from cobro.kernel.redact import MASK, mask_setting, mask_url
from cobro.platform.settings import Settings


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql://app:s3cret@db.internal:5432/cobro", "postgresql://app:***@db.internal:5432/cobro"),
    ("postgresql+psycopg://app:p%40ss@db/cobro?sslmode=require", "postgresql+psycopg://app:***@db/cobro?sslmode=require"),
    ("smtp+starttls://mailer:hunter2@smtp.example.com:587", "smtp+starttls://mailer:***@smtp.example.com:587"),
    ("https://api.example/send?to=1&token=abc&api_key=k", f"https://api.example/send?to=1&token={MASK}&api_key={MASK}"),
    ("sqlite:///cobro.db", "sqlite:///cobro.db"),
    ("smtp://user@host", "smtp://user@host"),  # a user without a password stays as it is
    ("smtp://u:pw@host:notaport", "smtp://u:***@host:notaport"),  # not parseable: still masked
])
def test_mask_url(url: str, shown: str) -> None:
    assert mask_url(url) == shown


def test_settings_repr_masks_every_secret() -> None:
    settings = Settings(database_url="postgresql://app:s3cret@db/cobro", smtp_url="smtps://u:hunter2@mail",
                        whatsapp_token="wa-t0ken", sms_token="sms-t0ken", sms_url="https://sms.example/?key=k3y")
    text = repr(settings) + str(settings)
    for secret in ("s3cret", "hunter2", "wa-t0ken", "sms-t0ken", "k3y"):
        assert secret not in text, secret
    assert "db/cobro" in text and "mail" in text  # what helps find the problem stays
    assert settings.database_url == "postgresql://app:s3cret@db/cobro"  # the value itself is untouched


def test_mask_setting_leaves_plain_values() -> None:
    assert mask_setting("tenant", "acme") == "acme" and mask_setting("outbox_batch_size", 20) == 20
    assert mask_setting("secret_key", "x") == MASK and mask_setting("secret_key", "") == ""


def test_smtp_url_errors_do_not_show_the_password() -> None:
    with pytest.raises(SmtpUrlError) as bad_port:
        parse_smtp_url("smtp://mailer:hunter2@smtp.example.com:99999999")
    with pytest.raises(SmtpUrlError) as bad_scheme:
        parse_smtp_url("ftp://mailer:hunter2@smtp.example.com")
    for exc in (bad_port, bad_scheme):
        assert "hunter2" not in str(exc.value) and "smtp.example.com" in str(exc.value)
    assert "hunter2" not in repr(parse_smtp_url("smtp://mailer:hunter2@smtp.example.com"))


def test_cors_origins_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COBRO_CORS_ORIGINS", "https://erp.example.com, https://bi.example.com")
    assert Settings().cors_origins == ["https://erp.example.com", "https://bi.example.com"]
    monkeypatch.delenv("COBRO_CORS_ORIGINS")
    assert Settings().cors_origins == []
