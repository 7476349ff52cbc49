from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Min, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pes.learning import services
from pes.learning.access import (
    course_for_user,
    enrolment_for_user,
    own_enrolment,
    research_for_user,
    session_for_user_manage,
    user_can_manage_course,
    user_can_manage_research,
)
from pes.learning.documents import certificate_pdf, weasyprint_module
from pes.learning.forms import (
    CourseFilterForm,
    CourseForm,
    EnrolForm,
    FeedbackForm,
    ResearchForm,
    SessionForm,
)
from pes.learning.models import (
    LIVE_STATES,
    Attendance,
    Certificate,
    Course,
    Enrolment,
    ResearchProject,
)
from pes.lib.forms import add_service_error
from pes.lib.pagination import query_without_page
from pes.registry.access import organizations_editable_by
from pes.services.documents import json_ld, place_ld


def course_list(request: HttpRequest) -> HttpResponse:
    form = CourseFilterForm(request.GET or None)
    qs = Course.objects.filter(is_published=True)
    now = timezone.now()
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        if d["q"]:
            qs = qs.filter(Q(title__icontains=d["q"]) | Q(description__icontains=d["q"]))
        if d["kind"]:
            qs = qs.filter(kind=d["kind"])
        if d["municipality"]:
            qs = qs.filter(municipality=d["municipality"])
        if d["free"]:
            qs = qs.filter(is_free=True)
        if d["upcoming"]:
            qs = qs.filter(sessions__starts_at__gte=now).distinct()
    qs = (
        qs.select_related("organizer", "municipality")
        .annotate(
            first_session=Min("sessions__starts_at"),
            n_sessions=Count("sessions", distinct=True),
        )
        .order_by("first_session", "title", "id")
    )
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    mine: list[Enrolment] = []
    if request.user.is_authenticated:
        mine = list(
            Enrolment.objects.filter(user=request.user, status__in=LIVE_STATES)
            .select_related("course")
            .order_by("-created_at")[:10]
        )
    return render(
        request,
        "learning/course_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "mine": mine,
            "can_publish": organizations_editable_by(request.user).exists(),
        },
    )


def course_detail(request: HttpRequest, slug: str) -> HttpResponse:
    course = course_for_user(request.user, slug)
    sessions = list(course.sessions.select_related("municipality"))
    can_manage = user_can_manage_course(request.user, course)
    mine = None
    if request.user.is_authenticated:
        mine = (
            Enrolment.objects.filter(course=course, user=request.user)
            .exclude(status=Enrolment.Status.CANCELLED)
            .first()
        )
    waiting_position = None
    if mine and mine.status == Enrolment.Status.WAITING:
        waiting_position = Enrolment.objects.filter(
            course=course, status=Enrolment.Status.WAITING, created_at__lte=mine.created_at
        ).count()
    participants: list[Enrolment] = []
    if can_manage:
        participants = list(
            Enrolment.objects.filter(course=course, status__in=LIVE_STATES)
            .select_related("user")
            .order_by("status", "created_at", "id")
        )
    now = timezone.now()
    open_for_enrolment = bool(sessions) and sessions[0].starts_at > now and course.is_published
    url = request.build_absolute_uri(course.get_absolute_url())
    ld: dict[str, Any] = {
        "@type": "Course",
        "name": course.title,
        "description": course.description,
        "provider": {"@type": "Organization", "name": course.organizer.name},
        "isAccessibleForFree": course.is_free,
        "url": url,
        "hasCourseInstance": [
            {
                "@type": "CourseInstance",
                "courseMode": "onsite",
                "startDate": s.starts_at.isoformat(),
                "endDate": s.ends_at.isoformat(),
                "location": place_ld(s.place, s.municipality, s.place),
            }
            for s in sessions
        ],
    }
    events = [
        {
            "@context": "https://schema.org",
            "@type": "Event",
            "name": course.title + (f" — {s.title}" if s.title else ""),
            "startDate": s.starts_at.isoformat(),
            "endDate": s.ends_at.isoformat(),
            "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
            "eventStatus": "https://schema.org/EventScheduled",
            "location": place_ld(s.place, s.municipality, s.place),
            "organizer": {"@type": "Organization", "name": course.organizer.name},
            "url": url,
        }
        for s in sessions
    ]
    return render(
        request,
        "learning/course_detail.html",
        {
            "course": course,
            "sessions": sessions,
            "can_manage": can_manage,
            "mine": mine,
            "waiting_position": waiting_position,
            "participants": participants,
            "open_for_enrolment": open_for_enrolment,
            "enrol_form": EnrolForm(),
            "json_ld": json_ld(ld),
            "events_ld": json_ld({"@graph": events}) if events else "",
        },
    )


