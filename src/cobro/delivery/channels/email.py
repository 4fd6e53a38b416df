"""Email over SMTP (`COBRO_SMTP_URL`): `smtp://host:port`, `smtps://` (implicit TLS) and `smtp+starttls://`,
each optionally with `user:password@`.

The Message-ID comes from the outbox row (deterministic), so a re-send after a crash carries the same id.
Failures are classified for the deliverer: 5xx recipient refusals are permanent bounces; connection problems,
4xx replies and authentication errors are transient (the message stays queued while the server is fixed).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate, parseaddr
from urllib.parse import unquote, urlsplit

from cobro.delivery.channels.base import DeliveryResult, OutboundMessage
from cobro.kernel.redact import mask_url

_DEFAULT_PORTS = {"smtp": 25, "smtps": 465, "smtp+starttls": 587}


class SmtpUrlError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    scheme: str
    host: str
    port: int
    username: str = ""
    password: str = field(default="", repr=False)  # a repr in a log or traceback never shows it

    @property
    def starttls(self) -> bool:
        return self.scheme == "smtp+starttls"

    @property
    def implicit_tls(self) -> bool:
        return self.scheme == "smtps"


def parse_smtp_url(url: str) -> SmtpConfig:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    shown = mask_url(url.strip())  # the messages end up in logs and on the terminal: never the password
    if scheme not in _DEFAULT_PORTS:
        raise SmtpUrlError(f"SMTP URL must start with smtp://, smtps:// or smtp+starttls://, got {shown!r}")
    if not parts.hostname:
        raise SmtpUrlError(f"SMTP URL has no host: {shown!r}")
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError as exc:
        raise SmtpUrlError(f"bad port in SMTP URL {shown!r}") from exc
    return SmtpConfig(scheme, parts.hostname, port, unquote(parts.username or ""), unquote(parts.password or ""))


def message_domain(sender: str) -> str:
    """Right-hand side of the sender address, used in Message-IDs."""
    _, addr = parseaddr(sender)
    return addr.rpartition("@")[2] or "cobro.invalid"


def from_header(message: OutboundMessage, sender: str) -> str:
    """The From: of a message: the creditor's sender name and address from its profile, each falling back to the
    configured sender's (`smtp_from`), so a tenant that set only a name still sends from the relay's address."""
    name, address = parseaddr(sender)
    return formataddr((message.sender_name or name, message.sender_email or address))


def build_email(message: OutboundMessage, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = from_header(message, sender)
    if message.reply_to:
        msg["Reply-To"] = message.reply_to
    msg["To"] = formataddr((message.recipient_name, message.recipient)) if message.recipient_name \
        else message.recipient
    msg["Subject"] = message.subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    if message.message_id:
        msg["Message-ID"] = message.message_id
    if message.idempotency_key:
        msg["X-Cobro-Key"] = message.idempotency_key
    msg["Content-Language"] = message.language
    msg.set_content(message.text)
    if message.html:
        msg.add_alternative(message.html, subtype="html")
    for att in message.attachments:
        maintype, _, subtype = att.mime_type.partition("/")
        msg.add_attachment(att.content, maintype=maintype, subtype=subtype or "octet-stream",
                           filename=att.filename)
    return msg


def _valid_address(address: str) -> bool:
    _, addr = parseaddr(address)
    local, at, domain = addr.rpartition("@")
    return bool(at and local and "." in domain and addr == address.strip())


class EmailChannel:
    """SMTP transport.  One connection is reused for a batch and reopened after any error."""

    name = "email"

    def __init__(self, smtp_url: str, sender: str, *, timeout: float = 30.0,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self.config = parse_smtp_url(smtp_url)
        self.sender = sender
        self.timeout = timeout
        self.ssl_context = ssl_context or ssl.create_default_context()
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        cfg = self.config
        smtp: smtplib.SMTP
        if cfg.implicit_tls:
            smtp = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=self.timeout, context=self.ssl_context)
        else:
            smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if cfg.starttls:
                smtp.starttls(context=self.ssl_context)
                smtp.ehlo()
            if cfg.username:
                smtp.login(cfg.username, cfg.password)
        except BaseException:
            self._quietly_close(smtp)
            raise
        return smtp

    def send(self, message: OutboundMessage) -> DeliveryResult:
        if not _valid_address(message.recipient):
            return DeliveryResult.dead(f"invalid email address {message.recipient!r}", bounce=True)
        email = build_email(message, self.sender)
        for attempt in (1, 2):
            try:
                if self._smtp is None:
                    self._smtp = self._connect()
                refused = self._smtp.send_message(email)
            except smtplib.SMTPServerDisconnected as exc:
                self.close()
                if attempt == 1:  # a reused connection timed out on the server side: reconnect once
                    continue
                return DeliveryResult.retry(f"SMTP disconnected: {exc}", unavailable=True)
            except smtplib.SMTPRecipientsRefused as exc:
                self.close()
                return _refused(exc.recipients)
            except smtplib.SMTPAuthenticationError as exc:
                self.close()
                return DeliveryResult.retry(f"SMTP authentication failed: {exc.smtp_code}", unavailable=True)
            except smtplib.SMTPSenderRefused as exc:
                self.close()
                return DeliveryResult.retry(f"SMTP sender refused: {exc.smtp_code} {_text(exc.smtp_error)}",
                                            unavailable=True)
            except smtplib.SMTPResponseException as exc:
                self.close()
                error = f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}"
                return DeliveryResult.dead(error) if 500 <= exc.smtp_code < 600 else DeliveryResult.retry(error)
            except (smtplib.SMTPException, OSError) as exc:
                self.close()
                return DeliveryResult.retry(f"SMTP unavailable: {type(exc).__name__}: {exc}", unavailable=True)
            if refused:
                return _refused(refused)
            return DeliveryResult.sent(message.message_id)
        return DeliveryResult.retry("SMTP disconnected", unavailable=True)  # pragma: no cover

    def close(self) -> None:
        if self._smtp is not None:
            self._quietly_close(self._smtp)
            self._smtp = None

    @staticmethod
    def _quietly_close(smtp: smtplib.SMTP) -> None:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _refused(recipients: dict[str, tuple[int, bytes]]) -> DeliveryResult:
    code, reason = next(iter(recipients.values()))
    error = f"recipient refused: {code} {_text(reason)}"
    if 500 <= code < 600:
        return DeliveryResult.dead(error, bounce=True)
    return DeliveryResult.retry(error)
