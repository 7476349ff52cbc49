"""Access helpers: the only way views and the API fetch incubation records a user may not be
allowed to see or change.

* A call is public once published. Governance and the members of the promoter's organisation
  manage it: evaluators, decisions, cohorts, grants, tranches.
* An application is seen by its applicant (the team lead, and the members of the applicant
  organisation), by the call's managers, and by an evaluator of the call who has declared
  no conflict of interest on it. Drafts are seen by the applicant only.
* A project's page is seen by its team, its mentor and the call's managers; the showcase
  shows the projects whose team has not withdrawn them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from pes.incubation.models import (
    Application,
    Call,
    Cohort,
    ConflictDeclaration,
    EvaluatorAssignment,
    Project,
)
from pes.registry.access import user_is_governance
from pes.registry.models import Organization


def _signed_in(user: Any) -> bool:
    return bool(user and user.is_authenticated)


def user_can_manage_call(user: Any, call: Call) -> bool:
    if user_is_governance(user):
        return True
    return (
        _signed_in(user)
        and call.promoter_id is not None
        and call.promoter.memberships.filter(user=user).exists()  # type: ignore[union-attr]
    )


def calls_managed_by(user: Any) -> QuerySet[Call]:
    if not _signed_in(user):
        return Call.objects.none()
    if user_is_governance(user):
        return Call.objects.all()
    return Call.objects.filter(promoter__memberships__user=user).distinct()


def user_can_create_calls(user: Any) -> bool:
    return user_is_governance(user)


def call_for_user(user: Any, slug: str) -> Call:
    call = Call.objects.select_related("promoter").filter(slug=slug).first()
    if call is None:
        raise Http404
    if not call.is_published and not user_can_manage_call(user, call):
        raise Http404
    return call


def call_for_manager(user: Any, slug: str) -> Call:
    call = call_for_user(user, slug)
    if not user_can_manage_call(user, call):
        raise PermissionDenied
    return call


def user_is_evaluator(user: Any, call: Call) -> bool:
    return (
        _signed_in(user) and EvaluatorAssignment.objects.filter(call=call, evaluator=user).exists()
    )


def user_is_applicant(user: Any, application: Application) -> bool:
    if not _signed_in(user):
        return False
    if application.team_lead_id == user.pk:
        return True
    return (
        application.organization is not None
        and application.organization.memberships.filter(user=user).exists()
    )


def applications_of(user: Any) -> QuerySet[Application]:
    """The applications a user follows as applicant (team lead or organisation member)."""
    if not _signed_in(user):
        return Application.objects.none()
    return Application.objects.filter(
        Q(team_lead=user) | Q(organization__memberships__user=user)
    ).distinct()


def _application(pk: int) -> Application:
    application = (
        Application.objects.select_related(
            "call__promoter", "organization__legal_form", "municipality__district", "team_lead"
        )
        .filter(pk=pk)
        .first()
    )
    if application is None:
        raise Http404
    return application


def declaration_of(user: Any, application: Application) -> ConflictDeclaration | None:
    return ConflictDeclaration.objects.filter(application=application, evaluator=user).first()


def application_for_user(user: Any, pk: int) -> Application:
    """The application for its applicant, the call's managers, or an evaluator who has
    declared no conflict; 404 for anyone else."""
    if not _signed_in(user):
        raise Http404
    application = _application(pk)
    if user_is_applicant(user, application):
        return application
    if application.status == Application.Status.DRAFT:
        raise Http404
    if user_can_manage_call(user, application.call):
        return application
    declaration = declaration_of(user, application)
    if declaration is not None and not declaration.has_conflict:
        return application
    raise Http404


def application_for_applicant(user: Any, pk: int) -> Application:
    application = _application(pk) if _signed_in(user) else None
    if application is None or not user_is_applicant(user, application):
        raise Http404
    return application


def application_for_evaluator(user: Any, pk: int) -> Application:
    """A sent application of a call the user evaluates (whatever the declaration)."""
    if not _signed_in(user):
        raise Http404
    application = _application(pk)
    if application.status == Application.Status.DRAFT or not user_is_evaluator(
        user, application.call
    ):
        raise Http404
    return application


def application_for_manager(user: Any, pk: int) -> Application:
    application = application_for_user(user, pk)
    if not user_can_manage_call(user, application.call):
        raise PermissionDenied
    return application


def user_is_team(user: Any, project: Project) -> bool:
    return user_is_applicant(user, project.application)


def project_for_user(user: Any, pk: int) -> Project:
    """The project for its team, its mentor and the call's managers."""
    if not _signed_in(user):
        raise Http404
    project = (
        Project.objects.select_related(
            "application__call__promoter",
            "application__organization",
            "application__municipality__district",
            "application__team_lead",
            "cohort",
            "mentor",
        )
        .filter(pk=pk)
        .first()
    )
    if project is None:
        raise Http404
    if (
        project.mentor_id == user.pk
        or user_is_team(user, project)
        or user_can_manage_call(user, project.application.call)
    ):
        return project
    raise Http404


def project_for_manager(user: Any, pk: int) -> Project:
    project = project_for_user(user, pk)
    if not user_can_manage_call(user, project.application.call):
        raise PermissionDenied
    return project


def cohort_for_user(user: Any, pk: int) -> Cohort:
    """A cohort for the call's managers and the mentors of its projects."""
    if not _signed_in(user):
        raise Http404
    cohort = Cohort.objects.select_related("call__promoter").filter(pk=pk).first()
    if cohort is None:
        raise Http404
    if user_can_manage_call(user, cohort.call) or cohort.projects.filter(mentor=user).exists():
        return cohort
    raise Http404


def organizations_for_applicant(user: Any) -> list[Organization]:
    """The organisations a user may apply for: those they are a member of."""
    if not _signed_in(user):
        return []
    return list(
        Organization.objects.filter(memberships__user=user)
        .select_related("legal_form")
        .order_by("name")
        .distinct()[:200]
    )
