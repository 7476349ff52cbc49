from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from stdnum import luhn

from pes.lib.text import fold, words
from pes.lib.validation import (
    ateco_title,
    clean_ateco_codes,
    clean_codice_fiscale,
    clean_partita_iva,
)

# A well-known valid partita IVA and a personal codice fiscale with a correct check character.
PIVA = "00743110157"
PERSONAL_CF = "RSSMRA85T10A562S"


def numeric(body: str) -> str:
    return body + luhn.calc_check_digit(body)


def error_code(func, value) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as info:
        func(value)
    return str(info.value.code)


def test_an_eleven_digit_codice_fiscale_of_an_organisation_is_accepted():
    cf = numeric("9100000037")
    assert clean_codice_fiscale(cf) == cf


def test_a_sixteen_character_personal_codice_fiscale_is_accepted_in_any_case_and_spacing():
    assert clean_codice_fiscale(PERSONAL_CF) == PERSONAL_CF
    assert clean_codice_fiscale(" rssmra 85t10 a562s ") == PERSONAL_CF


def test_an_empty_codice_fiscale_is_required():
    assert error_code(clean_codice_fiscale, "") == "required"
    assert error_code(clean_codice_fiscale, "   ") == "required"


def test_a_codice_fiscale_of_the_wrong_length_says_so():
    assert error_code(clean_codice_fiscale, "12345") == "length"
    assert error_code(clean_codice_fiscale, "RSSMRA85T10A562") == "length"


def test_a_codice_fiscale_with_a_wrong_check_character_says_so():
    good = numeric("9100000037")
    wrong = good[:-1] + str((int(good[-1]) + 1) % 10)
    assert error_code(clean_codice_fiscale, wrong) == "checksum"
    assert error_code(clean_codice_fiscale, PERSONAL_CF[:-1] + "A") == "checksum"


def test_a_codice_fiscale_with_impossible_characters_says_so():
    assert error_code(clean_codice_fiscale, "9100000037!") == "format"
    assert error_code(clean_codice_fiscale, "1234567890123456") == "format"


def test_the_codice_fiscale_messages_are_translated_for_the_user_language():
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as info:
        clean_codice_fiscale("12345")
    assert "11" in info.value.messages[0] and "16" in info.value.messages[0]


def test_a_partita_iva_is_accepted_plain_with_the_it_prefix_and_with_spaces():
    assert clean_partita_iva(PIVA) == PIVA
    assert clean_partita_iva("IT" + PIVA) == PIVA
    assert clean_partita_iva("IT 007 431 101 57") == PIVA
    assert clean_partita_iva(" 00743 110157 ") == PIVA


def test_an_empty_partita_iva_is_allowed_because_it_is_optional():
    assert clean_partita_iva("") == ""
    assert clean_partita_iva("   ") == ""


def test_a_partita_iva_with_a_wrong_check_digit_says_so():
    assert error_code(clean_partita_iva, "00743110158") == "checksum"


def test_a_partita_iva_of_the_wrong_length_says_so():
    assert error_code(clean_partita_iva, "0074311015") == "length"
    assert error_code(clean_partita_iva, "007431101570") == "length"


def test_a_partita_iva_with_letters_says_so():
    assert error_code(clean_partita_iva, "0074311015A") == "format"


def test_valid_ateco_2025_codes_are_accepted_from_a_string_or_a_list_without_duplicates():
    assert clean_ateco_codes("88.99.09, 94.99.20") == ["88.99.09", "94.99.20"]
    assert clean_ateco_codes("88.99.09;94.99.20 88.99.09") == ["88.99.09", "94.99.20"]
    assert clean_ateco_codes(["88.99.09", " ", "94.99.20"]) == ["88.99.09", "94.99.20"]
    assert clean_ateco_codes("") == []
    assert clean_ateco_codes([]) == []


def test_unknown_ateco_codes_are_all_named_in_the_error():
    with pytest.raises(ValidationError) as info:
        clean_ateco_codes("88.99.09, 99.99.99, banana")
    assert info.value.code == "ateco"
    message = info.value.messages[0]
    assert "99.99.99" in message and "banana" in message
    assert "88.99.09" not in message


def test_an_ateco_code_has_its_official_title_and_an_unknown_one_has_none():
    assert "assistenza sociale" in ateco_title("88.99.09")
    assert ateco_title("99.99.99") == ""


def test_folding_removes_accents_case_apostrophes_and_extra_spaces():
    assert fold("  Società  dell’Àncora  ") == "societa dell ancora"
    assert fold("L'Isola") == "l isola"
    assert words("Città città CITTA e l'altra") == ["citta", "e", "l", "altra"]
