from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pes.lib.charts import dot_map
from pes.lib.forms import add_service_error
from pes.lib.pagination import paginate, query_without_page
from pes.registry.access import organizations_editable_by, user_is_governance
from pes.registry.models import Organization
from pes.volunteering import selectors, services
from pes.volunteering.access import (
    booking_for_user,
    booking_for_user_manage,
    group_for_user,
    opportunity_for_user,
    opportunity_for_user_edit,
    shift_for_user,
    shift_for_user_manage,
    user_can_manage_opportunity,
    volunteer_of,
)
from pes.volunteering.documents import certificate_pdf, shift_ics, weasyprint_module
from pes.volunteering.forms import (
    AttendanceForm,
    CancelShiftForm,
    GroupBookingForm,
    GroupForm,
    OpportunityFilterForm,
    OpportunityForm,
    ShiftForm,
    VolunteerForm,
)
from pes.volunteering.models import Booking, Certificate, Group, Opportunity


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


# ----------------------------------------------------------------------------- public pages


def home(request: HttpRequest) -> HttpResponse:
    volunteer = volunteer_of(request.user)
    managed = []
    if request.user.is_authenticated:
        managed = list(
            Opportunity.objects.filter(organization__in=organizations_editable_by(request.user))
            .select_related("organization")
            .annotate(n_shifts=Count("shifts"))
            .order_by("title")[:20]
        )
    return render(
        request,
        "volunteering/home.html",
        {
            "volunteer": volunteer,
            "managed": managed,
            "upcoming": selectors.bookable_shifts(limit=6),
            "recommended": selectors.recommended_shifts(volunteer=volunteer, limit=3)
            if volunteer
            else [],
        },
    )


def opportunity_list(request: HttpRequest) -> HttpResponse:
    form = OpportunityFilterForm(request.GET or None)
    filters = form.filters()
    page = paginate(request, selectors.opportunity_list(filters=filters))
    points = selectors.opportunity_map_points(filters=filters)
    return render(
        request,
        "volunteering/opportunity_list.html",
        {
            "form": form,
            "page": page,
            "filters_active": filters.active(),
            "query": query_without_page(request),
            "map": dot_map(
                title=_("Volunteering opportunities by municipality"),
                points=[(lat, lon, n, f"{name}: {n}") for lat, lon, n, name in points],
                chart_id="opportunity-map",
            ),
            "points": points,
        },
    )


def opportunity_detail(request: HttpRequest, slug: str) -> HttpResponse:
    opportunity = opportunity_for_user(request.user, slug)
    volunteer = volunteer_of(request.user)
    shifts = selectors.opportunity_shifts(opportunity=opportunity)
    mine: dict[int, Booking] = {}
    if volunteer:
        mine = {
            b.shift_id: b
            for b in Booking.objects.filter(
                volunteer=volunteer,
                shift__in=[s.pk for s in shifts],
                status__in=["confirmed", "waiting"],
            )
        }
    rows = [(shift, mine.get(shift.pk)) for shift in shifts]
    return render(
        request,
        "volunteering/opportunity_detail.html",
        {
            "opportunity": opportunity,
            "skills": list(opportunity.skills.all()),
            "rows": rows,
            "volunteer": volunteer,
            "can_manage": user_can_manage_opportunity(request.user, opportunity),
        },
    )


def shift_detail(request: HttpRequest, pk: int) -> HttpResponse:
    shift = shift_for_user(request.user, pk)
    can_manage = user_can_manage_opportunity(request.user, shift.opportunity)
    volunteer = volunteer_of(request.user)
    mine = (
        Booking.objects.filter(
            volunteer=volunteer, shift=shift, status__in=["confirmed", "waiting"]
        ).first()
        if volunteer
        else None
    )
    return render(
        request,
        "volunteering/shift_detail.html",
        {
            "shift": shift,
            "opportunity": shift.opportunity,
            "can_manage": can_manage,
            "bookings": selectors.shift_bookings(shift=shift) if can_manage else [],
            "volunteer": volunteer,
            "mine": mine,
            "cancel_form": CancelShiftForm(),
            "attendance_open": shift.is_past and not shift.is_cancelled,
        },
    )


