"""Background tasks of work inclusion (Django Tasks API): the intake receipt, the e-mail to
a company about a proposal, and the retention run that anonymises expired cases
(``manage.py anonymise_inclusion`` enqueues it; schedule it daily with cron)."""

from __future__ import annotations

from django.conf import settings
from django.core import mail
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_tasks import task

from pes.inclusion.models import Case, Proposal
from pes.registry.models import Membership


@task()
def send_receipt(case_id: int) -> int:
    """The receipt of a registration: the reference and the date of the first contact."""
    case = Case.objects.select_related("person").filter(pk=case_id).first()
    if case is None or not case.person.email:
        return 0
    details = {
        "reference": case.reference,
        "due": date_format(case.first_contact_due, "j F Y"),
        "site": settings.SITE_URL.rstrip("/"),
    }
    body = (
        _(
            "We received your registration to the work-inclusion service.\n\n"
            "Reference: %(reference)s\n"
            "An operator will contact you by %(due)s.\n\n"
            "You can see, download or erase your data with the link shown on the receipt "
            "page, or from your account on %(site)s."
        )
        % details
    )
    subject = _("Work inclusion: registration %(reference)s") % details
    return mail.EmailMessage(subject=subject, body=body, to=[case.person.email]).send()


@task()
def notify_proposal(proposal_id: int) -> int:
    """Tell the company's members that a person has been proposed for their opening."""
    proposal = (
        Proposal.objects.select_related("opening__organization").filter(pk=proposal_id).first()
    )
    if proposal is None:
        return 0
    emails = sorted(
        set(
            Membership.objects.filter(organization_id=proposal.opening.organization_id)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )
    if not emails:
        return 0
    link = settings.SITE_URL.rstrip("/") + proposal.get_absolute_url()
    subject = _("A person proposed for “%(role)s”") % {"role": proposal.opening.role}
    body = _(
        "The work-inclusion service proposes a person for your opening “%(role)s”. "
        "See the proposal and answer it on PES: %(link)s"
    ) % {"role": proposal.opening.role, "link": link}
    messages = [mail.EmailMessage(subject=subject, body=body, to=[e]) for e in emails]
    with mail.get_connection() as connection:
        return connection.send_messages(messages) or 0


@task()
def anonymise_expired() -> int:
    """Anonymise people who asked for erasure and cases closed beyond the retention period.
    Returns how many people were anonymised."""
    from pes.inclusion.services import anonymise_due

    return anonymise_due()
