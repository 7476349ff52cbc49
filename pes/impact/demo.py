"""Deterministic demo data for impact evaluation: theories of change of organisations'
projects with an SROI analysis and a report each (half of them published), two campaigns of
the Plan's annual method (2024 validated, 2025 open) answered by the organisations, and a
stakeholder survey with its responses. The same seed gives the same data; running it again
adds nothing (the campaigns are the key).

Sizes: ``tiny`` a handful of each, ``metro`` about 200, ``national`` about 2,000. Rows are
written with ``bulk_create`` in batches.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from pes.accounts.models import User
from pes.impact.models import (
    REPORT_PHASES,
    Answer,
    Campaign,
    DataType,
    Indicator,
    Measure,
    Method,
    Outcome,
    Participant,
    Proxy,
    Question,
    Report,
    Response,
    ResponseItem,
    Sroi,
    Subject,
    Survey,
    SurveyToken,
    Theory,
)
from pes.impact.services import method_create, token_digest
from pes.registry.models import Membership, Organization
from pes.territory.models import Municipality

ROWS = {"tiny": 6, "metro": 200, "national": 2000}
BATCH = 1000
METHOD_NAME = "Rilevazione annuale del Piano"
EXTRA_CODES = ["LAV-01", "GOV-01", "GOV-03", "BEN-01"]

PROJECTS = [
    (
        "Orti sociali",
        "Isolamento delle persone anziane\nAree verdi abbandonate",
        "Laboratori di orticoltura settimanali\nMercatino mensile dei prodotti",
        "Meno solitudine tra gli anziani\nPiù cura degli spazi comuni",
    ),
    (
        "Emporio solidale",
        "Povertà alimentare delle famiglie\nSpreco di cibo nei negozi",
        "Raccolta delle eccedenze alimentari\nDistribuzione con tessera a punti",
        "Famiglie con una spesa sufficiente\nMeno cibo sprecato",
    ),
    (
        "Doposcuola di comunità",
        "Abbandono scolastico precoce\nFamiglie senza rete di sostegno",
        "Aiuto compiti tre pomeriggi a settimana\nIncontri con i genitori",
        "Ragazzi promossi\nGenitori più coinvolti nella scuola",
    ),
    (
        "Bottega di inserimento lavorativo",
        "Disoccupazione di persone con fragilità\nMancanza di competenze digitali",
        "Tirocini in bottega\nFormazione sulle competenze di base",
        "Persone occupate dopo il percorso\nPiù autonomia economica",
    ),
    (
        "Teatro di comunità",
        "Solitudine dei giovani adulti\nPoca partecipazione culturale",
        "Laboratorio teatrale aperto\nSpettacoli nei quartieri",
        "Più benessere percepito\nNuove relazioni tra i partecipanti",
    ),
    (
        "Cooperativa di comunità in Appennino",
        "Spopolamento dei borghi\nServizi di prossimità chiusi",
        "Riapertura dell'emporio del paese\nTrasporto sociale a chiamata",
        "Servizi di base disponibili in paese\nGiovani che restano",
    ),
    (
        "Abitare collaborativo",
        "Affitti oltre le possibilità delle famiglie\nSolitudine abitativa",
        "Gestione cooperativa degli alloggi\nSpazi comuni autogestiti",
        "Canoni sostenibili\nVicinato solidale",
    ),
]
STAKEHOLDERS = "Partecipanti\nFamiglie\nVolontari\nComune"
INPUTS = "Contributo del Comune\nOre di volontariato\nSpazi messi a disposizione"
IMPACT = "Una comunità più coesa e inclusiva"
ASSUMPTIONS = "I partecipanti frequentano con continuità\nI partner restano coinvolti"


def _batched(model: Any, rows: list[Any]) -> list[Any]:
    created: list[Any] = []
    for start in range(0, len(rows), BATCH):
        created.extend(model.objects.bulk_create(rows[start : start + BATCH]))
    return created


def _method() -> Method:
    method = Method.objects.filter(name=METHOD_NAME).order_by("-version").first()
    if method is None:
        extra = list(Indicator.objects.filter(code__in=EXTRA_CODES).order_by("code"))
        method = method_create(
            data={
                "name": METHOD_NAME,
                "unit": "organization",
                "description": "Il set comune del Piano con occupazione, governance e benessere.",
            },
            indicators=extra,
        )
    return method


def _answer(rng: random.Random, indicator: Indicator) -> dict[str, Any]:
    kind = indicator.data_type
    if kind == DataType.GENDER_COUNT:
        return {"women": rng.randint(2, 60), "men": rng.randint(2, 50), "other": rng.randint(0, 2)}
    if kind == DataType.BOOLEAN:
        return {"flag": rng.random() < 0.6}
    if kind == DataType.TEXT:
        return {"text": "Più fiducia e nuove relazioni tra i partecipanti."}
    if kind == DataType.PERCENTAGE:
        return {"number": Decimal(rng.randint(40, 98))}
    if kind == DataType.MONEY:
        return {"number": Decimal(rng.randint(5, 400) * 500)}
    if kind == DataType.DECIMAL:
        return {"number": Decimal(rng.randint(20, 3000))}
    return {"number": Decimal(rng.randint(1, 12))}


def _campaign(
    *,
    method: Method,
    year: int,
    status: str,
    org_ids: list[int],
    share: float,
    rng: random.Random,
    user: Any,
) -> tuple[Campaign, int]:
    campaign = Campaign.objects.create(
        method=method, title=METHOD_NAME, year=year, status=Campaign.Status.OPEN, created_by=user
    )
    participants = _batched(
        Participant, [Participant(campaign=campaign, organization_id=o) for o in org_ids]
    )
    items = list(method.items.select_related("indicator"))
    now = timezone.now()
    answers: list[Answer] = []
    submitted: list[Participant] = []
    for n, participant in enumerate(participants):
        if n > 0 and rng.random() > share:
            continue
        for item in items:
            answers.append(
                Answer(
                    participant=participant,
                    indicator=item.indicator,
                    **_answer(rng, item.indicator),
                )
            )
        participant.submitted_at = now
        submitted.append(participant)
    _batched(Answer, answers)
    Participant.objects.bulk_update(submitted, ["submitted_at"], batch_size=BATCH)
    campaign.status = status
    campaign.save(update_fields=["status"])
    return campaign, len(answers)


def _survey(*, campaign: Campaign, count: int, rng: random.Random) -> int:
    survey = Survey.objects.create(
        campaign=campaign,
        title="Questionario ai partecipanti",
        stakeholder="Partecipanti alle attività",
        introduction="Cinque minuti per dirci come sono andate le attività dell'anno.",
    )
    questions = Question.objects.bulk_create(
        [
            Question(
                survey=survey,
                order=1,
                text="Quanto si sente meno solo o sola rispetto a un anno fa?",
                kind="scale",
            ),
            Question(
                survey=survey, order=2, text="Consiglierebbe le attività a un amico?", kind="yes_no"
            ),
            Question(
                survey=survey,
                order=3,
                text="Che cosa è cambiato per lei?",
                kind="text",
                required=False,
            ),
        ]
    )
    expires = timezone.now() + dt.timedelta(days=30)
    responded = max(5, int(count * 0.6))
    used_at = timezone.now()
    tokens = [
        SurveyToken(
            survey=survey,
            token=token_digest(secrets.token_urlsafe(24)),
            expires_at=expires,
            used_at=used_at if n < responded else None,
        )
        for n in range(count)
    ]
    _batched(SurveyToken, tokens)
    responses = _batched(Response, [Response(survey=survey) for _n in range(responded)])
    items: list[ResponseItem] = []
    for response in responses:
        items.append(
            ResponseItem(
                response=response, question=questions[0], score=rng.choice([3, 4, 4, 5, 5, 2])
            )
        )
        items.append(
            ResponseItem(response=response, question=questions[1], flag=rng.random() < 0.8)
        )
    _batched(ResponseItem, items)
    return responded


@transaction.atomic
def seed_impact(*, size: str, seed: int) -> dict[str, int]:
    n = ROWS[size]
    if Campaign.objects.filter(title=METHOD_NAME).exists():
        return {"theories": 0, "reports": 0, "answers": 0, "responses": 0}
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    governance = User.objects.filter(email="governance@pes.example").first()
    member = User.objects.filter(email="member@pes.example").first()
    member_org = (
        Membership.objects.filter(user=member).values_list("organization_id", flat=True).first()
        if member
        else None
    )
    org_ids = list(
        Organization.objects.filter(is_published=True)
        .order_by("id")
        .values_list("id", flat=True)[:n]
    )
    if member_org and member_org not in org_ids:
        org_ids = [member_org, *org_ids[: n - 1]]
    elif member_org:
        org_ids.remove(member_org)
        org_ids.insert(0, member_org)
    municipalities = list(Municipality.objects.order_by("istat_code").values_list("id", flat=True))
    proxies = list(Proxy.objects.filter(organization__isnull=True).order_by("code"))
    core = {
        i.code: i
        for i in Indicator.objects.filter(code__in=["CORE-01", "CORE-03", "CORE-06", "CORE-07"])
    }
    year = timezone.localdate().year - 1

    theories = []
    for i, org_id in enumerate(org_ids):
        name, needs, activities, outcomes = PROJECTS[i % len(PROJECTS)]
        theories.append(
            Theory(
                title=f"{name} {i + 1}",
                subject=Subject.ORGANIZATION,
                organization_id=org_id,
                municipality_id=rng.choice(municipalities) if municipalities else None,
                needs=needs,
                stakeholders=STAKEHOLDERS,
                inputs=INPUTS,
                activities=activities,
                outputs="Partecipanti coinvolti\nIncontri realizzati",
                outcomes=outcomes,
                impact=IMPACT,
                assumptions=ASSUMPTIONS,
                created_by=member if org_id == member_org else governance,
            )
        )
    theories = _batched(Theory, theories)
    srois = _batched(
        Sroi,
        [
            Sroi(
                title=f"SROI — {t.title}",
                theory=t,
                organization_id=t.organization_id,
                investment=Decimal(rng.randint(10, 120) * 1000),
                created_by=t.created_by,
            )
            for t in theories
        ],
    )
    outcome_rows = []
    for i, s in enumerate(srois):
        for k in range(1 + i % 2):
            proxy = proxies[rng.randrange(len(proxies))] if proxies else None
            outcome_rows.append(
                Outcome(
                    sroi=s,
                    order=k + 1,
                    description="Benessere dei partecipanti"
                    if k == 0
                    else "Occupazione dopo il percorso",
                    stakeholder="Partecipanti",
                    quantity=Decimal(rng.randint(3, 60)),
                    proxy=proxy,
                    value_per_unit=proxy.euro_per_unit if proxy else Decimal(500),
                    proxy_source=proxy.source if proxy else "Stima dell'ente",
                    deadweight=Decimal(rng.choice([10, 20, 25, 30])),
                    displacement=Decimal(0),
                    attribution=Decimal(rng.choice([10, 20, 30])),
                    drop_off=Decimal(rng.choice([0, 25, 50])),
                    duration=rng.choice([1, 2, 3]),
                )
            )
    _batched(Outcome, outcome_rows)
    reports = _batched(
        Report,
        [
            Report(
                theory=t,
                title=f"Rapporto di impatto — {t.title}",
                year=year,
                sroi=s,
                small_template=i % 2 == 0,
                is_published=i % 2 == 0,
                created_by=t.created_by,
                **{key: f"{label}: testo del rapporto {t.title}." for key, label in REPORT_PHASES},
            )
            for i, (t, s) in enumerate(zip(theories, srois, strict=True))
        ],
    )
    measures = []
    for r in reports:
        for code, ind in core.items():
            target = Decimal(rng.randint(20, 200))
            value = (target * Decimal(rng.randint(60, 120)) / 100).quantize(Decimal(1))
            if code == "CORE-07":
                target, value = Decimal(80), Decimal(rng.randint(60, 98))
            row = Measure(report=r, indicator=ind, baseline=Decimal(0), target=target, value=value)
            if ind.data_type == DataType.GENDER_COUNT:
                row.women = int(value) // 2
                row.men = int(value) - row.women
                row.other = 0
            measures.append(row)
    _batched(Measure, measures)

    method = _method()
    done, answers_done = _campaign(
        method=method,
        year=year,
        status=Campaign.Status.VALIDATED,
        org_ids=org_ids,
        share=0.85,
        rng=rng,
        user=governance,
    )
    _open, answers_open = _campaign(
        method=method,
        year=year + 1,
        status=Campaign.Status.OPEN,
        org_ids=org_ids,
        share=0.4,
        rng=rng,
        user=governance,
    )
    responses = _survey(campaign=done, count=max(10, n), rng=rng)
    return {
        "theories": len(theories),
        "reports": len(reports),
        "answers": answers_done + answers_open,
        "responses": responses,
    }
