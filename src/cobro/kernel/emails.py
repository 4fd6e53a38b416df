"""One rule for an e-mail address that cobro will write to: the syntax of RFC 5321/5322 as `email-validator`
checks it (internationalised addresses included), without a DNS look-up (an import must not depend on the
network, and a domain that does not resolve today may tomorrow).  One address per field: no display name, no list.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email


def email_problem(address: str) -> str | None:
    """Why `address` is not a usable e-mail address, or None when it is."""
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        return str(exc)
    return None
