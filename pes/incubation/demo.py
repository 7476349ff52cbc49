"""Deterministic demo data for incubation (Faker ``it_IT``): calls of public bodies,
foundations and incubators, applications by organisations and informal teams, evaluations
with conflicts of interest, cohorts with milestones, mentoring, grants paid in tranches, and
follow-up reports. The same seed gives the same data; running it again adds nothing (calls
are keyed by slug). Rows are written with ``bulk_create`` in batches.

Sizes: tiny 2 calls and about 10 applications, metro 20 and about 300, national 200 and
about 3,000.
"""

# ruff: noqa: E501 - the demo records read best one per line
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from faker import Faker

from pes.accounts.models import User
from pes.core.versions import bump
from pes.incubation.models import (
    CANVAS_KEYS,
    Application,
    Call,
    Cohort,
    ConflictDeclaration,
    Criterion,
    EvaluatorAssignment,
    FollowUp,
    MentoringSession,
    Milestone,
    Mission,
    Phase,
    Project,
    PromoterKind,
    Score,
    Target,
    Tranche,
)
from pes.incubation.selectors import VERSION_AREA
from pes.registry.models import Membership, Organization
from pes.territory.models import Municipality

CALLS = {"tiny": 2, "metro": 20, "national": 200}
PER_CALL = {"tiny": 5, "metro": 17, "national": 17}
BATCH = 1000

PROMOTERS = [
    (PromoterKind.PUBLIC, "Città metropolitana di Bologna"),
    (PromoterKind.PUBLIC, "Regione Emilia-Romagna"),
    (PromoterKind.FOUNDATION, "Fondazione di comunità del territorio"),
    (PromoterKind.INCUBATOR, "Incubatore sociale metropolitano"),
    (PromoterKind.PUBLIC, "Unione dei comuni dell'Appennino"),
]
CALL_TITLES = [
    (
        "Cooperative di comunità nelle aree interne",
        Mission.WELFARE,
        [Target.COMMUNITY_COOPERATIVES],
    ),
    ("Accelerazione di imprese sociali", Mission.WELFARE, [Target.SOCIAL_ENTERPRISES]),
    ("Servizi co-progettati dalle reti del Terzo settore", Mission.WORK, [Target.NETWORKS]),
    (
        "Nuove cooperative di comunità urbane",
        Mission.WELFARE,
        [Target.COMMUNITY_COOPERATIVES, Target.SOCIAL_ENTERPRISES],
    ),
    (
        "Reti per l'inserimento lavorativo",
        Mission.WORK,
        [Target.NETWORKS, Target.SOCIAL_ENTERPRISES],
    ),
]
CRITERIA = [
    ("Impatto sulla comunità", 35, 10),
    ("Sostenibilità economica", 25, 10),
    ("Qualità del gruppo proponente", 20, 10),
    ("Innovazione e replicabilità", 20, 5),
]
IDEAS = [
    "Bottega di paese e presidio di servizi",
    "Ostello diffuso gestito dagli abitanti",
    "Manutenzione dei sentieri e del verde pubblico",
    "Trasporto a chiamata per anziani",
    "Mensa solidale di quartiere",
    "Filiera corta di prodotti dell'Appennino",
    "Laboratorio di riparazione e riuso",
    "Doposcuola e spazio per adolescenti",
    "Comunità energetica rinnovabile",
    "Portierato sociale di condominio",
    "Orto sociale con inserimento lavorativo",
    "Centro di comunità nell'ex scuola",
]
MILESTONES = ["Costituzione della cooperativa", "Avvio del servizio", "Primo bilancio"]
TOPICS = [
    "Piano economico-finanziario",
    "Governance cooperativa",
    "Comunicazione",
    "Bandi e finanziamenti",
    "Coinvolgimento della comunità",
]


