"""Render outbox messages with sandboxed Jinja2 templates, Babel-formatted money and dates per locale.

Templates live in `templates/{lang}/{name}.j2` and define three blocks: `subject`, `text` and `html`.  The same
file is rendered by two sandboxed environments: the text one without escaping (subject, text) and the HTML one with
autoescape on, so a customer name like `<b>&Co` can never inject markup whatever the template author writes.
Every template sees the typed message parts (`cobro.delivery.channels.compose.template_variables`: customer,
creditor, items, total, ...; attributes, never dict lookups) plus the filters `money`, `date`, `longdate` and
`number`.  Any failure (missing variable, syntax error, sandbox violation, bad amount) raises
`RenderError`, which the deliverer turns into a dead letter for that one message.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from cobro.kernel.money import Money

TEMPLATES_DIR = Path(__file__).parent / "templates"
DEFAULT_LOCALES = {"es": "es_ES", "en": "en_GB"}
FALLBACK_LANGUAGE = "es"
_SPACES = re.compile(r"[ \t\r\n]+")


class RenderError(Exception):
    """A template could not be rendered for this message (the error text goes to the dead letter)."""


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str
    language: str
    locale: str


def split_language(language: str) -> tuple[str, str]:
    """`"es"` → ("es", "es_ES"); `"es-MX"`/`"es_MX"` → ("es", "es_MX"); unknown languages fall back to Spanish."""
    raw = (language or FALLBACK_LANGUAGE).replace("-", "_")
    lang, _, region = raw.partition("_")
    lang = lang.lower()
    if lang not in DEFAULT_LOCALES:
        return FALLBACK_LANGUAGE, DEFAULT_LOCALES[FALLBACK_LANGUAGE]
    return lang, f"{lang}_{region.upper()}" if region else DEFAULT_LOCALES[lang]


def to_decimal(value: Any) -> Decimal:
    """Amounts arrive from JSON as decimal strings ("1234.50"); ints are whole units.  Floats are refused."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool | float):
        raise RenderError(f"amount must be a decimal string, got {type(value).__name__} {value!r}")
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise RenderError(f"not an amount: {value!r}") from exc
    if not result.is_finite():
        raise RenderError(f"not an amount: {value!r}")
    return result


def to_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise RenderError(f"not a date: {value!r}") from exc


