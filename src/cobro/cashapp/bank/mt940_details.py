"""Decoding of MT940 `:86:` "information to account owner", which every bank fills its own way.

Dialects handled: German GVC subfields (`835?20…?32name` and Triodos' `>20`), SEPA keywords inside them
(`EREF+`, `SVWZ+`…), Dutch slash-keyed structures (Rabobank `/ORDP//NAME/`, ING `/CNTP/…/REMI/USTD//`,
Mollie `/IBAN/…/NAME/`), and free text that starts with the other party's account (SNS, ASN).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FULL_LINE = 65  # SWIFT line width: a line this long was hard-wrapped, so its continuation joins without a space
_GVC = re.compile(r"^(\d{3})?(?=[?>]\d{2})")
_NL_KEYS = re.compile(
    r"/(TRTP|IBAN|BIC|NAME|REMI|EREF|CNTP|ORDP|BENM|ADDR|ISDT|MARF|CSID|RTRN|PREF|SUM|ULTC|ULTD|ULTB|PURP|"
    r"IREF|KREF|OCMT|CHGS|EXCH|SVCL|BUSP|TRCD|CDTRREF|CDTRREFTP)/")
_SEPA_KEYS = re.compile(r"(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|COAM|OAMT|IBAN|BIC)\+")
_ACCOUNT = re.compile(r"^([A-Z]{2}\d{2}[A-Z0-9]{8,30}|P?\d{7,10})$")
_LEADING_ACCOUNT = re.compile(r"^([A-Z]{2}\d{2}[A-Z0-9]{8,30}|\d{9,10})\s+(.*)$", re.DOTALL)
_NOT_PROVIDED = {"NOTPROVIDED", "NONREF", ""}


@dataclass
class Details:
    remittance: str = ""
    name: str = ""
    account: str = ""
    reference: str = ""
    end_to_end_id: str = ""
    return_reason: str = ""
    code: str = ""


def squash(text: str) -> str:
    return " ".join(text.split())


def join_lines(lines: list[str], first_width: int, hard: bool) -> str:
    """Rejoin wrapped lines: structured text always glues, free text glues only after a full-width line."""
    out = ""
    width = first_width
    for i, line in enumerate(lines):
        if i and not hard and width < FULL_LINE:
            out += " "
        out += line
        width = len(line)
    return out


def is_structured(text: str) -> bool:
    return bool(_GVC.match(text) or _NL_KEYS.search(text))


def parse_details(lines: list[str], first_width: int, supplementary: str) -> Details:
    """Decode `:86:` lines; `supplementary` is the `:61:` second-line text (a name at SNS/ASN, an account at Rabo)."""
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    head = "".join(lines)
    structured = is_structured(head.lstrip())
    text = join_lines(lines, first_width, structured).strip()
    if _GVC.match(text):
        details = _german(text)
    elif _NL_KEYS.search(text):
        details = _dutch(text)
    else:
        details = _free(text, supplementary)
    extra = squash(supplementary)
    if extra and not details.account and _ACCOUNT.match(extra):
        details.account = extra
    elif extra and not details.remittance and extra not in (details.name, details.account):
        details.remittance = extra
    return details


def _german(text: str) -> Details:
    match = _GVC.match(text)
    code = match.group(1) if match and match.group(1) else ""
    body = text[len(code):]
    sep = body[0]
    parts = re.split(rf"\{sep}(\d{{2}})", body)
    fields: dict[str, str] = {}
    for key, value in zip(parts[1::2], parts[2::2], strict=False):
        fields[key] = fields.get(key, "") + value
    purpose = "".join(fields.get(k, "") for k in [*(str(n) for n in range(20, 30)), "60", "61", "62", "63"])
    details = Details(code=code, name=squash(fields.get("32", "") + fields.get("33", "")),
                      account=squash(fields.get("31", "")))
    keyed = list(_SEPA_KEYS.finditer(purpose))
    if keyed:
        values = {m.group(1): purpose[m.end(): keyed[i + 1].start() if i + 1 < len(keyed) else None].strip()
                  for i, m in enumerate(keyed)}
        eref = squash(values.get("EREF", "") or values.get("KREF", ""))
        details.end_to_end_id = "" if eref.upper() in _NOT_PROVIDED else eref
        details.reference = details.end_to_end_id
        details.remittance = squash(values.get("SVWZ", "") or purpose[: keyed[0].start()])
    else:
        details.remittance = squash(purpose)
    if not details.remittance:
        details.remittance = squash(fields.get("00", ""))
    return details


def _dutch(text: str) -> Details:
    found = list(_NL_KEYS.finditer(text))
    values: dict[str, str] = {}
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        values.setdefault(m.group(1), text[m.end(): end].strip("/ "))
    counterparty = values.get("CNTP", "").split("/")
    remi = values.get("REMI", "")
    structured_ref = ""
    if remi.startswith("USTD//"):
        remi = remi[6:]
    elif remi.startswith("STRD/"):
        # ING: /REMI/STRD/CUR/<payment reference>/ - a structured (Currence) reference, best for matching
        structured_ref = remi.rsplit("/", 1)[-1]
        remi = ""
    eref = squash(values.get("EREF", ""))
    eref = "" if eref.upper() in _NOT_PROVIDED else eref
    return Details(
        remittance=squash(remi.strip("/")),
        name=squash(values.get("NAME", "") or (counterparty[2] if len(counterparty) > 2 else "")),
        account=squash(values.get("IBAN", "") or counterparty[0]),
        reference=structured_ref or eref or squash(values.get("PREF", "")), end_to_end_id=eref,
        return_reason=values.get("RTRN", "").split("/")[0].strip(), code=values.get("TRTP", ""))


def _free(text: str, supplementary: str) -> Details:
    details = Details()
    match = _LEADING_ACCOUNT.match(text)
    name = squash(supplementary)
    if match and (not name or squash(match.group(2)).startswith(name)):
        # SNS/ASN layout: "<account> <name>" then the remittance lines
        details.account = match.group(1)
        rest = squash(match.group(2))
        if name:
            details.name, rest = name, rest[len(name):]
        details.remittance = squash(rest)
    else:
        details.remittance = squash(text)
    return details