def _users(prefix: str, count: int, role: str) -> list[User]:
    emails = [f"{prefix}{n}@pes.example" for n in range(count)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    new = []
    for email in emails:
        if email in existing:
            continue
        user = User(
            email=email, username=email, role=role, first_name="Demo", last_name=prefix.capitalize()
        )
        user.set_unusable_password()
        new.append(user)
    User.objects.bulk_create(new, batch_size=BATCH)
    return list(User.objects.filter(email__in=emails).order_by("email"))


def seed_incubation(*, size: str, seed: int) -> dict[str, int]:
    """Create the demo calls of a size and everything that follows from them. Returns counts
    of what was created."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    fake = Faker("it_IT")
    fake.seed_instance(seed)
    now = timezone.now()
    today = timezone.localdate()
    n_calls, per_call = CALLS[size], PER_CALL[size]
    municipalities = list(Municipality.objects.select_related("district").order_by("istat_code"))
    orgs = list(Organization.objects.filter(is_published=True).order_by("id")[:2000])
    if not municipalities:
        return {"calls": 0, "applications": 0}
    leads_by_org = dict(
        Membership.objects.filter(organization__in=orgs)
        .order_by("id")
        .values_list("organization_id", "user_id")
    )
    staff = list(
        User.objects.filter(email__in=["governance@pes.example", "operator@pes.example"]).order_by(
            "email"
        )
    )
    experts = _users("esperto", 6, User.Role.VISITOR)
    mentors = [u for u in staff if u.role == User.Role.OPERATOR] + _users(
        "mentore", 4, User.Role.OPERATOR
    )
    leads = _users("proponente", max(per_call * 2, 30), User.Role.VISITOR)
    member = User.objects.filter(email="member@pes.example").first()

    counts = dict.fromkeys(
        ["calls", "applications", "projects", "tranches", "sessions", "follow_ups", "scores"], 0
    )
    pending: dict[type, list[Any]] = {}

    def add(obj: Any) -> Any:
        pending.setdefault(type(obj), []).append(obj)
        return obj

    def flush(*models: type) -> None:
        for model in models:
            objs = pending.pop(model, [])
            if objs:
                model.objects.bulk_create(objs, batch_size=BATCH)  # type: ignore[attr-defined]

    for n in range(n_calls):
        slug = f"demo-incubazione-{n}"
        if Call.objects.filter(slug=slug).exists():
            continue
        title, mission, targets = CALL_TITLES[n % len(CALL_TITLES)]
        kind, promoter = PROMOTERS[n % len(PROMOTERS)]
        is_open = n % 3 == 0
        age_days = 0 if is_open else rng.randint(60, 1800)
        deadline = (
            now + dt.timedelta(days=rng.randint(10, 60))
            if is_open
            else now - dt.timedelta(days=age_days)
        )
        budget = Decimal(rng.choice([80, 100, 140, 200])) * 1000
        max_grant = Decimal(rng.choice([10, 15, 20])) * 1000
        with transaction.atomic():
            call = Call.objects.create(
                slug=slug,
                title=f"{title} {timezone.localtime(deadline).year}"
                + (f" ({n})" if n >= len(CALL_TITLES) else ""),
                description=fake.paragraph(nb_sentences=4),
                mission=mission,
                promoter_kind=kind,
                promoter_name=promoter,
                targets=[str(t) for t in targets],
                accepts_teams=n % 4 != 3,
                opens_on=timezone.localtime(deadline).date() - dt.timedelta(days=60),
                deadline=deadline,
                budget=budget,
                max_grant=max_grant,
                required_documents=["Statuto o atto costitutivo", "Piano economico"],
            )
            counts["calls"] += 1
            call.municipalities.set(rng.sample(municipalities, k=rng.choice([0, 0, 5, 10])))
            criteria = Criterion.objects.bulk_create(
                [
                    Criterion(call=call, name=name, weight=w, max_score=m, order=i)
                    for i, (name, w, m) in enumerate(CRITERIA)
                ]
            )
            opens = call.opens_on
            ends = timezone.localtime(deadline).date()
            Phase.objects.bulk_create(
                [
                    Phase(
                        call=call, name="Raccolta delle candidature", starts_on=opens, ends_on=ends
                    ),
                    Phase(
                        call=call,
                        name="Valutazione",
                        starts_on=ends,
                        ends_on=ends + dt.timedelta(days=30),
                    ),
                    Phase(
                        call=call,
                        name="Incubazione",
                        starts_on=ends + dt.timedelta(days=45),
                        ends_on=ends + dt.timedelta(days=225),
                    ),
                ]
            )
            evaluators = staff + rng.sample(experts, k=2)
            EvaluatorAssignment.objects.bulk_create(
                [
                    EvaluatorAssignment(call=call, evaluator=e, is_external=e in experts)
                    for e in evaluators
                ]
            )
            places = call.municipalities.all() or municipalities
            places = list(places)
            team_leads = rng.sample(leads, k=per_call)
            applications = []
            used_orgs: set[int] = set()
            for k in range(per_call):
                org = None
                if orgs and k % 2 == 0:
                    org = rng.choice(orgs)
                    if org.pk in used_orgs:
                        org = None
                    else:
                        used_orgs.add(org.pk)
                if org is None and not call.accepts_teams:
                    continue
                lead = team_leads[k]
                if org is not None and org.pk in leads_by_org:
                    lead = User(pk=leads_by_org[org.pk])
                if n == 0 and k == 1 and member is not None and org is None:
                    lead = member
                draft = is_open and k % 3 == 2
                budget_total = Decimal(rng.randint(20, 120)) * 1000
                jobs = rng.randint(1, 8)
                applications.append(
                    add(
                        Application(
                            call=call,
                            organization=org,
                            team_name="" if org else f"Gruppo {fake.last_name()} e amici",
                            team_lead=lead,
                            team_members="\n".join(
                                f"{fake.name()}, {role}"
                                for role in ("coordinamento", "amministrazione", "comunicazione")
                            ),
                            title=rng.choice(IDEAS),
                            idea=fake.paragraph(nb_sentences=3),
                            municipality=rng.choice(places),
                            community_served=fake.sentence(nb_words=10),
                            canvas={key: fake.sentence(nb_words=8) for key in CANVAS_KEYS},
                            budget_total=budget_total,
                            grant_requested=min(max_grant, (budget_total / 2).quantize(Decimal(1))),
                            expected_jobs=jobs,
                            expected_jobs_fragile=rng.randint(0, jobs),
                            status=Application.Status.DRAFT
                            if draft
                            else Application.Status.SUBMITTED,
                            submitted_at=None
                            if draft
                            else deadline - dt.timedelta(days=rng.randint(1, 20)),
                        )
                    )
                )
            flush(Application)
            counts["applications"] += len(applications)
            if is_open:
                continue
            # Evaluation of a closed call: declarations, scores, decisions, a cohort.
            sent = [a for a in applications if a.status == Application.Status.SUBMITTED]
            totals: dict[int, float] = {}
            for a in sent:
                quality = rng.random()
                for e in evaluators:
                    conflict = rng.random() < 0.05
                    add(ConflictDeclaration(application=a, evaluator=e, has_conflict=conflict))
                    if conflict:
                        continue
                    for c in criteria:
                        value = Decimal(
                            round(
                                max(0.0, min(1.0, quality + rng.uniform(-0.2, 0.2)))
                                * c.max_score
                                * 2
                            )
                            / 2
                        )
                        add(
                            Score(
                                application=a,
                                evaluator=e,
                                criterion=c,
                                value=value,
                                max_score=c.max_score,
                                comment=rng.choice(
                                    ["", "Proposta convincente", "Piano economico da rafforzare"]
                                ),
                            )
                        )
                        counts["scores"] += 1
                totals[a.pk] = quality
            flush(ConflictDeclaration, Score)
            ranked = sorted(sent, key=lambda a: -totals[a.pk])
            admitted = ranked[: max(1, len(ranked) // 2)]
            cohort_start = ends + dt.timedelta(days=45)
            cohort = Cohort.objects.create(
                call=call,
                name=f"Coorte {timezone.localtime(deadline).year}",
                starts_on=cohort_start,
                ends_on=cohort_start + dt.timedelta(days=180),
            )
            decided_at = deadline + dt.timedelta(days=30)
            left = budget
            projects = []
            for a in sent:
                is_in = a in admitted
                a.status = Application.Status.ADMITTED if is_in else Application.Status.NOT_ADMITTED
                a.decision_reason = (
                    "Progetto ammesso: buon radicamento nella comunità e piano credibile."
                    if is_in
                    else "Punteggio sotto la soglia di ammissione; il piano economico va rafforzato."
                )
                a.decided_at = decided_at
                if is_in:
                    grant = min(a.grant_requested, left)
                    left -= grant
                    projects.append(
                        add(
                            Project(
                                application=a,
                                cohort=cohort,
                                grant=grant,
                                mentor=rng.choice(mentors),
                            )
                        )
                    )
            Application.objects.bulk_update(
                sent, ["status", "decision_reason", "decided_at"], batch_size=BATCH
            )
            flush(Project)
            counts["projects"] += len(projects)
            milestones = []
            for p in projects:
                for i, name in enumerate(MILESTONES):
                    due = cohort_start + dt.timedelta(days=60 * (i + 1))
                    reached = due + dt.timedelta(days=rng.randint(-10, 20))
                    milestones.append(
                        add(
                            Milestone(
                                project=p,
                                title=name,
                                due_on=due,
                                reached_on=reached
                                if reached <= today and rng.random() < 0.85
                                else None,
                            )
                        )
                    )
            flush(Milestone)
            by_project: dict[int, list[Milestone]] = {}
            for m in milestones:
                by_project.setdefault(m.project_id, []).append(m)
            for p in projects:
                parts = [Decimal("0.4"), Decimal("0.4"), Decimal("0.2")]
                for m, share in zip(by_project.get(p.pk, []), parts, strict=False):
                    amount = (p.grant * share).quantize(Decimal("0.01"))
                    if amount <= 0:
                        continue
                    paid_on = None
                    if m.reached_on is not None and m.reached_on + dt.timedelta(days=15) <= today:
                        paid_on = m.reached_on + dt.timedelta(days=15)
                    add(
                        Tranche(
                            project=p,
                            milestone=m,
                            amount=amount,
                            paid_on=paid_on,
                            payment_reference=f"CRO {seed}-{p.pk}-{m.pk}" if paid_on else "",
                        )
                    )
                    counts["tranches"] += 1
                for _session in range(rng.randint(2, 6)):
                    held = cohort_start + dt.timedelta(days=rng.randint(0, 180))
                    if held <= today:
                        add(
                            MentoringSession(
                                project=p,
                                mentor=p.mentor,
                                held_on=held,
                                hours=Decimal(rng.choice([1, 1.5, 2, 3])),
                                topics=rng.choice(TOPICS),
                            )
                        )
                        counts["sessions"] += 1
                end = cohort.ends_on
                alive = True
                jobs = 0
                for months in (0, 12, 36):
                    when = end + dt.timedelta(days=months * 30)
                    if when > today:
                        break
                    alive = alive and rng.random() < (0.92 if months else 1.0)
                    jobs = max(0, jobs + rng.randint(0, 3)) if alive else 0
                    add(
                        FollowUp(
                            project=p,
                            period=months,
                            is_active=alive,
                            incorporated=alive and months > 0 or rng.random() < 0.5,
                            jobs_created=jobs,
                            jobs_fragile=rng.randint(0, jobs),
                            revenue=Decimal(rng.randint(0, 120)) * 1000 if alive else Decimal(0),
                        )
                    )
                    counts["follow_ups"] += 1
            flush(Tranche, MentoringSession, FollowUp)
    bump(VERSION_AREA)  # bulk writes send no signals
    return counts