@login_required
def course_new(request: HttpRequest) -> HttpResponse:
    if not organizations_editable_by(request.user).exists():
        messages.info(request, _("Only members of a registered organisation can publish courses."))
        return redirect("learning:home")
    form = CourseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_create(data=dict(form.cleaned_data), user=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The course has been created: now add its sessions."))
            return redirect("learning:session_new", slug=course.slug)
    return render(request, "learning/course_form.html", {"form": form, "creating": True})


@login_required
def course_edit(request: HttpRequest, slug: str) -> HttpResponse:
    course = course_for_user(request.user, slug, edit=True)
    form = CourseForm(request.POST or None, instance=course, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.course_update(course=course, data=dict(form.cleaned_data), user=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The course has been saved."))
            return redirect(course)
    return render(
        request, "learning/course_form.html", {"form": form, "creating": False, "course": course}
    )


@login_required
def session_new(request: HttpRequest, slug: str) -> HttpResponse:
    course = course_for_user(request.user, slug, edit=True)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.times()
        try:
            services.session_create(
                course=course,
                starts_at=starts_at,
                ends_at=ends_at,
                place=form.cleaned_data["place"],
                municipality=form.cleaned_data["municipality"],
                title=form.cleaned_data["title"],
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The session has been added."))
            return redirect("learning:session_new", slug=course.slug)
    return render(
        request,
        "learning/session_form.html",
        {"form": form, "course": course, "sessions": list(course.sessions.all())},
    )


@login_required
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = session_for_user_manage(request.user, pk)
    course = session.course
    if session.has_started:
        messages.error(request, _("This session has started: it can no longer be changed."))
        return redirect(course)
    form = SessionForm(request.POST or None, initial=SessionForm.initial_for(session))
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.times()
        try:
            services.session_update(
                session=session,
                starts_at=starts_at,
                ends_at=ends_at,
                place=form.cleaned_data["place"],
                municipality=form.cleaned_data["municipality"],
                title=form.cleaned_data["title"],
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The session has been saved."))
            return redirect(course)
    return render(
        request,
        "learning/session_form.html",
        {"form": form, "course": course, "session": session, "editing": True},
    )


@login_required
@require_POST
def course_enrol(request: HttpRequest, slug: str) -> HttpResponse:
    course = course_for_user(request.user, slug)
    form = EnrolForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(course)
    try:
        enrolment = services.course_enrol(
            course=course,
            user=request.user,
            affiliation=form.cleaned_data["affiliation"],
            institution=form.cleaned_data["institution"],
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(course)
    if enrolment.status == Enrolment.Status.CONFIRMED:
        messages.success(request, _("You are enrolled: we have sent you a confirmation by e-mail."))
    else:
        messages.warning(
            request,
            _(
                "The course is full: you are on the waiting list. If a seat becomes free you "
                "will be enrolled automatically and told by e-mail."
            ),
        )
    return redirect(course)


@login_required
@require_POST
def enrolment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = enrolment_for_user(request.user, pk)
    try:
        services.enrolment_cancel(enrolment=enrolment, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The enrolment has been cancelled."))
    return redirect(enrolment.course)


@login_required
def session_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    session = session_for_user_manage(request.user, pk)
    enrolments = list(
        Enrolment.objects.filter(course=session.course, status=Enrolment.Status.CONFIRMED)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "id")
    )
    recorded = {a.enrolment_id: a.present for a in Attendance.objects.filter(session=session)}
    if request.method == "POST":
        present = {e.pk: request.POST.get(f"present-{e.pk}") == "on" for e in enrolments}
        try:
            services.session_record_attendance(session=session, present=present, user=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Attendance has been recorded."))
            return redirect(session.course)
    return render(
        request,
        "learning/attendance.html",
        {
            "session": session,
            "course": session.course,
            "rows": [(e, recorded.get(e.pk)) for e in enrolments],
            "open": session.has_started,
        },
    )


@login_required
def my_enrolments(request: HttpRequest) -> HttpResponse:
    enrolments = list(
        Enrolment.objects.filter(user=request.user)  # type: ignore[misc]
        .select_related("course__organizer", "certificate", "feedback")
        .annotate(
            attended=Count("attendances", filter=Q(attendances__present=True), distinct=True),
            n_sessions=Count("course__sessions", distinct=True),
        )
        .order_by("-created_at")
    )
    return render(request, "learning/my_enrolments.html", {"enrolments": enrolments})


@login_required
def certificate_download(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = own_enrolment(request.user, pk)
    try:
        certificate = services.certificate_issue(enrolment=enrolment)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("learning:mine")
    weasyprint = weasyprint_module()
    if weasyprint is None:
        return HttpResponse(
            _(
                "The PDF certificate is not available on this server: the WeasyPrint library "
                "or the system libraries it needs are missing. Your certificate is registered "
                "with the verification code %(code)s."
            )
            % {"code": certificate.code},
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    pdf = certificate_pdf(certificate=certificate, weasyprint=weasyprint)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="attestato-{certificate.code}.pdf"'
    return response


def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    certificate = (
        Certificate.objects.select_related("enrolment__course__organizer")
        .filter(code=code[:32])
        .first()
    )
    return render(
        request,
        "learning/certificate_verify.html",
        {"certificate": certificate, "code": code[:32]},
        status=200 if certificate else 404,
    )


@login_required
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = own_enrolment(request.user, pk)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_submit(enrolment=enrolment, **form.cleaned_data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Thank you for your answers."))
            return redirect("learning:mine")
    return render(
        request, "learning/feedback_form.html", {"form": form, "course": enrolment.course}
    )


# ----------------------------------------------------------------------------- research


def research_list(request: HttpRequest) -> HttpResponse:
    qs = ResearchProject.objects.filter(is_published=True).prefetch_related("missions")
    mission = request.GET.get("missione", "")
    if mission.isdigit():
        qs = qs.filter(missions__number=int(mission))
    q = request.GET.get("q", "").strip()[:200]
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(summary__icontains=q) | Q(people__icontains=q))
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    from pes.plan.models import Mission

    return render(
        request,
        "learning/research_list.html",
        {
            "page": page,
            "missions": list(Mission.objects.order_by("number")),
            "mission": mission,
            "q": q,
            "query": query_without_page(request),
            "can_publish": organizations_editable_by(request.user).exists(),
        },
    )


def research_detail(request: HttpRequest, slug: str) -> HttpResponse:
    project = research_for_user(request.user, slug)
    ld = {
        "@type": "ResearchProject" if project.kind == "project" else "Thesis",
        "name": project.title,
        "description": project.summary,
        "sourceOrganization": {"@type": "CollegeOrUniversity", "name": project.university},
        "url": request.build_absolute_uri(project.get_absolute_url()),
    }
    return render(
        request,
        "learning/research_detail.html",
        {
            "project": project,
            "missions": list(project.missions.all()),
            "can_manage": user_can_manage_research(request.user, project),
            "json_ld": json_ld(ld),
        },
    )


@login_required
def research_new(request: HttpRequest) -> HttpResponse:
    if not organizations_editable_by(request.user).exists():
        messages.info(request, _("Only members of a registered organisation can publish research."))
        return redirect("learning:research_list")
    form = ResearchForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "missions"}
        try:
            project = services.research_create(
                data=data, missions=list(form.cleaned_data["missions"]), user=request.user
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The research entry has been published."))
            return redirect(project)
    return render(request, "learning/research_form.html", {"form": form, "creating": True})


@login_required
def research_edit(request: HttpRequest, slug: str) -> HttpResponse:
    project = research_for_user(request.user, slug, edit=True)
    form = ResearchForm(request.POST or None, instance=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "missions"}
        try:
            services.research_update(
                project=project,
                data=data,
                missions=list(form.cleaned_data["missions"]),
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The research entry has been saved."))
            return redirect(project)
    return render(
        request,
        "learning/research_form.html",
        {"form": form, "creating": False, "project": project},
    )
