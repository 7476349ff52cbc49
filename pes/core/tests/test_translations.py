"""The Italian catalogue: complete, consistent with the compiled file, and used at run time.

The ``.po`` file is read with a small parser written here (the standard library has none), so
the check runs without GNU gettext or third-party packages.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.test import Client
from django.utils import translation

from pes.lib.validation import clean_codice_fiscale

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "it" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"

# %(name)s from gettext and blocktranslate; {name} from str.format.
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdi]|\{(\w+)\}")
KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$')


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    msgctxt: str | None = None
    msgid: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


def parse_po(path: Path) -> list[Entry]:
    """Entries of a ``.po`` file, the header (empty msgid) included."""
    entries: list[Entry] = []
    current: Entry | None = None
    last: str | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            current, last = None, None
            continue
        if current is None:
            current = Entry(line=number)
            entries.append(current)
        if line.startswith("#~"):
            current.obsolete = True
        elif line.startswith("#,"):
            current.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif match := KEYWORD.match(line):
            last = match.group(1)
            value = ast.literal_eval(match.group(2))
            if last.startswith("msgstr"):
                current.msgstr[last] = value
            else:
                setattr(current, last, value)
        elif line.startswith('"') and last is not None:
            value = ast.literal_eval(line)
            if last.startswith("msgstr"):
                current.msgstr[last] += value
            else:
                setattr(current, last, getattr(current, last) + value)
        else:
            raise AssertionError(f"{path.name} line {number}: cannot parse {raw!r}")
    return entries


def messages() -> list[Entry]:
    return [e for e in parse_po(PO_FILE) if e.msgid and not e.obsolete]


def placeholders(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


def test_the_catalogue_declares_italian_with_two_plural_forms():
    header = next(e for e in parse_po(PO_FILE) if e.msgid == "")
    assert "Language: it\n" in header.msgstr["msgstr"]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr["msgstr"]
    assert "fuzzy" not in header.flags


def test_every_message_is_translated_and_none_is_fuzzy_or_obsolete():
    entries = parse_po(PO_FILE)
    assert len(messages()) > 200
    fuzzy = [str(e) for e in entries if "fuzzy" in e.flags]
    obsolete = [str(e) for e in entries if e.obsolete]
    empty = [str(e) for e in messages() if not e.msgstr or not all(e.msgstr.values())]
    assert fuzzy == []
    assert obsolete == []
    assert empty == []


def test_plural_messages_have_both_italian_forms():
    for entry in messages():
        if entry.msgid_plural is not None:
            assert set(entry.msgstr) == {"msgstr[0]", "msgstr[1]"}, str(entry)


def test_translations_keep_the_placeholders_of_the_source():
    for entry in messages():
        source = placeholders(entry.msgid) | placeholders(entry.msgid_plural or "")
        for key, text in entry.msgstr.items():
            assert placeholders(text) == source, f"{entry} ({key}): {text!r}"


def test_the_compiled_catalogue_matches_the_source():
    """``django.mo`` is committed: it must be compiled from the current ``django.po``."""
    with MO_FILE.open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)
    for entry in messages():
        msgid = entry.msgid or ""
        if entry.msgctxt is not None:
            msgid = f"{entry.msgctxt}\x04{msgid}"
        if entry.msgid_plural is None:
            assert compiled.gettext(msgid) == entry.msgstr["msgstr"], str(entry)
        else:
            assert compiled.ngettext(msgid, entry.msgid_plural, 1) == entry.msgstr["msgstr[0]"]
            assert compiled.ngettext(msgid, entry.msgid_plural, 2) == entry.msgstr["msgstr[1]"]


@pytest.mark.django_db
def test_the_home_page_is_in_italian_by_default(client: Client):
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Language"] == "it"
    page = response.content.decode()
    assert '<html lang="it">' in page
    assert "Le sette missioni" in page
    assert "Area personale" in page or "Accedi" in page
    assert "The seven missions" not in page


@pytest.mark.django_db
def test_the_home_page_is_in_english_when_the_browser_asks_for_it(client: Client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "The seven missions" in page
    assert "Metropolitan Plan for the social economy" in page
    assert "Le sette missioni" not in page


class CodiceFiscaleForm(forms.Form):
    codice_fiscale = forms.CharField(required=False, validators=[clean_codice_fiscale])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("value", "italian"),
    [
        ("ABC", "Il codice fiscale deve essere composto da 11 cifre o da 16 caratteri."),
        ("RSSMRA85T10A562X", "Il codice fiscale non è valido: il carattere di controllo è errato."),
    ],
)
def test_codice_fiscale_errors_are_in_italian(value: str, italian: str):
    with translation.override("it"):
        form = CodiceFiscaleForm(data={"codice_fiscale": value})
        assert not form.is_valid()
        assert form.errors["codice_fiscale"] == [italian]


def test_codice_fiscale_errors_stay_in_english_under_english():
    with translation.override("en"):
        form = CodiceFiscaleForm(data={"codice_fiscale": "ABC"})
        assert not form.is_valid()
        assert form.errors["codice_fiscale"] == [
            "The codice fiscale must have 11 digits or 16 characters."
        ]
