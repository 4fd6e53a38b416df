"""Secrets out of anything a person or a log may read: passwords in URLs, tokens and keys in settings.

A database or SMTP URL carries its password (`postgresql://app:s3cret@db/cobro`); an error message, a log line or
a repr of the settings that shows the URL would show the password.  `mask_url` keeps what helps a reader find the
problem (scheme, user, host, port, path) and replaces the password; `mask_setting` does the same by field name.
"""

from __future__ import annotations

from urllib.parse import urlsplit

MASK = "***"
# a setting whose name contains one of these holds a secret as a whole
_SECRET_WORDS = ("password", "secret", "token", "key")


def mask_url(url: str) -> str:
    """`url` with its password (and a query's secret-looking values) replaced by `***`; other text unchanged."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # not a URL we can take apart (a bad port, a stray bracket): hide the part before '@'
        return _mask_userinfo(url)
    shown = url
    if password is not None:  # replaced in place: re-assembling the URL would alter it (`sqlite:///x` loses `//`)
        userinfo, host = parts.netloc.rsplit("@", 1)
        shown = shown.replace(parts.netloc, f"{userinfo.split(':', 1)[0]}:{MASK}@{host}", 1)
    if parts.query:
        shown = shown.replace(parts.query, "&".join(_mask_pair(pair) for pair in parts.query.split("&")), 1)
    return shown


def _mask_pair(pair: str) -> str:
    name, sep, value = pair.partition("=")
    return f"{name}={MASK}" if sep and value and _is_secret_name(name) else pair


def _mask_userinfo(text: str) -> str:
    scheme, sep, rest = text.partition("://")
    if not sep or "@" not in rest:
        return text
    userinfo, host = rest.rsplit("@", 1)
    return f"{scheme}://{userinfo.split(':', 1)[0]}:{MASK}@{host}"


def _is_secret_name(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_WORDS)


def mask_setting(name: str, value: object) -> object:
    """The value of setting `name` as it may be shown: secrets masked, URLs without their password."""
    if isinstance(value, str) and value:
        if _is_secret_name(name):
            return MASK
        if name.endswith("_url") or "://" in value:
            return mask_url(value)
    return value