def shift_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    shift = shift_for_user(request.user, pk)
    response = HttpResponse(shift_ics(shift=shift), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="turno-{shift.pk}.ics"'
    return response


def certificate_verify(request: HttpRequest, code: str) -> HttpResponse:
    certificate = Certificate.objects.select_related("organization").filter(code=code[:32]).first()
    return render(
        request,
        "volunteering/certificate_verify.html",
        {"certificate": certificate, "code": code[:32]},
        status=200 if certificate else 404,
    )


def dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "volunteering/dashboard.html",
        {"data": selectors.dashboard(), "min_cell": selectors.MIN_CELL},
    )


# ----------------------------------------------------------------------------- volunteers


def signup(request: HttpRequest) -> HttpResponse:
    """Become a volunteer: sign in (or create an account), then fill in the profile."""
    if not request.user.is_authenticated:
        return render(request, "volunteering/signup_account.html", {"next": request.path})
    if volunteer_of(request.user):
        return redirect("volunteering:profile")
    return _profile_form(request, instance=None)


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        return redirect("volunteering:signup")
    return _profile_form(request, instance=volunteer)


def _profile_form(request: HttpRequest, *, instance: Any) -> HttpResponse:
    form = VolunteerForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_save(
                user=request.user,
                data=form.service_data(),
                interests=list(form.cleaned_data["interests"]),
                skills=list(form.cleaned_data["skills"]),
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            if instance is None:
                messages.success(
                    request, _("Welcome! Your volunteer profile is ready: find a shift below.")
                )
            else:
                messages.success(request, _("Your volunteer profile has been saved."))
            return redirect(_safe_next(request, reverse("volunteering:profile")))
    return render(
        request,
        "volunteering/volunteer_form.html",
        {"form": form, "creating": instance is None, "next": request.GET.get("next", "")},
    )


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        return redirect("volunteering:signup")
    bookings = selectors.volunteer_bookings(volunteer=volunteer)
    by_org = selectors.volunteer_hours_by_organization(volunteer=volunteer)
    return render(
        request,
        "volunteering/profile.html",
        {
            "volunteer": volunteer,
            "bookings": bookings,
            "hours_by_org": by_org,
            "total_hours": sum((r["hours"] or 0 for r in by_org), 0),
            "recommended": selectors.recommended_shifts(volunteer=volunteer, limit=5),
            "certificates": list(volunteer.certificates.select_related("organization")[:20]),
            "interests": list(volunteer.interests.all()),
            "skills": list(volunteer.skills.all()),
        },
    )


@login_required
@require_POST
def shift_book(request: HttpRequest, pk: int) -> HttpResponse:
    shift = shift_for_user(request.user, pk)
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        messages.info(request, _("Complete your volunteer profile first, then book the shift."))
        return redirect(
            reverse("volunteering:signup") + "?next=" + shift.opportunity.get_absolute_url()
        )
    try:
        booking = services.shift_book(shift=shift, volunteer=volunteer, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(_safe_next(request, shift.opportunity.get_absolute_url()))
    if booking.status == Booking.Status.CONFIRMED:
        messages.success(
            request, _("Booked! We have sent you a confirmation by e-mail; see you there.")
        )
    else:
        messages.warning(
            request,
            _(
                "The shift is full: you are on the waiting list. If a place becomes free you "
                "will be booked automatically and told by e-mail."
            ),
        )
    return redirect("volunteering:profile")


@login_required
@require_POST
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = booking_for_user(request.user, pk)
    try:
        services.booking_cancel(booking=booking, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The booking has been cancelled."))
    default = (
        reverse("volunteering:group", kwargs={"pk": booking.group_id})
        if booking.group_id
        else reverse("volunteering:profile")
    )
    return redirect(_safe_next(request, default))


@login_required
def certificate_download(request: HttpRequest, organization_id: int) -> HttpResponse:
    """Issue (or reuse) the certificate of verified hours with one organisation, as a PDF."""
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        raise Http404
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        raise Http404
    try:
        certificate = services.certificate_issue(volunteer=volunteer, organization=organization)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("volunteering:profile")
    weasyprint = weasyprint_module()
    if weasyprint is None:
        return HttpResponse(
            _(
                "The PDF certificate is not available on this server: the WeasyPrint library "
                "or the system libraries it needs (Pango) are missing. Your certificate is "
                "registered with the verification code %(code)s."
            )
            % {"code": certificate.code},
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    pdf = certificate_pdf(certificate=certificate, weasyprint=weasyprint)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="attestato-{certificate.code}.pdf"'
    return response


# ----------------------------------------------------------------------------- organisations


@login_required
def opportunity_new(request: HttpRequest) -> HttpResponse:
    if not organizations_editable_by(request.user).exists():
        raise PermissionDenied
    form = OpportunityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = services.opportunity_create(
                data=form.service_data(),
                skills=list(form.cleaned_data["skills"]),
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The opportunity has been saved: now add its shifts."))
            return redirect("volunteering:shift_new", slug=opportunity.slug)
    return render(request, "volunteering/opportunity_form.html", {"form": form, "creating": True})


@login_required
def opportunity_edit(request: HttpRequest, slug: str) -> HttpResponse:
    opportunity = opportunity_for_user_edit(request.user, slug=slug)
    form = OpportunityForm(request.POST or None, instance=opportunity, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.opportunity_update(
                opportunity=opportunity,
                data=form.service_data(),
                skills=list(form.cleaned_data["skills"]),
                user=request.user,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The opportunity has been saved."))
            return redirect(opportunity.get_absolute_url())
    return render(
        request,
        "volunteering/opportunity_form.html",
        {"form": form, "creating": False, "opportunity": opportunity},
    )


@login_required
def shift_new(request: HttpRequest, slug: str) -> HttpResponse:
    opportunity = opportunity_for_user_edit(request.user, slug=slug)
    form = ShiftForm(
        request.POST or None,
        initial={"municipality": opportunity.municipality_id, "repeat_weeks": 1},
    )
    if request.method == "POST" and form.is_valid():
        try:
            for starts_at, ends_at in form.moments():
                services.shift_create(
                    opportunity=opportunity,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    place=form.cleaned_data["place"],
                    capacity=form.cleaned_data["capacity"],
                    municipality=form.cleaned_data["municipality"],
                    user=request.user,
                )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The shift has been added."))
            return redirect(opportunity.get_absolute_url())
    return render(
        request, "volunteering/shift_form.html", {"form": form, "opportunity": opportunity}
    )


@login_required
def opportunity_suggestions(request: HttpRequest, slug: str) -> HttpResponse:
    opportunity = opportunity_for_user_edit(request.user, slug=slug)
    return render(
        request,
        "volunteering/suggestions.html",
        {
            "opportunity": opportunity,
            "suggestions": selectors.suggested_volunteers(opportunity=opportunity),
        },
    )


@login_required
@require_POST
def shift_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    shift = shift_for_user_manage(request.user, pk)
    form = CancelShiftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the shift is cancelled: people will be told."))
        return redirect(shift.get_absolute_url())
    try:
        told = services.shift_cancel(
            shift=shift, reason=form.cleaned_data["reason"], user=request.user
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The shift has been cancelled; %(n)s booking(s) cancelled and told by e-mail.")
            % {"n": told},
        )
    return redirect(shift.get_absolute_url())


@login_required
@require_POST
def booking_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    booking = booking_for_user_manage(request.user, pk)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return redirect(booking.shift.get_absolute_url())
    try:
        services.booking_confirm_attendance(
            booking=booking,
            present=form.cleaned_data["present"],
            hours=form.cleaned_data.get("hours"),
            user=request.user,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Attendance recorded."))
    return redirect(booking.shift.get_absolute_url())


# ----------------------------------------------------------------------------- groups


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    groups = Group.objects.select_related("municipality").annotate(
        n_bookings=Count("bookings", filter=Q(bookings__status="confirmed"))
    )
    if not user_is_governance(request.user):
        groups = groups.filter(manager_id=request.user.pk)
    return render(request, "volunteering/group_list.html", {"groups": list(groups[:200])})


@login_required
def group_new(request: HttpRequest) -> HttpResponse:
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(data=form.cleaned_data, manager=request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The group has been registered: now book a shift for it."))
            return redirect(group.get_absolute_url())
    return render(request, "volunteering/group_form.html", {"form": form})


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = group_for_user(request.user, pk)
    shifts = selectors.bookable_shifts(limit=200)
    form = GroupBookingForm(request.POST or None, shifts=shifts, initial={"seats": group.size})
    if request.method == "POST" and form.is_valid():
        shift = shift_for_user(request.user, form.cleaned_data["shift"])
        try:
            services.shift_book_group(
                shift=shift, group=group, seats=form.cleaned_data["seats"], user=request.user
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("The group is booked. We have sent a confirmation by e-mail.")
            )
            return redirect(group.get_absolute_url())
    return render(
        request,
        "volunteering/group_detail.html",
        {
            "group": group,
            "form": form,
            "bookings": selectors.group_bookings(group=group),
            "page_size": settings.PAGE_SIZE,
        },
    )
