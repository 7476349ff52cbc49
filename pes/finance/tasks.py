"""Background tasks of the finance module (Django Tasks API): e-mails about applications, and
deadline alerts about the calls that fit each organisation.

``send_deadline_alerts`` runs from cron through ``manage.py send_call_deadline_alerts``; each
organisation hears about a call once (``DeadlineAlert``).
"""

from __future__ import annotations

from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from pes.finance.models import Application, DeadlineAlert
from pes.finance.selectors import calls_closing, calls_for_organization
from pes.registry.models import Membership, Organization


def _emails(organization_id: int | None) -> list[str]:
    if organization_id is None:
        return []
    return sorted(
        set(
            Membership.objects.filter(organization_id=organization_id)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


@task()
def notify_application(application_id: int) -> int:
    """Tell the applicant (and, for a new submission, the funder) where an application
    stands. Returns the number of e-mails sent."""
    application = (
        Application.objects.select_related("call__programme", "organization")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        return 0
    link = settings.SITE_URL.rstrip("/") + application.get_absolute_url()
    details = {
        "call": application.call.title,
        "organization": application.organization.name,
        "status": application.get_status_display(),
        "link": link,
    }
    subject = _("Application to “%(call)s”: %(status)s") % details
    body = (
        _(
            "The application of %(organization)s to “%(call)s” is now: %(status)s.\n\n"
            "See it on PES: %(link)s"
        )
        % details
    )
    if application.review_note:
        body += "\n\n" + _("Note of the funder:") + "\n" + application.review_note
    messages = [
        mail.EmailMessage(subject=subject, body=body, to=[e])
        for e in _emails(application.organization_id)
    ]
    if application.status == Application.Status.SUBMITTED:
        messages += [
            mail.EmailMessage(subject=subject, body=body, to=[e])
            for e in _emails(application.call.programme.funder_id)
        ]
    if not messages:
        return 0
    with mail.get_connection() as connection:
        return connection.send_messages(messages) or 0


@task()
def send_deadline_alerts(within_days: int = 7) -> int:
    """E-mail the members of every organisation a call closing within ``within_days`` fits,
    unless it has applied or was already alerted. Returns the number of e-mails sent."""
    calls = {c.pk: c for c in calls_closing(within_days=within_days)}
    if not calls:
        return 0
    applied = set(
        Application.objects.filter(call__in=calls).values_list("call_id", "organization_id")
    )
    alerted = set(
        DeadlineAlert.objects.filter(call__in=calls).values_list("call_id", "organization_id")
    )
    organizations = (
        Organization.objects.filter(memberships__isnull=False)
        .distinct()
        .select_related("legal_form", "head_office")
    )
    site = settings.SITE_URL.rstrip("/")
    sent = 0
    for org in organizations.iterator(chunk_size=500):
        fitting = [
            m.call
            for m in calls_for_organization(organization=org)
            if m.call.pk in calls
            and calls[m.call.pk].programme.funder_id != org.pk
            and (m.call.pk, org.pk) not in applied
            and (m.call.pk, org.pk) not in alerted
        ]
        emails = _emails(org.pk)
        if not fitting or not emails:
            continue
        lines = [
            "- "
            + _("%(title)s — closes on %(date)s: %(link)s")
            % {
                "title": call.title,
                "date": timezone.localtime(call.deadline).strftime("%d/%m/%Y %H:%M"),
                "link": site + reverse("finance:call", kwargs={"slug": call.slug}),
            }
            for call in fitting
        ]
        body = (
            _("These calls fit %(organization)s and close soon:") % {"organization": org.name}
            + "\n\n"
            + "\n".join(lines)
            + "\n\n"
            + _("See all the calls for you: %(link)s")
            % {"link": site + reverse("finance:for_you") + f"?ente={org.pk}"}
        )
        message = mail.EmailMessage(
            subject=_("Calls closing soon for %(organization)s") % {"organization": org.name},
            body=body,
            to=emails,
        )
        sent += message.send()
        DeadlineAlert.objects.bulk_create(
            [DeadlineAlert(call=call, organization=org) for call in fitting],
            ignore_conflicts=True,
        )
    return sent
