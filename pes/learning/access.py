"""Access helpers: the only way views and the API fetch learning records a user may not be
allowed to see or change."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from pes.learning.models import Course, Enrolment, ResearchProject, Session
from pes.registry.access import user_can_edit_organization


def user_can_manage_course(user: Any, course: Course) -> bool:
    return user_can_edit_organization(user, course.organizer)


def course_for_user(user: Any, slug: str, *, edit: bool = False) -> Course:
    course = (
        Course.objects.select_related("organizer", "municipality", "action__mission")
        .filter(slug=slug)
        .first()
    )
    if course is None:
        raise Http404
    can_manage = user_can_manage_course(user, course)
    if not course.is_published and not can_manage:
        raise Http404
    if edit and not can_manage:
        raise PermissionDenied
    return course


def session_for_user_manage(user: Any, pk: int) -> Session:
    session = (
        Session.objects.select_related("course__organizer", "municipality").filter(pk=pk).first()
    )
    if session is None:
        raise Http404
    if not user_can_manage_course(user, session.course):
        raise PermissionDenied
    return session


def enrolment_for_user(user: Any, pk: int) -> Enrolment:
    """An enrolment its participant or the course's organiser may act on."""
    if not (user and user.is_authenticated):
        raise Http404
    enrolment = Enrolment.objects.select_related("course__organizer", "user").filter(pk=pk).first()
    if enrolment is None:
        raise Http404
    if enrolment.user_id == user.pk or user_can_manage_course(user, enrolment.course):
        return enrolment
    raise Http404


def own_enrolment(user: Any, pk: int) -> Enrolment:
    """An enrolment of ``user`` themselves (certificates and the survey are personal)."""
    enrolment = enrolment_for_user(user, pk)
    if enrolment.user_id != user.pk:
        raise Http404
    return enrolment


def user_can_manage_research(user: Any, project: ResearchProject) -> bool:
    return user_can_edit_organization(user, project.organization)


def research_for_user(user: Any, slug: str, *, edit: bool = False) -> ResearchProject:
    project = ResearchProject.objects.select_related("organization").filter(slug=slug).first()
    if project is None:
        raise Http404
    can_manage = user_can_manage_research(user, project)
    if not project.is_published and not can_manage:
        raise Http404
    if edit and not can_manage:
        raise PermissionDenied
    return project
