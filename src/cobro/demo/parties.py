"""Invented debtors for the demo ledger: Spanish and Latin American companies with valid tax ids and contacts.

Names come from word lists ("Construcciones del Ebro SL", "Distribuidora del Bajío SA de CV"); tax ids get
real check digits from python-stdnum, so every id passes `cobro.kernel.taxids.check_tax_id`.  Everything is
drawn from a numpy Generator, so one seed gives one set of customers.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

import numpy as np
from stdnum.cl import rut
from stdnum.co import nit
from stdnum.es import cif
from stdnum.mx import rfc
from stdnum.pe import ruc

from cobro.kernel.money import exponent
from cobro.kernel.taxids import EU_VAT_PREFIXES

BEHAVIOURS = ("punctual", "chronic_late", "slowing_down", "disputing", "insolvent")
_BEHAVIOUR_SHARE = (0.40, 0.24, 0.12, 0.14, 0.10)

SEGMENTS = ("retail", "industry", "construction", "public_sector", "wholesale")
_SEGMENT_SHARE = (0.20, 0.25, 0.20, 0.08, 0.27)
# mean invoice amount in EUR per segment; customers scatter around it (log-normal)
_SEGMENT_TICKET_EUR = {"retail": 700.0, "industry": 4500.0, "construction": 8000.0, "public_sector": 3500.0,
                       "wholesale": 2500.0}

COUNTRIES = ("ES", "MX", "CL", "CO", "PE")
_COUNTRY_SHARE = (0.64, 0.13, 0.08, 0.09, 0.06)
# rough units of local currency per EUR, to keep amounts plausible across currencies
EUR_RATE = {"EUR": 1.0, "USD": 1.1, "MXN": 19.0, "CLP": 1000.0, "COP": 4400.0, "PEN": 4.1}
_LOCAL_CURRENCY = {"ES": "EUR", "MX": "MXN", "CL": "CLP", "CO": "COP", "PE": "PEN"}

_ACTIVITY = {
    "construction": ("Construcciones", "Obras y Reformas", "Estructuras", "Promociones", "Excavaciones",
                     "Constructora", "Instalaciones Eléctricas"),
    "industry": ("Industrias", "Metalúrgica", "Plásticos", "Talleres", "Componentes", "Manufacturas",
                 "Química", "Transportes", "Envases"),
    "wholesale": ("Distribuidora", "Comercial", "Suministros", "Almacenes", "Importadora", "Mayorista",
                  "Distribuciones"),
    "retail": ("Supermercados", "Tiendas", "Ferretería", "Farmacia", "Muebles", "Moda", "Electrodomésticos"),
}
_PUBLIC = {
    "ES": ("Ayuntamiento de", "Consorcio de Aguas de", "Hospital Comarcal de", "Diputación de"),
    "MX": ("Municipio de", "Organismo de Agua de", "Instituto Municipal de"),
    "CL": ("Municipalidad de", "Servicio de Salud de", "Corporación Municipal de"),
    "CO": ("Alcaldía de", "Empresa de Servicios Públicos de", "Hospital Departamental de"),
    "PE": ("Municipalidad de", "Gobierno Regional de", "Hospital Regional de"),
}
_PLACES = {
    "ES": ("Levante", "del Norte", "del Sur", "del Ebro", "del Mediterráneo", "de Castilla", "de Galicia",
           "del Cantábrico", "de Aragón", "del Duero", "de La Rioja", "de Navarra", "del Atlántico",
           "de Andalucía", "del Vallès", "del Maresme", "de La Mancha", "del Bierzo"),
    "MX": ("del Bajío", "del Norte", "del Pacífico", "del Golfo", "de Occidente", "de Monterrey", "de Puebla",
           "del Sureste", "de Jalisco", "de Querétaro"),
    "CL": ("del Pacífico", "del Maule", "de Atacama", "del Biobío", "de Valparaíso", "del Sur", "Austral",
           "de Antofagasta"),
    "CO": ("del Caribe", "de Antioquia", "del Valle", "de Santander", "de la Sabana", "del Pacífico",
           "del Eje Cafetero", "de Boyacá"),
    "PE": ("del Sur", "de Lima", "de Arequipa", "del Norte", "de la Sierra", "del Pacífico", "de Trujillo",
           "de Piura"),
}
_TOWNS = {
    "ES": ("Getafe", "Sabadell", "Elche", "Vigo", "Gijón", "Badalona", "Cartagena", "Jerez", "Móstoles",
           "Terrassa", "Alicante", "Córdoba", "Valladolid", "Santander", "Burgos", "Logroño", "Salamanca"),
    "MX": ("Zapopan", "Guadalupe", "Tlalnepantla", "León", "Mérida", "Toluca", "Saltillo", "Hermosillo"),
    "CL": ("Maipú", "Puente Alto", "Temuco", "Rancagua", "Talca", "Concepción", "La Florida", "Antofagasta"),
    "CO": ("Medellín", "Bucaramanga", "Pereira", "Manizales", "Cali", "Cartagena", "Ibagué", "Pasto"),
    "PE": ("Miraflores", "Arequipa", "Trujillo", "Cusco", "Piura", "Chiclayo", "San Isidro", "Surco"),
}
# legal form → Spanish CIF first letter (SA = A, SL = B, cooperative = F)
_FORMS = {
    "ES": (("SL", 0.45), ("SA", 0.25), ("SLU", 0.22), ("S. Coop.", 0.08)),
    "MX": (("SA de CV", 0.6), ("S de RL de CV", 0.25), ("SAPI de CV", 0.15)),
    "CL": (("SpA", 0.45), ("Ltda.", 0.3), ("SA", 0.25)),
    "CO": (("SAS", 0.6), ("Ltda.", 0.2), ("SA", 0.2)),
    "PE": (("SAC", 0.5), ("SRL", 0.2), ("SA", 0.2), ("EIRL", 0.1)),
}
_CIF_LETTER = {"SA": "A", "SL": "B", "SLU": "B", "S. Coop.": "F"}
FIRST_NAMES = ("María", "José", "Antonio", "Carmen", "Laura", "Javier", "Marta", "David", "Lucía", "Pablo",
               "Ana", "Sergio", "Elena", "Jorge", "Raquel", "Alejandro", "Paula", "Miguel", "Cristina",
               "Fernando", "Sofía", "Diego", "Valentina", "Camila", "Andrés", "Mateo", "Gabriela", "Ricardo",
               "Daniela", "Felipe", "Isabel", "Rocío", "Iñaki", "Montserrat", "Álvaro")
SURNAMES = ("García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez",
            "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero",
            "Navarro", "Torres", "Ramírez", "Flores", "Vargas", "Castro", "Ortega", "Rojas", "Silva",
            "Morales", "Herrera", "Medina", "Etxeberria", "Puig", "Ferrer", "Quispe", "Mamani")
_TLD = {"ES": "es", "MX": "com.mx", "CL": "cl", "CO": "com.co", "PE": "com.pe"}
# (terms, weight); the ES list includes terms beyond the 60-day legal cap, which invoices then flag
_TERMS = {
    "ES": (("net 30", 0.25), ("net 60", 0.24), ("eom 30", 0.16), ("net 60 pay days 10,25", 0.15),
           ("eom 60", 0.08), ("net 90", 0.07), ("net 120", 0.05)),
    "LATAM": (("net 30", 0.35), ("net 45", 0.2), ("net 60", 0.25), ("net 90", 0.15), ("eom 30", 0.05)),
}
_METHODS = {"ES": (("transfer", 0.6), ("confirming", 0.2), ("direct_debit", 0.12), ("pagare", 0.08)),
            "MX": (("spei", 0.85), ("transfer", 0.15)), "LATAM": (("transfer", 0.9), ("cheque", 0.1))}


@dataclass(frozen=True, slots=True)
class DemoCustomer:
    id: int
    code: str
    legal_name: str
    country: str
    tax_id: str
    segment: str
    account_owner: str
    collector: str
    credit_limit_minor: int | None
    currency: str
    language: str
    terms: str
    behaviour: str
    invoices: int  # how many documents the generator issues to this customer
    ticket_minor: int  # mean invoice amount in minor units of `currency`
    batch_payer: bool  # pays weekly remittances covering several invoices
    method: str  # how the customer pays (transfer, confirming, spei ...)


@dataclass(frozen=True, slots=True)
class DemoContact:
    id: int
    customer_id: int
    name: str
    role: str
    email: str
    phone: str
    preferred_channel: str
    language: str


def _pick(rng: np.random.Generator, options: tuple[tuple[str, float], ...]) -> str:
    r = rng.random() * sum(w for _, w in options)
    for value, w in options:
        r -= w
        if r < 0:
            return value
    return options[-1][0]


def _one(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    return options[int(rng.integers(len(options)))]


def ascii_slug(text: str, sep: str = "") -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return sep.join("".join(ch for ch in word if ch.isalnum()) for word in folded.split() if word.isalnum()
                    or any(ch.isalnum() for ch in word))


def tax_id(rng: np.random.Generator, country: str, legal_name: str, form: str, public: bool) -> str:
    """A tax id with correct check digits for a company (or public body) of `country`."""
    if country == "ES":
        letter = ("P" if legal_name.startswith("Ayuntamiento") else "Q") if public else _CIF_LETTER.get(form, "B")
        body = f"{letter}{int(rng.integers(1, 53)):02d}{int(rng.integers(0, 100000)):05d}"
        check = cif.calc_check_digits(body)  # "<digit><letter>"; public bodies use the letter
        return body + (check[1] if letter in "PQS" else check[0])
    if country == "MX":
        initials = "".join(w[0] for w in ascii_slug(legal_name, " ").upper().split() if w[0].isalpha())
        head = (initials + "XXX")[:3]
        if head[:2] in EU_VAT_PREFIXES:  # check_tax_id would read "DE...", "IT..." as an EU VAT number
            head = head[0] + "X" + head[2]
        born = f"{int(rng.integers(75, 120)) % 100:02d}{int(rng.integers(1, 13)):02d}{int(rng.integers(1, 29)):02d}"
        homoclave = _one(rng, tuple("123456789ABCDEFGHJKLMNPRSTUV")) + _one(rng, tuple("123456789ABCDEFGHJKLMNPRSTUVWXYZ"))
        body = head + born + homoclave
        return body + rfc.calc_check_digit(body)
    if country == "CL":
        body = str(int(rng.integers(60_000_000, 61_000_000) if public else rng.integers(76_000_000, 78_000_000)))
        return str(rut.format(body + rut.calc_check_digit(body)))
    if country == "CO":
        body = str(int(rng.integers(890_000_000, 892_000_000) if public else rng.integers(800_000_000, 902_000_000)))
        return str(nit.format(body + nit.calc_check_digit(body)))
    if country == "PE":
        body = "20" + f"{int(rng.integers(10_000_000, 99_999_999)):08d}"
        return body + ruc.calc_check_digit(body)
    raise ValueError(f"no demo tax ids for {country}")


def _company_name(rng: np.random.Generator, country: str, segment: str) -> tuple[str, str]:
    """(legal name, legal form); public bodies have no legal form."""
    if segment == "public_sector":
        return f"{_one(rng, _PUBLIC[country])} {_one(rng, _TOWNS[country])}", ""
    activity, place, surname = _one(rng, _ACTIVITY[segment]), _one(rng, _PLACES[country]), _one(rng, SURNAMES)
    style = int(rng.integers(6))
    stem = (f"{activity} {place}", f"{activity} {place}", f"{activity} {surname}",
            f"{activity} Hermanos {surname}", f"{surname} e Hijos", f"Grupo {surname}")[style]
    form = _pick(rng, _FORMS[country])
    return f"{stem} {form}", form


def _phone(rng: np.random.Generator, country: str, mobile: bool) -> str:
    d = "".join(str(int(x)) for x in rng.integers(0, 10, 8))
    if country == "ES":
        return f"+34 {'6' if mobile else '9'}{d[:2]} {d[2:5]} {d[5:8]}"
    if country == "MX":
        return f"+52 55 {d[:4]} {d[4:]}"
    if country == "CL":
        return f"+56 {'9' if mobile else '2'} {d[:4]} {d[4:]}"
    if country == "CO":
        return f"+57 3{d[:2]} {d[2:5]} {d[5:]}{int(rng.integers(10))}"
    return f"+51 9{d[:2]} {d[2:5]} {d[5:8]}"


def _quota(rng: np.random.Generator, n: int, shares: tuple[float, ...]) -> np.ndarray:
    """Indices 0..len(shares)-1 in the given shares, every one present once n allows, in random order."""
    counts = [max(1 if n >= len(shares) else 0, math.floor(s * n)) for s in shares]
    while sum(counts) < n:
        counts[int(np.argmax([s * n - c for s, c in zip(shares, counts, strict=True)]))] += 1
    while sum(counts) > n:
        counts[int(np.argmax(counts))] -= 1
    labels = np.repeat(np.arange(len(shares)), counts)
    rng.shuffle(labels)
    return labels


def staff(rng: np.random.Generator, n: int) -> list[str]:
    names: list[str] = []
    while len(names) < n:
        name = f"{_one(rng, FIRST_NAMES)} {_one(rng, SURNAMES)}"
        if name not in names:
            names.append(name)
    return names


def make_customers(seed: int, debtors: int, invoices: int, first_id: int = 1) -> list[DemoCustomer]:
    """`debtors` customers sharing `invoices` documents; a few large accounts carry much of the volume."""
    rng = np.random.default_rng([seed, 0])
    behaviours = _quota(rng, debtors, _BEHAVIOUR_SHARE)
    owners = staff(rng, max(2, min(25, debtors // 40)))
    collectors = staff(rng, max(2, min(12, debtors // 150)))
    weights = rng.lognormal(0.0, 1.0, debtors)
    counts = rng.multinomial(max(0, invoices - debtors), weights / weights.sum()) + (1 if invoices >= debtors else 0)
    if invoices < debtors:
        counts = np.zeros(debtors, dtype=np.int64)
        counts[:invoices] = 1
    countries = rng.choice(len(COUNTRIES), size=debtors, p=_COUNTRY_SHARE)
    segments = rng.choice(len(SEGMENTS), size=debtors, p=_SEGMENT_SHARE)
    result: list[DemoCustomer] = []
    seen_ids: set[str] = set()
    for i in range(debtors):
        country, segment = COUNTRIES[int(countries[i])], SEGMENTS[int(segments[i])]
        legal_name, form = _company_name(rng, country, segment)
        public = segment == "public_sector"
        tid = tax_id(rng, country, legal_name, form, public)
        while tid in seen_ids:
            tid = tax_id(rng, country, legal_name, form, public)
        seen_ids.add(tid)
        currency = _LOCAL_CURRENCY[country] if country == "ES" or rng.random() < 0.8 else "USD"
        ticket_eur = _SEGMENT_TICKET_EUR[segment] * float(rng.lognormal(-0.2, 0.8))
        scale = EUR_RATE[currency] * 10 ** exponent(currency)
        ticket_minor = max(10 ** exponent(currency), round(ticket_eur * scale))
        if country == "ES":
            terms = "net 30" if public else _pick(rng, _TERMS["ES"])
        else:
            terms = _pick(rng, _TERMS["LATAM"])
        monthly = ticket_eur * int(counts[i]) / 18.0
        limit_eur = math.ceil(monthly * 3.0 * float(rng.uniform(0.8, 1.6)) / 1000.0) * 1000.0
        credit_limit = None if public or rng.random() < 0.05 else round(limit_eur * scale)
        result.append(DemoCustomer(
            id=first_id + i, code=f"C{i + 1:06d}", legal_name=legal_name, country=country, tax_id=tid,
            segment=segment, account_owner=owners[int(rng.integers(len(owners)))],
            collector=collectors[int(rng.integers(len(collectors)))], credit_limit_minor=credit_limit,
            currency=currency, language="en" if rng.random() < 0.08 else "es", terms=terms,
            behaviour=BEHAVIOURS[int(behaviours[i])], invoices=int(counts[i]), ticket_minor=ticket_minor,
            batch_payer=bool(rng.random() < 0.4) and not public,
            method=_pick(rng, _METHODS.get(country, _METHODS["LATAM"])),
        ))
    return result


_STOPWORDS = frozenset({"de", "del", "la", "e", "y", "hermanos", "grupo"})


def make_contacts(seed: int, customers: list[DemoCustomer], first_id: int = 1) -> list[DemoContact]:
    """One to three contacts per customer: administration always, finance often, management sometimes."""
    rng = np.random.default_rng([seed, 2])
    contacts: list[DemoContact] = []
    for c in customers:
        words = [w for w in c.legal_name.split() if w.lower() not in _STOPWORDS]
        domain = ascii_slug(" ".join(words[:2]), "-") + "." + _TLD[c.country]
        latam = c.country != "ES"
        roles = ["administration"]
        if rng.random() < 0.75:
            roles.append("finance")
        if rng.random() < 0.4:
            roles.append("management")
        used: set[str] = set()
        for role in roles:
            if role == "administration" and rng.random() < 0.15:
                name = "Cuentas a pagar" if c.language == "es" else "Accounts payable"
                email = f"{'cuentasapagar' if c.language == 'es' else 'ap'}@{domain}"
            else:
                name = f"{_one(rng, FIRST_NAMES)} {_one(rng, SURNAMES)}"
                while name in used:
                    name = f"{_one(rng, FIRST_NAMES)} {_one(rng, SURNAMES)}"
                first, last = name.split(" ", 1)
                email = f"{ascii_slug(first)}.{ascii_slug(last)}@{domain}"
            used.add(name)
            channels = ((("email", 0.55), ("whatsapp", 0.3), ("phone", 0.15)) if latam else
                        (("email", 0.7), ("phone", 0.14), ("whatsapp", 0.1), ("letter", 0.06)))
            channel = _pick(rng, channels)
            contacts.append(DemoContact(
                id=first_id + len(contacts), customer_id=c.id, name=name, role=role, email=email,
                phone=_phone(rng, c.country, mobile=channel in ("whatsapp", "sms") or rng.random() < 0.3),
                preferred_channel=channel, language=c.language))
    return contacts
