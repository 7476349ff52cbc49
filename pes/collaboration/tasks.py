"""Background tasks of the collaboration module (Django Tasks API): invitations to meetings
(with the ICS file), new proposals, decisions and overdue action items by e-mail. Each person
chooses which of these they receive (``NotificationPreference``; all on by default).
``send_overdue_reminders`` runs from cron through ``manage.py send_action_item_reminders``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from pes.collaboration.documents import meeting_ics
from pes.collaboration.models import (
    ActionItem,
    Decision,
    Meeting,
    NotificationPreference,
    Proposal,
    WorkingTable,
)


def _recipients(table: WorkingTable, preference: str, exclude: Any = None) -> list[str]:
    users = {m.user for m in table.members.select_related("user")}
    users.add(table.coordinator)
    off = set(
        NotificationPreference.objects.filter(
            user__in=[u.pk for u in users], **{preference: False}
        ).values_list("user_id", flat=True)
    )
    return sorted(u.email for u in users if u.pk not in off and u.pk != exclude and u.email)


def _link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _send(
    subject: str, body: str, to: list[str], attachment: tuple[str, bytes, str] | None = None
) -> int:
    messages = []
    for address in to:
        message = mail.EmailMessage(subject=subject, body=body, to=[address])
        if attachment:
            message.attach(*attachment)
        messages.append(message)
    if not messages:
        return 0
    return mail.get_connection().send_messages(messages) or 0


@task()
def send_meeting_invitations(meeting_id: int, updated: bool = False) -> int:
    """The invitation to every member; ``updated`` when the date, time or place changed."""
    meeting = Meeting.objects.select_related("table__coordinator").filter(pk=meeting_id).first()
    if meeting is None:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        start = timezone.localtime(meeting.starts_at)
        values = {
            "title": meeting.title,
            "table": meeting.table.title,
            "date": start.strftime("%d/%m/%Y"),
            "time": start.strftime("%H:%M"),
            "where": meeting.place or meeting.link,
            "agenda": meeting.agenda,
            "link": _link(meeting.get_absolute_url()),
        }
        if updated:
            subject = _("Updated invitation: %(title)s, %(date)s") % values
            body = (
                _(
                    "Hello,\n\nthe meeting “%(title)s” of the table “%(table)s” has changed: it "
                    "now takes place on %(date)s at %(time)s, %(where)s.\n\nAgenda:\n%(agenda)s"
                    "\n\nDetails: %(link)s\nThe attached file updates the meeting in your "
                    "calendar."
                )
                % values
            )
        else:
            subject = _("Invitation: %(title)s, %(date)s") % values
            body = (
                _(
                    "Hello,\n\nyou are invited to the meeting “%(title)s” of the table “%(table)s” "
                    "on %(date)s at %(time)s, %(where)s.\n\nAgenda:\n%(agenda)s\n\nDetails: "
                    "%(link)s\nThe attached file adds the meeting to your calendar."
                )
                % values
            )
        to = _recipients(meeting.table, "invitations")
        return _send(
            subject,
            body,
            to,
            (f"riunione-{meeting.pk}.ics", meeting_ics(meeting=meeting), "text/calendar"),
        )


@task()
def send_new_proposal(proposal_id: int) -> int:
    proposal = (
        Proposal.objects.select_related("table__coordinator", "organization")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "title": proposal.title,
            "table": proposal.table.title,
            "org": proposal.organization.name,
            "link": _link(proposal.get_absolute_url()),
        }
        subject = _("New proposal: %(title)s") % values
        body = (
            _(
                "Hello,\n\n%(org)s has put forward the proposal “%(title)s” at the table "
                "“%(table)s”. Read it, comment on it and support it: %(link)s"
            )
            % values
        )
        return _send(subject, body, _recipients(proposal.table, "proposals", proposal.author_id))


@task()
def send_decision(decision_id: int) -> int:
    decision = (
        Decision.objects.select_related("meeting__table__coordinator")
        .filter(pk=decision_id)
        .first()
    )
    if decision is None:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "table": decision.meeting.table.title,
            "text": decision.text,
            "link": _link(decision.meeting.get_absolute_url()),
        }
        subject = _("Decision of the table “%(table)s”") % values
        body = _("Hello,\n\nthe table “%(table)s” has decided:\n\n%(text)s\n\n%(link)s") % values
        return _send(subject, body, _recipients(decision.meeting.table, "decisions"))


@task()
def send_proposal_decision(proposal_id: int) -> int:
    proposal = Proposal.objects.select_related("table__coordinator").filter(pk=proposal_id).first()
    if proposal is None:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "title": proposal.title,
            "table": proposal.table.title,
            "status": proposal.get_status_display(),
            "link": _link(proposal.get_absolute_url()),
        }
        subject = _("Proposal %(status)s: %(title)s") % values
        body = (
            _(
                "Hello,\n\nthe proposal “%(title)s” of the table “%(table)s” is now: %(status)s."
                "\n\n%(link)s"
            )
            % values
        )
        return _send(subject, body, _recipients(proposal.table, "decisions"))


@task()
def send_overdue_reminders() -> int:
    """One e-mail per overdue, open action item to its owner and the table's coordinator,
    once (``reminded_at``)."""
    items = list(
        ActionItem.objects.filter(
            done_at__isnull=True, reminded_at__isnull=True, due_date__lt=timezone.localdate()
        ).select_related("owner", "meeting__table__coordinator")
    )
    off = set(
        NotificationPreference.objects.filter(overdue=False).values_list("user_id", flat=True)
    )
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for item in items:
            table = item.meeting.table
            to = sorted(
                {u.email for u in (item.owner, table.coordinator) if u.pk not in off and u.email}
            )
            values = {
                "text": item.text,
                "table": table.title,
                "due": item.due_date.strftime("%d/%m/%Y"),
                "owner": item.owner.get_full_name() or item.owner.email,
                "link": _link(table.get_absolute_url()),
            }
            sent += _send(
                _("Overdue action item: %(text)s") % values,
                _(
                    "Hello,\n\nthe action item “%(text)s” of the table “%(table)s”, owned by "
                    "%(owner)s, was due on %(due)s and is not done yet.\n\n%(link)s"
                )
                % values,
                to,
            )
            ActionItem.objects.filter(pk=item.pk).update(reminded_at=timezone.now())
    return sent
