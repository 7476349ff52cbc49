"""Deterministic demo data for collaboration: working tables on Mission 1 with members from
cooperatives, public administrations, banks and foundations, past meetings with decisions and
action items, proposals with support, co-design procedures and the collaborative-housing
register. The same seed gives the same data; running it again adds nothing (tables, procedures
and housing initiatives are keyed by slug, people by e-mail)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from pes.accounts.models import User
from pes.collaboration.models import (
    ActionItem,
    Attendance,
    Decision,
    ExpressionOfInterest,
    HousingInitiative,
    Meeting,
    Procedure,
    ProcedureStep,
    Proposal,
    ProposalSupport,
    TableMember,
    Tenure,
    WorkingTable,
)
from pes.plan.models import Action
from pes.registry.models import Membership, Organization
from pes.territory.models import Municipality

TOPICS = [
    "Piattaforma metropolitana per l'abitare cooperativo",
    "Strumenti finanziari per l'housing sociale",
    "Abitare collaborativo per studenti e giovani lavoratori",
    "Proprietà indivisa e nuove cooperative di abitanti",
    "Affitto calmierato e garanzie per le famiglie",
]
HOUSING = [
    ("Cohousing Porto 15", Tenure.RENT),
    ("Abitare solidale Navile", Tenure.UNDIVIDED),
    ("Residenza universitaria diffusa", Tenure.STUDENT),
    ("Casa ponte per lavoratori", Tenure.TEMPORARY),
    ("Condominio solidale in affitto con riscatto", Tenure.RENT_TO_BUY),
]
CATEGORIES = ["cooperative", "public", "finance", "third_sector"]


def _person(email: str, first: str, last: str, org: Organization) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            username=email,
            email=email,
            password=None,
            first_name=first,
            last_name=last,
            role=User.Role.MEMBER,
        )
    Membership.objects.get_or_create(
        user=user, organization=org, defaults={"role": Membership.Role.EDITOR}
    )
    return user


def seed_collaboration(*, tables: int, seed: int) -> int:
    """Create up to ``tables`` working tables (with meetings, proposals and a procedure each)
    and as many housing initiatives. Returns the number of tables created."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    by_category = {
        c: list(
            Organization.objects.filter(is_published=True, legal_form__category=c).order_by("id")[
                :50
            ]
        )
        for c in CATEGORIES
    }
    everyone = list(Organization.objects.filter(is_published=True).order_by("id")[:200])
    municipalities = list(Municipality.objects.order_by("istat_code"))
    actions = list(Action.objects.filter(mission__number=1).order_by("number"))
    if not everyone or not municipalities:
        return 0
    now = timezone.now()
    created = 0
    for n in range(tables):
        slug = f"demo-tavolo-{n}"
        if WorkingTable.objects.filter(slug=slug).exists():
            continue
        with transaction.atomic():
            orgs = [rng.choice(by_category[c] or everyone) for c in CATEGORIES]
            people = [
                _person(f"tavolo{n}-{k}@pes.example", "Persona", f"Tavolo {n}-{k}", org)
                for k, org in enumerate(orgs)
            ]
            action = actions[n % len(actions)] if actions else None
            table = WorkingTable.objects.create(
                title=TOPICS[n % len(TOPICS)]
                + (f" ({n // len(TOPICS) + 1})" if n >= len(TOPICS) else ""),
                slug=slug,
                purpose="Cooperative, amministrazioni, banche e fondazioni definiscono insieme "
                "politiche e strumenti per nuovi modelli di abitare cooperativo e sociale.",
                mission=action.mission if action else None,
                action=action,
                coordinator=people[1],
            )
            members = [
                TableMember.objects.create(
                    table=table,
                    user=person,
                    organization=org,
                    role=TableMember.Role.COORDINATOR if k == 1 else TableMember.Role.MEMBER,
                )
                for k, (person, org) in enumerate(zip(people, orgs, strict=True))
            ]
            for m in range(2):
                starts = now - dt.timedelta(days=60 - 30 * m, hours=rng.randint(0, 5))
                meeting = Meeting.objects.create(
                    table=table,
                    title=f"Riunione {m + 1}",
                    agenda="1. Stato dei lavori\n2. Proposte\n3. Varie",
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(hours=2),
                    place="Palazzo Malvezzi, Bologna",
                    minutes="Verbale sintetico della riunione.",
                )
                Attendance.objects.bulk_create(
                    [
                        Attendance(meeting=meeting, member=x, present=rng.random() > 0.2)
                        for x in members
                    ]
                )
                Decision.objects.create(
                    meeting=meeting, text="Si approva il calendario dei lavori del tavolo."
                )
                ActionItem.objects.create(
                    meeting=meeting,
                    text="Raccogliere i dati sugli alloggi sfitti",
                    owner=people[m % len(people)],
                    due_date=timezone.localdate() + dt.timedelta(days=rng.randint(-10, 20)),
                )
            proposal = Proposal.objects.create(
                table=table,
                kind=Proposal.Kind.INSTRUMENT,
                title="Fondo di garanzia per l'affitto calmierato",
                text="Un fondo che garantisce i proprietari che affittano a canone concordato.",
                cost=Decimal(rng.randint(200, 900) * 1000),
                funders="Fondazione, Città metropolitana",
                author=people[0],
                organization=orgs[0],
            )
            for org in {o.pk: o for o in orgs}.values():
                ProposalSupport.objects.get_or_create(
                    proposal=proposal, organization=org, defaults={"given_by": people[0]}
                )
            if by_category["public"]:
                deadline = timezone.localdate() + dt.timedelta(days=30)
                procedure = Procedure.objects.create(
                    kind=Procedure.Kind.CO_DESIGN,
                    title=f"Co-progettazione servizi per l'abitare {n + 1}",
                    slug=f"demo-coprogettazione-{n}",
                    administration=by_category["public"][n % len(by_category["public"])],
                    action=action,
                    subject="Co-progettazione di servizi di accompagnamento all'abitare.",
                    eligibility="Enti del Terzo settore con sede nella Città metropolitana.",
                    requires_runts=True,
                    deadline=deadline,
                    stage=Procedure.Stage.NOTICE,
                    notice_published_at=now,
                )
                ProcedureStep.objects.create(
                    procedure=procedure,
                    stage=Procedure.Stage.NOTICE,
                    text="Avviso pubblico pubblicato.",
                )
                for org in by_category["third_sector"][:3]:
                    if org.runts_id:
                        ExpressionOfInterest.objects.get_or_create(
                            procedure=procedure,
                            organization=org,
                            defaults={"statement": "Esperienza nell'accompagnamento abitativo."},
                        )
            name, tenure = HOUSING[n % len(HOUSING)]
            market = Decimal(rng.randint(700, 1100))
            units = rng.randint(6, 60)
            housing = HousingInitiative.objects.create(
                name=name + (f" {n // len(HOUSING) + 1}" if n >= len(HOUSING) else ""),
                slug=f"demo-abitare-{n}",
                description="Iniziativa di abitare collaborativo con spazi comuni.",
                lead=orgs[0],
                municipality=rng.choice(municipalities[:20]),
                units=units,
                tenure=tenure,
                monthly_rent=(market * Decimal(rng.randint(55, 85)) / 100).quantize(Decimal("1")),
                market_rent=market,
                households_housed=rng.randint(units // 2, units),
                target_groups=rng.sample(["young", "families", "elderly", "students"], 2),
                shared_services="Sala comune, orto, lavanderia condivisa",
                financing="Mutuo di banca etica, contributo della fondazione",
            )
            housing.partners.set({o.pk for o in orgs[2:]})
            created += 1
    return created
