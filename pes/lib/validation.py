"""Validators for Italian identifiers, with messages in the user's language."""

from __future__ import annotations

import ateco
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.it import codicefiscale, iva


def _compact(value: str) -> str:
    return "".join(value.split()).upper()


def clean_codice_fiscale(value: str) -> str:
    """Return the compact codice fiscale (16-character personal or 11-digit numeric).

    Raises ``ValidationError`` with a message saying what is wrong.
    """
    compact = _compact(value or "")
    if not compact:
        raise ValidationError(_("The codice fiscale is required."), code="required")
    try:
        return str(codicefiscale.validate(compact))
    except InvalidLength as exc:
        raise ValidationError(
            _("The codice fiscale must have 11 digits or 16 characters."), code="length"
        ) from exc
    except InvalidChecksum as exc:
        raise ValidationError(
            _("The codice fiscale is not valid: its check character is wrong."), code="checksum"
        ) from exc
    except (InvalidFormat, StdnumError) as exc:
        raise ValidationError(
            _("The codice fiscale is not valid: it contains characters it cannot have."),
            code="format",
        ) from exc


def clean_partita_iva(value: str) -> str:
    """Return the compact partita IVA (11 digits); accepts a leading ``IT`` and spaces."""
    raw = (value or "").strip()
    if not raw:
        return ""
    try:
        return str(iva.validate(raw))
    except InvalidLength as exc:
        raise ValidationError(_("The partita IVA must have 11 digits."), code="length") from exc
    except InvalidChecksum as exc:
        raise ValidationError(
            _("The partita IVA is not valid: its check digit is wrong."), code="checksum"
        ) from exc
    except (InvalidFormat, StdnumError) as exc:
        raise ValidationError(_("The partita IVA is not valid."), code="format") from exc


def clean_ateco_codes(values: list[str] | str) -> list[str]:
    """Validate ATECO 2025 codes; accepts a list or a string separated by ``,`` ``;`` or spaces."""
    if isinstance(values, str):
        items = [v for v in values.replace(";", ",").replace(" ", ",").split(",") if v.strip()]
    else:
        items = [v for v in values if v and v.strip()]
    cleaned: list[str] = []
    bad: list[str] = []
    for item in items:
        node = ateco.lookup(item.strip())
        if node is None:
            bad.append(item.strip())
        elif node.code not in cleaned:
            cleaned.append(node.code)
    if bad:
        raise ValidationError(
            _("Unknown ATECO 2025 code(s): %(codes)s.") % {"codes": ", ".join(bad)}, code="ateco"
        )
    return cleaned


def ateco_title(code: str) -> str:
    node = ateco.lookup(code)
    return node.title if node else ""
