"""Background tasks of the learning module (Django Tasks API): e-mails about enrolments."""

from __future__ import annotations

from django.conf import settings
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from pes.learning.models import Enrolment


@task()
def send_enrolment_email(enrolment_id: int, kind: str) -> None:
    enrolment = Enrolment.objects.select_related("user", "course").filter(pk=enrolment_id).first()
    if enrolment is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        _send(enrolment, kind)


def _send(enrolment: Enrolment, kind: str) -> None:
    course = enrolment.course
    link = settings.SITE_URL.rstrip("/") + course.get_absolute_url()
    if kind == "waiting":
        subject = _("Waiting list: %(course)s") % {"course": course.title}
        body = _(
            "The course is full: you are on the waiting list. If a seat becomes free you will "
            "be enrolled automatically and told by e-mail.\n\n%(link)s"
        ) % {"link": link}
    elif kind == "promoted":
        subject = _("A seat for you: %(course)s") % {"course": course.title}
        body = _("A seat became free: you are now enrolled.\n\n%(link)s") % {"link": link}
    else:
        subject = _("Enrolment confirmed: %(course)s") % {"course": course.title}
        body = _("You are enrolled. The sessions and the calendar are here:\n\n%(link)s") % {
            "link": link
        }
    mail.send_mail(subject, body, None, [enrolment.user.email])
