"""The certificate of attendance as a PDF (WeasyPrint, local resources only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from pes.learning.models import Certificate


def weasyprint_module() -> Any:
    """The WeasyPrint module, or None where it or its system libraries are missing."""
    try:
        import weasyprint
    except (ImportError, OSError):
        return None
    return weasyprint


def certificate_pdf(*, certificate: Certificate, weasyprint: Any) -> bytes:
    site = settings.SITE_URL.rstrip("/")
    enrolment = certificate.enrolment
    html = render_to_string(
        "learning/certificate_pdf.html",
        {
            "certificate": certificate,
            "enrolment": enrolment,
            "course": enrolment.course,
            "verify_url": site + certificate.get_absolute_url(),
        },
    )
    fetcher = weasyprint.URLFetcher(allowed_protocols={"file", "data"}, timeout=1)
    return bytes(weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf())
