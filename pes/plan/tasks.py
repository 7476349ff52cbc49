"""Background tasks of the Plan's monitoring (Django Tasks API).

``send_report_reminders`` runs from cron (``manage.py send_report_reminders``) or from the
governance dashboard; with the immediate backend it runs at once, with
``django_tasks_db.DatabaseBackend`` in ``manage.py db_worker``.
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from pes.plan.models import Initiative, ReportingPeriod, ReportReminder
from pes.plan.selectors import reports_overdue
from pes.registry.models import Membership


def _reminder_message(
    *, initiative: Initiative, period: ReportingPeriod, recipient: str
) -> mail.EmailMessage:
    site = settings.SITE_URL.rstrip("/")
    link = site + reverse("plan:report_new", kwargs={"slug": initiative.slug})
    with translation.override("it"):
        subject = _("Report overdue: %(initiative)s, %(period)s") % {
            "initiative": initiative.title,
            "period": period.name,
        }
        body = _(
            "Hello,\n\n"
            "the report of the initiative “%(initiative)s”, led by %(lead)s, for the period "
            "“%(period)s” was due by %(due)s and has not been submitted yet.\n\n"
            "You can submit it here: %(link)s\n\n"
            "If you have already sent it, please ignore this message.\n\n"
            "The office of the metropolitan Plan for the social economy"
        ) % {
            "initiative": initiative.title,
            "lead": initiative.lead.name,
            "period": period.name,
            "due": period.due_date.strftime("%d/%m/%Y"),
            "link": link,
        }
    return mail.EmailMessage(subject=subject, body=body, to=[recipient])


@task()
def send_report_reminders() -> int:
    """E-mail the members of the lead organisation of every initiative with an overdue report,
    once per (initiative, period). Returns the number of (initiative, period) reminded."""
    overdue = reports_overdue(today=timezone.localdate())
    if not overdue:
        return 0
    already = set(
        ReportReminder.objects.filter(
            initiative_id__in={i.pk for i, _p in overdue},
            period_id__in={p.pk for _i, p in overdue},
        ).values_list("initiative_id", "period_id")
    )
    pending = [(i, p) for i, p in overdue if (i.pk, p.pk) not in already]
    recipients: dict[int, list[str]] = defaultdict(list)
    for org_id, email in (
        Membership.objects.filter(
            organization_id__in={i.lead_id for i, _p in pending}, user__is_active=True
        )
        .exclude(user__email="")
        .order_by("user__email")
        .values_list("organization_id", "user__email")
    ):
        recipients[org_id].append(email)
    sent = 0
    with mail.get_connection() as connection:
        for initiative, period in pending:
            emails = recipients.get(initiative.lead_id)
            if not emails:
                continue  # nobody to tell yet: try again when the lead has members
            with transaction.atomic():
                _reminder, created = ReportReminder.objects.get_or_create(
                    initiative=initiative, period=period
                )
                if not created:  # another worker got there first
                    continue
                messages = [
                    _reminder_message(initiative=initiative, period=period, recipient=email)
                    for email in emails
                ]
                # A failure raises and rolls the record back, so the reminder is retried.
                connection.send_messages(messages)
            sent += 1
    return sent
