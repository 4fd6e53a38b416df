"""Which late-payment law governs a debt, and how documents cite it (docs/interest.md, docs/domain.md §1).

**The rule.** The law of a debt is the one its contract or the customer's policy names (`late_payment.
governing_law`); when none is named, it is the law of the debtor's country: ES → Ley 3/2004, GB → the 1998 Act,
CL, MX, CO and PE → their own rules, a euro-area member state → Directive 2011/7/EU with the ECB reference rate. A
debtor whose country cobro has no rule for (or whose country is unknown) falls back to the policy's
`interest_reference` (by default ES).  Non-euro EU states are not mapped to the Directive: their reference rate is
their central bank's, which cobro does not ship.

The wording only cites what docs/domain.md documents with its sources; the interest figure itself comes from
`compute_late_interest` and the rate book, never from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# euro-area members (ECB reference rate); ES and the non-EU jurisdictions have rules of their own
EURO_AREA: Final = frozenset({"AT", "BE", "CY", "DE", "EE", "FI", "FR", "GR", "HR", "IE", "IT", "LT", "LU", "LV",
                              "MT", "NL", "PT", "SI", "SK"})
_OWN_RULES: Final = {"ES": "ES", "GB": "UK", "UK": "UK", "CL": "CL", "MX": "MX", "CO": "CO", "PE": "PE"}

# what the debtor's tax id is called on a document, by the debtor's country
TAX_ID_LABELS: Final = {"ES": "NIF/CIF", "CL": "RUT", "MX": "RFC", "CO": "NIT", "PE": "RUC"}


def debt_jurisdiction(country: str, *, governing_law: str = "", fallback: str = "ES") -> str:
    """The jurisdiction code (ES, EU, UK, CL, MX, CO, PE) whose late-payment law governs a debt of a debtor in
    `country` (ISO 3166 alpha-2): `governing_law` when the contract or policy names one, else the debtor's
    country's, else `fallback` (the policy's `interest_reference`)."""
    named = governing_law.strip().upper()
    if named:
        return _OWN_RULES.get(named, named)
    code = country.strip().upper()
    if code in _OWN_RULES:
        return _OWN_RULES[code]
    if code in EURO_AREA:
        return "EU"
    return _OWN_RULES.get(fallback.strip().upper(), fallback.strip().upper() or "ES")


def tax_id_label(country: str) -> str:
    """`RUT` for a Chilean debtor, `RFC` Mexican, `NIT` Colombian, `RUC` Peruvian, `NIF/CIF` Spanish; "" for any
    other country (the document then uses its generic word: NIF, tax id)."""
    return TAX_ID_LABELS.get(country.strip().upper(), "")


@dataclass(frozen=True, slots=True)
class LegalWording:
    """How a letter cites the law of a debt, in one language.

    `interest_cite` completes "De acuerdo con …" / "Under …"; `interest_name` names the statutory interest;
    `compensation` is the sentence on fixed recovery costs with `{amount}` where the amount goes ("" when the law
    gives none); `source` is where docs/domain.md took it from."""

    jurisdiction: str
    interest_cite: str
    interest_name: str
    compensation: str
    source: str

    def compensation_sentence(self, amount: str) -> str:
        return self.compensation.replace("{amount}", amount) if self.compensation else ""


_ES: Final[dict[str, LegalWording]] = {
    "ES": LegalWording("ES", "el artículo 7 de la Ley 3/2004, de lucha contra la morosidad", "el interés de demora legal",
                       "Conforme al artículo 8 de la misma ley, tenemos derecho a reclamar una indemnización de "
                       "{amount} por cada factura vencida en concepto de costes de cobro, sin necesidad de petición "
                       "expresa.", "boe.es/buscar/act.php?id=BOE-A-2004-21990"),
    "EU": LegalWording("EU", "la Directiva 2011/7/UE, de lucha contra la morosidad en las operaciones comerciales",
                       "el interés legal de demora (tipo de referencia del BCE más ocho puntos)",
                       "Conforme al artículo 6 de la Directiva, tenemos derecho a una compensación mínima de {amount} "
                       "por cada factura vencida en concepto de costes de cobro, sin necesidad de requerimiento.",
                       "eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32011L0007"),
    "UK": LegalWording("UK", "la Late Payment of Commercial Debts (Interest) Act 1998 del Reino Unido",
                       "el interés legal (tipo base del Banco de Inglaterra más ocho puntos)",
                       "Conforme a la misma ley, tenemos derecho a las cantidades fijas por deuda que establece "
                       "(40, 70 o 100 libras según su importe), en total {amount}.",
                       "legislation.gov.uk/uksi/1998/2480"),
    "CL": LegalWording("CL", "la Ley 19.983, modificada por la Ley 21.131 (pago a 30 días)",
                       "el interés corriente para operaciones no reajustables en moneda nacional de más de 90 días "
                       "publicado por la CMF",
                       "Conforme a la misma ley, corresponde además una comisión fija de cobranza del 1 % del saldo "
                       "impago, que asciende a {amount}.",
                       "registrodeacuerdos.economia.gob.cl/PreguntasFrecuentes.aspx"),
    "MX": LegalWording("MX", "el artículo 362 del Código de Comercio", "el interés legal del seis por ciento anual",
                       "", "sdv.com.mx/compendio/codigo-comercio/articulo-362"),
    "CO": LegalWording("CO", "el artículo 884 del Código de Comercio",
                       "el interés moratorio (una vez y media el interés bancario corriente certificado por la "
                       "Superintendencia Financiera)", "", "treboljuridico.com/?p=3636"),
    "PE": LegalWording("PE", "los artículos 1244 a 1246 del Código Civil",
                       "la tasa de interés legal fijada por el BCRP", "",
                       "conceptosjuridicos.com/pe/intereses-legales"),
}
_EN: Final[dict[str, LegalWording]] = {
    # Ley 3/2004 transposes the Directive: an English letter to a Spanish debtor cites the Directive, as before
    "ES": LegalWording("ES", "the applicable late-payment legislation (Directive 2011/7/EU)", "statutory interest",
                       "We are also entitled to a fixed compensation for recovery costs of {amount} for each overdue "
                       "invoice, without the need for a reminder.", _ES["ES"].source),
    "EU": LegalWording("EU", "the applicable late-payment legislation (Directive 2011/7/EU)", "statutory interest",
                       "We are also entitled to a fixed compensation for recovery costs of {amount} for each overdue "
                       "invoice, without the need for a reminder.", _ES["EU"].source),
    "UK": LegalWording("UK", "the Late Payment of Commercial Debts (Interest) Act 1998",
                       "statutory interest (Bank of England base rate plus 8 %)",
                       "We are also entitled to the fixed sums the Act sets per debt (£40, £70 or £100 by its size), "
                       "{amount} in total.", _ES["UK"].source),
    "CL": LegalWording("CL", "Chilean Ley 19.983 as amended by Ley 21.131",
                       "interest at the CMF's current rate for non-adjustable operations of more than 90 days",
                       "The same law adds a fixed collection fee of 1 % of the unpaid balance, {amount}.",
                       _ES["CL"].source),
    "MX": LegalWording("MX", "article 362 of the Mexican Código de Comercio", "statutory interest of 6 % a year", "",
                       _ES["MX"].source),
    "CO": LegalWording("CO", "article 884 of the Colombian Código de Comercio",
                       "default interest (1.5 times the interés bancario corriente certified by the Superintendencia "
                       "Financiera)", "", _ES["CO"].source),
    "PE": LegalWording("PE", "articles 1244 to 1246 of the Peruvian Código Civil",
                       "interest at the legal rate fixed by the BCRP", "", _ES["PE"].source),
}


def wording(jurisdiction: str, language: str = "es") -> LegalWording:
    """The citations for `jurisdiction` in the document's language (Spanish, else English); an unknown code gets
    Spain's, the shipped policy's reference."""
    table = _ES if language.lower().startswith("es") else _EN
    code = _OWN_RULES.get(jurisdiction.strip().upper(), jurisdiction.strip().upper())
    return table.get(code, table["ES"])

