"""Matching volunteers and shifts: a transparent score with its reasons.

A recommendation, never a decision: the volunteer chooses what to book, the organisation
whom to contact. The score adds points for each reason, and every reason is shown:

* interest: the opportunity's activity (art. 5 CTS) is among the volunteer's interests (3);
* skills: each skill wanted that the volunteer offers (1 each, at most 3);
* distance: the shift's municipality is within the distance the volunteer travels (2, or 3 in
  the same municipality); beyond it the pair is left out;
* availability: the shift falls on a day and in a time slot the volunteer gave (2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from pes.lib.geo import haversine_km
from pes.volunteering.models import time_slot_of

INTEREST_POINTS = 3
SKILL_POINTS = 1
MAX_SKILL_POINTS = 3
NEAR_POINTS = 2
SAME_PLACE_POINTS = 3
AVAILABILITY_POINTS = 2


@dataclass(frozen=True)
class Profile:
    """What matching needs of a volunteer."""

    municipality_id: int
    latitude: Decimal | float
    longitude: Decimal | float
    max_distance_km: int
    interests: frozenset[int]
    skills: frozenset[int]
    days: frozenset[int]
    slots: frozenset[str]


@dataclass(frozen=True)
class Offer:
    """What matching needs of a shift (or of an opportunity, without a time)."""

    municipality_id: int
    latitude: Decimal | float
    longitude: Decimal | float
    activity_id: int
    skills: frozenset[int]
    skill_labels: dict[int, str] = field(default_factory=dict)
    starts_at: object = None  # an aware datetime, or None for an opportunity as a whole


@dataclass
class Match:
    score: int
    distance_km: float
    reasons: list[str]


def match(profile: Profile, offer: Offer) -> Match | None:
    """The score and reasons of one pair, or None when the place is too far."""
    distance = haversine_km(profile.latitude, profile.longitude, offer.latitude, offer.longitude)
    same_place = profile.municipality_id == offer.municipality_id
    if not same_place and distance > profile.max_distance_km:
        return None
    score, reasons = 0, []
    if offer.activity_id in profile.interests:
        score += INTEREST_POINTS
        reasons.append(_("matches your interests"))
    common = sorted(profile.skills & offer.skills)
    if common:
        score += min(len(common) * SKILL_POINTS, MAX_SKILL_POINTS)
        labels = ", ".join(offer.skill_labels.get(s, str(s)) for s in common)
        reasons.append(_("skills: %(skills)s") % {"skills": labels})
    if same_place:
        score += SAME_PLACE_POINTS
        reasons.append(_("in your municipality"))
    else:
        score += NEAR_POINTS
        reasons.append(_("%(km)s km away") % {"km": round(distance)})
    if offer.starts_at is not None:
        local = timezone.localtime(offer.starts_at)  # type: ignore[arg-type]
        if local.weekday() in profile.days and time_slot_of(local) in profile.slots:
            score += AVAILABILITY_POINTS
            reasons.append(_("on a day and at a time you are available"))
    return Match(score=score, distance_km=distance, reasons=reasons)