class Formatter:
    """Filters bound to one locale."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def money(self, value: Any, currency: str | None = None) -> str:
        if isinstance(value, Money):
            currency = currency or value.currency
            value = value.amount
        elif isinstance(value, dict):  # {"amount": "12.00", "currency": "EUR"}
            currency = currency or value.get("currency")
            value = value.get("amount")
        if not currency:
            raise RenderError("money filter needs a currency")
        return format_currency(to_decimal(value), str(currency), locale=self.locale)

    def number(self, value: Any, digits: int = 2) -> str:
        pattern = "#,##0." + "0" * digits if digits else "#,##0"
        return format_decimal(to_decimal(value), format=pattern, locale=self.locale)

    def date(self, value: Any) -> str:
        return format_date(to_date(value), format="dd/MM/yyyy", locale=self.locale)

    def longdate(self, value: Any) -> str:
        return format_date(to_date(value), format="long", locale=self.locale)


MAX_BUILT_CHARS = 1_000_000  # a string or list a template builds with `*`; a whole letter is a few KB
MAX_EXPONENT = 1_000


class _BoundedSandbox(SandboxedEnvironment):
    """The sandbox refuses `"x" * 10**10` and `9 ** 9 ** 9` before building them: a template (an operator's file)
    must fail its one message with a RenderError, not exhaust the deliverer's memory or time."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        # a str method given a width (`"x".ljust(10**10)`) allocates it at once
        _check_widths(args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "%" and isinstance(left, str):
            _check_widths(tuple(int(w) for w in _WIDTH.findall(left)), {})
        if operator == "**" and isinstance(right, int) and abs(right) > MAX_EXPONENT:
            raise RenderError(f"exponent {right} is larger than {MAX_EXPONENT}")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(times, int) \
                        and len(seq) * times > MAX_BUILT_CHARS:
                    raise RenderError(f"a template builds a value of {len(seq) * times} items "
                                      f"(limit {MAX_BUILT_CHARS})")
        return super().call_binop(context, operator, left, right)


_WIDTH = re.compile(r"%[-+ #0]*(\d+)")
_WIDTH_FILTERS = ("center", "indent", "wordwrap", "truncate", "format")


def _check_widths(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_BUILT_CHARS:
            raise RenderError(f"a width or count of {value} is larger than {MAX_BUILT_CHARS}")


def _bounded(fn: Any) -> Any:
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _check_widths(args[1:], kwargs)
        return fn(*args, **kwargs)
    return guarded


def _make_env(autoescape: bool, templates_dir: Path, fmt: Formatter) -> SandboxedEnvironment:
    env = _BoundedSandbox(
        loader=FileSystemLoader(str(templates_dir)),
        undefined=StrictUndefined,
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(money=fmt.money, date=fmt.date, longdate=fmt.longdate, number=fmt.number)
    env.filters.update({name: _bounded(env.filters[name]) for name in _WIDTH_FILTERS})
    return env


class Renderer:
    """Renders `{lang}/{template}.j2`.  Construct once; it is cheap to call per message."""

    def __init__(self, templates_dir: Path = TEMPLATES_DIR) -> None:
        self.templates_dir = templates_dir
        # One pair of environments per locale: the filters are bound to it, and compiled templates are cached.
        self._envs: dict[str, tuple[SandboxedEnvironment, SandboxedEnvironment]] = {}

    def _environments(self, locale: str) -> tuple[SandboxedEnvironment, SandboxedEnvironment]:
        if locale not in self._envs:
            fmt = Formatter(locale)
            self._envs[locale] = (_make_env(False, self.templates_dir, fmt),
                                  _make_env(True, self.templates_dir, fmt))
        return self._envs[locale]

    def available(self, language: str) -> list[str]:
        lang, _ = split_language(language)
        folder = self.templates_dir / lang
        return sorted(p.name[:-3] for p in folder.glob("*.j2") if not p.name.startswith("_"))

    def render(self, template: str, language: str, context: dict[str, Any]) -> Rendered:
        lang, locale = split_language(language)
        if not template or "/" in template or "\\" in template or template.startswith((".", "_")):
            raise RenderError(f"invalid template name {template!r}")
        name = f"{lang}/{template}.j2"
        # Optional keys default here so templates can test them; everything else missing is a RenderError.
        variables = {"interest": None, "compensation": None, "tone": "", "recipient_name": "",
                     "state_interest": False, "state_compensation": False,
                     **context, "language": lang, "locale": locale}
        try:
            text_env, html_env = self._environments(locale)
            # Collapse layout whitespace but keep the no-break spaces Babel puts between amount and symbol.
            subject = _SPACES.sub(" ", self._block(text_env, name, "subject", variables)).strip()
            text = self._block(text_env, name, "text", variables).strip() + "\n"
            html = self._block(html_env, name, "html", variables).strip()
        except RenderError:
            raise
        except TemplateError as exc:
            raise RenderError(f"{name}: {type(exc).__name__}: {exc}") from exc
        except (ArithmeticError, ValueError, TypeError, KeyError, AttributeError) as exc:
            raise RenderError(f"{name}: {type(exc).__name__}: {exc}") from exc
        except (MemoryError, RecursionError) as exc:
            # a filter that builds a huge value (`center(10**10)`): this message fails, the deliverer goes on
            raise RenderError(f"{name}: {type(exc).__name__}: the template builds a value too large to render") \
                from None
        return Rendered(subject, text, html + "\n" if html else "", lang, locale)

    @staticmethod
    def _block(env: SandboxedEnvironment, name: str, block: str, variables: dict[str, Any]) -> str:
        tmpl = env.get_template(name)
        if block not in tmpl.blocks:
            return ""
        return "".join(tmpl.blocks[block](tmpl.new_context(variables)))
