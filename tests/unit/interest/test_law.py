"""Which law governs a debt and how documents name it (cobro.interest.domain.law)."""

from __future__ import annotations

import pytest

from cobro.interest.domain.law import debt_jurisdiction, tax_id_label, wording


@pytest.mark.parametrize(("country", "law"), [("ES", "ES"), ("GB", "UK"), ("CL", "CL"), ("MX", "MX"), ("CO", "CO"),
                                              ("PE", "PE"), ("FR", "EU"), ("de", "EU"), ("US", "ES"), ("", "ES"),
                                              ("SE", "ES")])
def test_the_debtors_country_decides_unless_the_policy_names_a_law(country: str, law: str) -> None:
    assert debt_jurisdiction(country) == law
    assert debt_jurisdiction(country, governing_law="cl") == "CL"  # a policy or contract that names one wins
    assert debt_jurisdiction("US", fallback="UK") == "UK"  # no rule for the country: the policy's reference


def test_tax_ids_are_called_as_the_debtors_country_calls_them() -> None:
    assert [tax_id_label(c) for c in ("CL", "MX", "CO", "PE", "ES", "FR")] == ["RUT", "RFC", "NIT", "RUC",
                                                                                "NIF/CIF", ""]


def test_each_jurisdiction_cites_its_own_statute() -> None:
    assert "Ley 19.983" in wording("CL").interest_cite and "CMF" in wording("CL").interest_name
    assert "1 %" in wording("CL", "en").compensation_sentence("CLP 12,000")
    assert "artículo 362 del Código de Comercio" in wording("MX").interest_cite
    assert wording("MX").compensation_sentence("x") == ""  # no fixed sum under Mexican law
    assert "artículo 884" in wording("CO").interest_cite and "1244" in wording("PE").interest_cite
    assert "1998" in wording("GB", "en").interest_cite
    assert wording("ES").compensation_sentence("40,00 €").startswith("Conforme al artículo 8 de la misma ley")
    for code in ("ES", "EU", "UK", "CL", "MX", "CO", "PE"):
        assert wording(code).source and "3/2004" not in (wording(code).interest_cite if code != "ES" else "")
