import pytest

from cobro.kernel.taxids import check_tax_id


@pytest.mark.parametrize(
    ("value", "country", "kind"),
    [
        ("B12345674", "ES", "ES NIF/CIF/NIE"),
        ("12345678Z", "ES", "ES NIF/CIF/NIE"),
        ("X1234567L", "ES", "ES NIF/CIF/NIE"),
        ("ESB12345674", "ES", "EU VAT"),
        ("EKU9003173C9", "MX", "MX RFC"),
        ("76354771-K", "CL", "CL RUT"),
        ("8001972684", "CO", "CO NIT"),
        ("20494637074", "PE", "PE RUC"),
    ],
)
def test_valid_tax_ids(value: str, country: str, kind: str) -> None:
    check = check_tax_id(value, country)
    assert check.valid, check.message
    assert check.kind == kind


@pytest.mark.parametrize(
    ("value", "country"),
    [("B12345675", "ES"), ("AAA010101AAA", "MX"), ("76354771-0", "CL"), ("12345678912", "PE"), ("ESB1234567X", "ES")],
)
def test_invalid_tax_ids_say_why(value: str, country: str) -> None:
    check = check_tax_id(value, country)
    assert not check.valid
    assert value in check.message
