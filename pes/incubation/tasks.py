"""Background tasks of the incubation module (Django Tasks API): the decision on an
application, with its reasons, is e-mailed to the applicant."""

from __future__ import annotations

from django.conf import settings
from django.core import mail
from django.utils.translation import gettext as _
from django_tasks import task

from pes.incubation.models import Application
from pes.registry.models import Membership


@task()
def notify_decision(application_id: int) -> int:
    """E-mail the team lead (and the members of the applicant organisation) the decision and
    its reasons. Returns the number of e-mails sent."""
    application = (
        Application.objects.select_related("call", "organization", "team_lead")
        .filter(pk=application_id)
        .first()
    )
    if application is None or not application.is_decided:
        return 0
    recipients = {application.team_lead.email} if application.team_lead.email else set()
    if application.organization_id is not None:
        recipients |= set(
            Membership.objects.filter(organization_id=application.organization_id)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    details = {
        "call": application.call.title,
        "title": application.title,
        "status": application.get_status_display(),
        "link": settings.SITE_URL.rstrip("/") + application.get_absolute_url(),
    }
    subject = _("“%(title)s”: %(status)s") % details
    body = (
        _(
            "The decision on your application “%(title)s” to “%(call)s” is: %(status)s.\n\n"
            "See it on PES: %(link)s"
        )
        % details
        + "\n\n"
        + _("Reasons:")
        + "\n"
        + application.decision_reason
    )
    messages = [mail.EmailMessage(subject=subject, body=body, to=[e]) for e in sorted(recipients)]
    if not messages:
        return 0
    with mail.get_connection() as connection:
        return connection.send_messages(messages) or 0
