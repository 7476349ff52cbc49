"""Deterministic demo data for work inclusion (Faker ``it_IT``): operators in a team, the
network of companies (type-B cooperatives and social enterprises from the registry among
them), openings, and people at every step of the pathway — new, contacted (some late),
assessed with a fragility profile on the instrument in use, proposed, placed with
follow-ups, closed. Running it again adds nothing (keyed by the demo references).

Sizes (DESIGN.md targets): tiny ≈ 60 people / 20 openings, metro 5,000 / 2,000, national
50,000 / 20,000. Rows go in with ``bulk_create`` in batches; the special-category fields
are encrypted row by row, as in production.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from typing import Any

from django.db import transaction
from django.utils import timezone
from faker import Faker
from stdnum.it import codicefiscale

from pes.accounts.models import User
from pes.core.versions import bump
from pes.inclusion import instrument as instruments
from pes.inclusion import stats
from pes.inclusion.models import (
    FIRST_CONTACT_DAYS,
    Case,
    ContactLog,
    Contract,
    Education,
    FollowUp,
    FragilityProfile,
    ItalianLevel,
    NetworkMember,
    Opening,
    Pathway,
    Person,
    Proposal,
    Shift,
    Skill,
    Team,
    add_months,
)
from pes.inclusion.selectors import NETWORK_AREA
from pes.inclusion.services import PRIVACY_NOTICE_VERSION, instrument_current
from pes.registry.models import Membership, Organization
from pes.territory.models import Municipality

SIZES = {"tiny": (60, 20), "metro": (5000, 2000), "national": (50_000, 20_000)}
OPERATORS = {"tiny": 3, "metro": 25, "national": 120}
BATCH = 2000
MONTHS = "ABCDEHLMPRST"
LETTERS = "BCDFGHLMNPRSTVZ"
ROLES = [
    ("Addetto/a alle pulizie", ["cleaning"], "81.21.00"),
    ("Magazziniere/a", ["warehouse"], "52.10"),
    ("Aiuto cuoco/a", ["kitchen"], "56.11"),
    ("Cameriere/a di sala", ["food_service"], "56.11"),
    ("Commesso/a", ["retail"], "47.11"),
    ("Addetto/a al confezionamento", ["packaging"], "82.92"),
    ("Giardiniere/a", ["gardening"], "81.30.00"),
    ("Operatore/trice ecologico/a", ["recycling"], "38.11.00"),
    ("Impiegato/a d'ordine", ["office", "computer"], "82.10"),
    ("Addetto/a alla reception", ["reception"], "55.10.00"),
    ("Assistente familiare", ["care"], "88.10.00"),
    ("Manutentore/trice", ["maintenance"], "81.10"),
    ("Autista consegne", ["driving"], "53.20.00"),
    ("Addetto/a lavanderia", ["laundry"], "96.10"),
    ("Cameriere/a ai piani", ["housekeeping"], "55.10.00"),
]
WORK = [
    "Ho lavorato come addetta alle pulizie per tre anni.",
    "Magazziniere con contratti stagionali dal 2018.",
    "Esperienza in cucina in un ristorante di Bologna.",
    "Badante per due anni, poi disoccupato.",
    "Tirocinio in un supermercato nel 2022.",
    "Lavori saltuari in agricoltura e consegne.",
    "",
]
SKILLS = list(Skill.values)


def _cf(n: int, rng: random.Random) -> str:
    a = "".join(LETTERS[(n // 15**i) % 15] for i in range(3))
    b = "".join(LETTERS[(n // 15 ** (i + 3)) % 15] for i in range(3))
    day = 1 + n % 28 + (40 if rng.random() < 0.5 else 0)
    body = f"{a}{b}{(60 + n % 45) % 100:02d}{MONTHS[n % 12]}{day:02d}A944"
    return body + codicefiscale.calc_check_digit(body)


def _operators(size: str) -> list[User]:
    lead = User.objects.filter(email="operator@pes.example").first()
    operators = [lead] if lead else []
    for i in range(1, OPERATORS[size] + 1):
        user, _created = User.objects.get_or_create(
            email=f"operatore{i}@pes.example",
            defaults={
                "username": f"operatore{i}@pes.example",
                "role": User.Role.OPERATOR,
                "first_name": "Operatore",
                "last_name": f"{i}",
            },
        )
        operators.append(user)
    if lead:
        team, _created = Team.objects.get_or_create(
            name="Segreteria Insieme per il lavoro", defaults={"supervisor": lead}
        )
        team.operators.add(*operators[1:])
    return operators


def _network(openings: int, rng: random.Random) -> list[Organization]:
    wanted = max(5, openings // 3)
    orgs = list(
        Organization.objects.filter(is_published=True)
        .select_related("legal_form")
        .order_by("id")[: wanted * 2]
    )
    member_org = (
        Membership.objects.filter(user__email="member@pes.example")
        .values_list("organization_id", flat=True)
        .first()
    )
    chosen = [o for o in orgs if o.pk == member_org] + [o for o in orgs if o.pk != member_org]
    chosen = chosen[:wanted]
    existing = set(NetworkMember.objects.values_list("organization_id", flat=True))
    rows = []
    for org in chosen:
        if org.pk in existing:
            continue
        code = org.legal_form.code
        if code in ("COOP_SOC_B", "COOP_SOC_AB"):
            kind = NetworkMember.Kind.COOP_B
        elif code in ("IMPRESA_SOCIALE", "COOP_SOC_A") or org.runts_section == "d":
            kind = NetworkMember.Kind.SOCIAL_ENTERPRISE
        else:
            kind = NetworkMember.Kind.COMPANY
        rows.append(
            NetworkMember(organization=org, kind=kind, contact_name=org.legal_representative)
        )
    NetworkMember.objects.bulk_create(rows, batch_size=BATCH)
    return chosen


def seed_inclusion(*, size: str, seed: int) -> dict[str, Any]:
    """Create the demo data for ``size``; returns what was created and how long it took."""
    started = time.perf_counter()
    n_people, n_openings = SIZES[size]
    if Case.objects.filter(reference__startswith="DEMO-").exists():
        return {"people": 0, "openings": 0, "seconds": 0.0}
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    fake = Faker("it_IT")
    fake.seed_instance(seed)
    now = timezone.now()
    today = timezone.localdate()
    municipalities = list(Municipality.objects.order_by("istat_code"))
    weights = [m.population for m in municipalities]
    tool = instrument_current()
    definition = tool.definition

    with transaction.atomic():
        operators = _operators(size)
        companies = _network(n_openings, rng)
        demo_user = User.objects.filter(email="operator@pes.example").first()
        openings = []
        for i in range(n_openings):
            role, skills, ateco = ROLES[i % len(ROLES)]
            org = companies[i % len(companies)]
            openings.append(
                Opening(
                    organization=org,
                    role=role,
                    description=fake.paragraph(nb_sentences=2),
                    ateco_code=ateco,
                    municipality=rng.choices(municipalities, weights)[0],
                    contract=rng.choices(list(Contract.values), [3, 2, 4, 2])[0],
                    hours_per_week=rng.choice([15, 20, 24, 30, 36, 40]),
                    shifts=rng.sample([Shift.MORNING, Shift.AFTERNOON], k=rng.randint(0, 1)),
                    required_skills=skills,
                    desirable_skills=rng.sample(SKILLS, k=rng.randint(0, 2)),
                    needs_driving_licence=skills == ["driving"],
                    min_italian=rng.choice(["", "", ItalianLevel.INDEPENDENT]),
                    step_free_access=rng.random() < 0.5,
                    public_transport=rng.random() < 0.85,
                    places=rng.choice([1, 1, 2, 2, 3, 4]),
                    status=Opening.Status.CLOSED if rng.random() < 0.1 else Opening.Status.OPEN,
                    created_by=demo_user,
                )
            )
        openings = Opening.objects.bulk_create(openings, batch_size=BATCH)
        open_openings = [o for o in openings if o.status == Opening.Status.OPEN] or openings

        offset = Person.objects.count() + 1000
        for start in range(0, n_people, BATCH):
            stop = min(n_people, start + BATCH)
            people = []
            for i in range(start, stop):
                municipality = rng.choices(municipalities, weights)[0]
                people.append(
                    Person(
                        first_name=fake.first_name(),
                        last_name=fake.last_name(),
                        codice_fiscale=_cf(offset + i, rng),
                        email=f"persona{i}@example.org",
                        phone=f"3{rng.randint(10, 99)} {rng.randint(1000000, 9999999)}",
                        municipality=municipality,
                        education=rng.choices(list(Education.values), [1, 2, 6, 4, 5, 2, 1])[0],
                        italian_level=rng.choices(list(ItalianLevel.values), [2, 3, 5])[0],
                        languages=rng.sample(
                            ["en", "fr", "ar", "ro", "uk", "es"], k=rng.randint(0, 2)
                        ),
                        work_history=rng.choice(WORK),
                        skills=rng.sample(SKILLS, k=rng.randint(1, 4)),
                        max_hours_per_week=rng.choice([20, 24, 30, 36, 40, 40]),
                        min_hours_per_week=rng.choice([0, 0, 10, 15]),
                        shifts=rng.sample(
                            [Shift.MORNING, Shift.AFTERNOON, Shift.EVENING], k=rng.randint(0, 2)
                        ),
                        contracts=[],
                        max_travel_km=rng.choice([10, 15, 20, 30, 40]),
                        has_driving_licence=rng.random() < 0.45,
                        has_car=rng.random() < 0.3,
                        care_duties=rng.random() < 0.25,
                        needs_step_free_access=rng.random() < 0.05,
                        share_with_companies=rng.sample(
                            ["skills", "education", "work_history", "availability", "languages"],
                            k=rng.randint(1, 4),
                        ),
                        consent_at=now,
                        privacy_notice_version=PRIVACY_NOTICE_VERSION,
                    )
                )
            people = Person.objects.bulk_create(people, batch_size=BATCH)
            _seed_cases(
                people,
                start,
                rng,
                now,
                today,
                operators,
                open_openings,
                definition,
                tool,
            )
    # The rows went in with bulk_create, past the services: count them once.
    stats.rebuild()
    bump(NETWORK_AREA)
    return {
        "people": n_people,
        "openings": n_openings,
        "operators": len(operators),
        "seconds": round(time.perf_counter() - started, 2),
    }


def assessed(case: Case) -> dt.datetime:
    return case.assessed_at or case.registered_at


def _seed_cases(
    people: list[Person],
    start: int,
    rng: random.Random,
    now: dt.datetime,
    today: dt.date,
    operators: list[User],
    openings: list[Opening],
    definition: dict[str, Any],
    tool: Any,
) -> None:
    cases, contacts, profiles, proposals, pathways = [], [], [], [], []
    plan: list[tuple[Case, str]] = []
    for k, person in enumerate(people):
        n = start + k
        days_ago = int(rng.triangular(0, 540, 30))
        registered = now - dt.timedelta(days=days_ago, hours=rng.randint(0, 8))
        due = timezone.localtime(registered).date() + dt.timedelta(days=FIRST_CONTACT_DAYS)
        case = Case(
            person=person,
            reference=f"DEMO-{n + 1:06d}",
            registered_at=registered,
            first_contact_due=due,
            operator=operators[n % len(operators)] if days_ago > 3 or rng.random() < 0.5 else None,
        )
        stage = "new"
        if case.operator and days_ago > 10:
            delay = int(rng.triangular(2, 50, 20))
            if delay < days_ago:
                case.first_contact_at = registered + dt.timedelta(days=delay)
                case.status = Case.Status.CONTACTED
                stage = "contacted"
        if stage == "contacted" and days_ago > 40 and rng.random() < 0.85:
            case.outcome = rng.choices(list(Case.Outcome.values), [6, 2, 1, 1])[0]
            contacted_at: dt.datetime = case.first_contact_at  # type: ignore[assignment]
            case.assessed_at = contacted_at + dt.timedelta(days=rng.randint(3, 15))
            case.status = Case.Status.ASSESSED
            stage = "assessed"
            if case.outcome in (Case.Outcome.NOT_ELIGIBLE, Case.Outcome.REFERRED):
                case.status = Case.Status.CLOSED
                case.closed_at = case.assessed_at
                case.closing_reason = case.outcome
                stage = "closed"
            elif case.outcome == Case.Outcome.READY and days_ago > 80 and rng.random() < 0.6:
                stage = "placed"
                case.status = Case.Status.IN_PATHWAY
        cases.append(case)
        plan.append((case, stage))
    Case.objects.bulk_create(cases, batch_size=BATCH)
    for case, stage in plan:
        if stage == "new":
            continue
        contacts.append(
            ContactLog(
                case=case,
                at=case.first_contact_at or case.registered_at,
                channel=rng.choice(list(ContactLog.Channel.values)),
                reached=True,
                note="Primo colloquio telefonico fissato.",
                by=case.operator,
            )
        )
        if stage in ("assessed", "closed", "placed"):
            answers = {item["code"]: rng.randint(0, 3) for item in definition["items"]}
            result = instruments.score(definition, answers)
            profiles.append(
                FragilityProfile(
                    case=case,
                    instrument=tool,
                    answers=json.dumps(answers, sort_keys=True),
                    scores=json.dumps({"by_dimension": result.by_dimension, "total": result.total}),
                    band=result.band,
                    health_notes="Nessuna limitazione riferita."
                    if rng.random() < 0.7
                    else "Limitazioni nel sollevamento di pesi.",
                    assessed_by=case.operator,
                )
            )
        if stage == "placed":
            opening = openings[rng.randrange(len(openings))]
            proposals.append(
                Proposal(
                    case=case,
                    opening=opening,
                    score=round(rng.uniform(55, 95), 1),
                    reasons=[{"code": "skills_none_required", "kind": "positive", "params": {}}],
                    shared={
                        "name": f"{case.person.first_name} {case.person.last_name}",
                        "municipality": case.person.municipality.name,
                    },
                    status=Proposal.Status.ACCEPTED,
                    proposed_by=case.operator,
                    decided_at=assessed(case) + dt.timedelta(days=7),
                )
            )
    ContactLog.objects.bulk_create(contacts, batch_size=BATCH)
    FragilityProfile.objects.bulk_create(profiles, batch_size=BATCH)
    proposals = Proposal.objects.bulk_create(proposals, batch_size=BATCH)
    for proposal in proposals:
        starts = timezone.localtime(proposal.decided_at).date() + dt.timedelta(days=10)  # type: ignore[arg-type]
        pathways.append(
            Pathway(
                case=proposal.case,
                kind=proposal.opening.contract,
                title=proposal.opening.role,
                organization_id=proposal.opening.organization_id,
                proposal=proposal,
                starts_on=min(starts, today),
                created_by=proposal.proposed_by,
            )
        )
    pathways = Pathway.objects.bulk_create(pathways, batch_size=BATCH)
    follow_ups = []
    for pathway in pathways:
        employed = True
        for months in (3, 6, 12):
            when = add_months(pathway.starts_on, months)
            if when > today:
                break
            employed = employed and rng.random() < 0.85
            contract = pathway.kind if rng.random() < 0.7 else Contract.PERMANENT
            follow_ups.append(
                FollowUp(
                    pathway=pathway,
                    months=months,
                    done_on=when,
                    still_employed=employed,
                    contract=contract if employed else "",
                    by=pathway.created_by,
                )
            )
    FollowUp.objects.bulk_create(follow_ups, batch_size=BATCH)
