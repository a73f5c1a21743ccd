import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from tinhso.accounts.validators import validate_citizen_id, validate_tax_code


@pytest.mark.parametrize(
    "value", ["074190001234", "001099012345", "079305000001", " 0741 9000 1234 "]
)
def test_valid_citizen_ids(value):
    assert len(validate_citizen_id(value, today=dt.date(2026, 1, 1))) == 12


@pytest.mark.parametrize(
    "value, code",
    [
        ("07419000123", "cccd_format"),  # 11 digits
        ("0741900012345", "cccd_format"),  # 13 digits
        ("07419000123a", "cccd_format"),
        ("", "cccd_format"),
        ("003190001234", "cccd_province"),  # 003 is no province code
        ("099190001234", "cccd_province"),
        ("074399001234", "cccd_year"),  # 2099: in the future
    ],
)
def test_invalid_citizen_ids(value, code):
    with pytest.raises(ValidationError) as exc:
        validate_citizen_id(value, today=dt.date(2026, 1, 1))
    assert exc.value.code == code


@pytest.mark.parametrize("value", ["0100109106", "0100109106-001", "0100109106001", "3701234562"])
def test_valid_tax_codes(value):
    assert validate_tax_code(value) in {"0100109106", "0100109106001", "3701234562"}


@pytest.mark.parametrize(
    "value, code",
    [
        ("0100109107", "mst_checksum"),
        ("010010910", "mst_format"),
        ("01001091061", "mst_format"),
        ("0100109106-000", "mst_checksum"),
        ("abcdefghij", "mst_format"),
    ],
)
def test_invalid_tax_codes(value, code):
    with pytest.raises(ValidationError) as exc:
        validate_tax_code(value)
    assert exc.value.code == code


def test_production_hasher_is_argon2():
    from tinhso import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("TinhSoArgon2PasswordHasher")
    from django.contrib.auth.hashers import make_password

    from tinhso.accounts.hashers import TinhSoArgon2PasswordHasher

    encoded = make_password("mat-khau-dai-123", hasher=TinhSoArgon2PasswordHasher())
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    hasher = TinhSoArgon2PasswordHasher()
    assert hasher.verify("mat-khau-dai-123", encoded)
    assert not hasher.verify("sai", encoded)
    assert not hasher.must_update(encoded)
    assert settings.AUTH_USER_MODEL == "accounts.User"
