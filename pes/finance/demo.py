"""Deterministic demo data for finance (Faker ``it_IT``): programmes of each kind of funder,
open and closed calls linked to Mission 7 actions, financial products, a few social impact
investing cases, wallet documents and applications with decisions, so that the dashboard has
figures. The same seed gives the same data; running it again adds nothing (records are keyed
by slug).

The case library's demo entries summarise public, well-documented bonds (Peterborough,
Rikers Island, Utah) in round figures; the Italian entry is illustrative and labelled so.
"""

# ruff: noqa: E501 - the demo records read best one per line
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from faker import Faker

from pes.finance.models import (
    Application,
    Call,
    DocumentKind,
    FinancialProduct,
    ImpactCase,
    Instrument,
    Programme,
    ProviderKind,
    Source,
    Stage,
    WalletDocument,
)
from pes.finance.selectors import prefilled_count, profile_of
from pes.plan.models import Action
from pes.registry.models import LegalForm, Organization

PROGRAMMES = [
    (
        "FSE+ Emilia-Romagna: inclusione e innovazione sociale",
        Source.REGIONAL,
        "Regione Emilia-Romagna",
    ),
    (
        "Fondo per l'economia sociale metropolitana",
        Source.METROPOLITAN,
        "Città metropolitana di Bologna",
    ),
    ("Bando welfare di comunità", Source.FOUNDATION, "Fondazione bancaria del territorio"),
    ("Italia Economia Sociale", Source.NATIONAL, "Ministero delle Imprese e del Made in Italy"),
    ("InvestEU — finestra investimenti sociali", Source.EU, "Fondo europeo per gli investimenti"),
    ("Credito per l'impresa sociale", Source.BANK, "Banca di credito cooperativo"),
    ("Bilancio partecipativo e patti di collaborazione", Source.MUNICIPAL, "Comune di Bologna"),
]
INSTRUMENTS = [Instrument.GRANT, Instrument.GRANT, Instrument.LOAN, Instrument.GUARANTEE]
TOPICS = [
    "Avvio di cooperative di comunità",
    "Inserimento lavorativo di persone fragili",
    "Abitare collaborativo",
    "Servizi per adolescenti e famiglie",
    "Turismo lento e mobilità dolce",
    "Welfare culturale",
    "Transizione digitale degli enti del Terzo settore",
    "Capitalizzazione delle imprese sociali",
]
PRODUCTS = [
    (
        "Microcredito per l'impresa sociale",
        Instrument.LOAN,
        ProviderKind.BANK,
        [Stage.IDEA, Stage.STARTUP],
        5000,
        40000,
        "3.50",
        60,
    ),
    (
        "Garanzia su finanziamenti al Terzo settore",
        Instrument.GUARANTEE,
        ProviderKind.PUBLIC,
        [],
        10000,
        1500000,
        "0.50",
        84,
    ),
    (
        "Prestito partecipativo per la crescita",
        Instrument.PARTICIPATIVE_LOAN,
        ProviderKind.FUND,
        [Stage.GROWTH],
        50000,
        500000,
        "4.00",
        96,
    ),
    (
        "Debito subordinato per cooperative",
        Instrument.SUBORDINATED_DEBT,
        ProviderKind.BANK,
        [Stage.GROWTH, Stage.CONSOLIDATION],
        100000,
        1000000,
        "5.00",
        120,
    ),
    (
        "Equity per imprese sociali",
        Instrument.EQUITY,
        ProviderKind.FUND,
        [Stage.STARTUP, Stage.GROWTH],
        100000,
        2000000,
        None,
        None,
    ),
    (
        "Contributi a fondo perduto per l'avvio",
        Instrument.GRANT,
        ProviderKind.FOUNDATION,
        [Stage.IDEA, Stage.STARTUP],
        5000,
        50000,
        None,
        None,
    ),
    (
        "Contratto a risultato per l'inserimento lavorativo",
        Instrument.OUTCOME_CONTRACT,
        ProviderKind.PUBLIC,
        [Stage.CONSOLIDATION],
        200000,
        2000000,
        None,
        48,
    ),
    (
        "Social impact bond metropolitano (studio)",
        Instrument.SOCIAL_IMPACT_BOND,
        ProviderKind.PUBLIC,
        [Stage.CONSOLIDATION],
        500000,
        5000000,
        None,
        60,
    ),
]
CASES = [
    {
        "title": "Peterborough: recidiva dopo pene brevi",
        "country": "Regno Unito",
        "territory": "Peterborough",
        "sector": "Giustizia",
        "year_launched": 2010,
        "outcome_metrics": "Riduzione delle nuove condanne di chi esce da pene detentive brevi, rispetto a un gruppo di confronto nazionale.",
        "outcome_payer": "Ministry of Justice e Big Lottery Fund",
        "investors": "Circa 17 investitori, in prevalenza fondazioni, tramite Social Finance",
        "capital": Decimal("5700000"),
        "maturity_years": Decimal("7"),
        "max_return_pct": Decimal("13"),
        "results": "Riduzione del 9% circa rispetto al gruppo di confronto; investitori rimborsati con un rendimento modesto.",
        "source_url": "https://www.gov.uk/government/publications/final-process-evaluation-of-the-peterborough-pilot-social-impact-bond",
    },
    {
        "title": "Rikers Island: giovani detenuti a New York",
        "country": "Stati Uniti",
        "territory": "New York",
        "sector": "Giustizia",
        "year_launched": 2012,
        "outcome_metrics": "Riduzione dei giorni di nuova detenzione dei giovani tra 16 e 18 anni.",
        "outcome_payer": "City of New York",
        "investors": "Goldman Sachs, con garanzia di Bloomberg Philanthropies",
        "capital": Decimal("8800000"),
        "maturity_years": Decimal("4"),
        "max_return_pct": None,
        "results": "Obiettivo non raggiunto; programma chiuso in anticipo, perdita coperta in gran parte dalla garanzia.",
        "source_url": "https://www.vera.org/publications/impact-evaluation-of-the-adolescent-behavioral-learning-experience-able-program-at-rikers-island",
    },
    {
        "title": "Utah: scuola dell'infanzia di qualità",
        "country": "Stati Uniti",
        "territory": "Utah",
        "sector": "Istruzione",
        "year_launched": 2013,
        "outcome_metrics": "Bambini a rischio che non hanno bisogno di educazione speciale nella scuola primaria.",
        "outcome_payer": "United Way of Salt Lake e Stato dello Utah",
        "investors": "Goldman Sachs e J.B. Pritzker",
        "capital": Decimal("6300000"),
        "maturity_years": Decimal("12"),
        "max_return_pct": None,
        "results": "Pagamenti effettuati per le prime coorti; la misura del risultato è stata discussa.",
        "source_url": "",
    },
    {
        "title": "Esempio illustrativo: inserimento lavorativo nell'area metropolitana",
        "country": "Italia",
        "territory": "Città metropolitana di Bologna",
        "sector": "Lavoro",
        "year_launched": 2026,
        "outcome_metrics": "Persone fragili con un contratto di almeno 6 mesi, mantenuto a 12 mesi.",
        "outcome_payer": "Ente pubblico (ipotesi)",
        "investors": "Fondazioni e banche del territorio (ipotesi)",
        "capital": Decimal("1000000"),
        "maturity_years": Decimal("4"),
        "max_return_pct": Decimal("5"),
        "results": "Caso illustrativo per lo studio di fattibilità della Missione 7: non è un'operazione reale.",
        "source_url": "",
    },
]


def _pdf(text: str) -> ContentFile:
    body = f"%PDF-1.4\n% demo document: {text}\n%%EOF\n".encode()
    return ContentFile(body, name=f"{text[:40].replace(' ', '-').lower()}.pdf")


def seed_finance(*, calls: int, seed: int) -> int:
    """Create programmes, up to ``calls`` calls (about a quarter of them closed, with decided
    applications), products, cases and wallet documents. Returns the number of calls created."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    fake = Faker("it_IT")
    fake.seed_instance(seed)
    now = timezone.now()
    today = timezone.localdate()
    orgs = list(
        Organization.objects.filter(is_published=True)
        .select_related("legal_form", "head_office")
        .order_by("id")[:300]
    )
    actions = list(Action.objects.filter(mission__number__in=[4, 7]).order_by("id"))
    legal_forms = list(LegalForm.objects.order_by("order", "id"))

    with transaction.atomic():
        for i, (name, kind, provider, stages, low, high, rate, term) in enumerate(PRODUCTS):
            FinancialProduct.objects.get_or_create(
                slug=f"demo-prodotto-{i}",
                defaults={
                    "name": name,
                    "kind": kind,
                    "provider_kind": provider,
                    "provider_name": fake.company(),
                    "stages": [str(s) for s in stages],
                    "description": fake.paragraph(nb_sentences=2),
                    "min_amount": Decimal(low),
                    "max_amount": Decimal(high),
                    "rate_pct": Decimal(rate) if rate else None,
                    "term_months": term,
                },
            )
        for n, data in enumerate(CASES):
            ImpactCase.objects.get_or_create(slug=f"demo-caso-{n}", defaults=data)
        programmes = []
        for n, (title, source, funder) in enumerate(PROGRAMMES):
            programme, made = Programme.objects.get_or_create(
                slug=f"demo-programma-{n}",
                defaults={
                    "title": title,
                    "source": source,
                    "funder_name": funder,
                    "description": fake.paragraph(nb_sentences=3),
                    "budget": Decimal(rng.choice([2, 5, 10, 20])) * Decimal(1_000_000),
                },
            )
            if made and actions:
                programme.actions.set(rng.sample(actions, k=min(2, len(actions))))
            programmes.append(programme)

    created = 0
    for n in range(calls):
        slug = f"demo-bando-{n}"
        if Call.objects.filter(slug=slug).exists():
            continue
        programme = programmes[n % len(programmes)]
        closed = n % 4 == 3
        deadline = now + dt.timedelta(days=rng.randint(3, 90))
        if closed:
            deadline = now - dt.timedelta(days=rng.randint(30, 300))
        ceiling = Decimal(rng.choice([20, 50, 100, 250])) * Decimal(1000)
        with transaction.atomic():
            call = Call.objects.create(
                programme=programme,
                title=f"{TOPICS[n % len(TOPICS)]} — {programme.funder_name} {2025 + n // len(TOPICS)}",
                slug=slug,
                description=fake.paragraph(nb_sentences=5),
                instrument=INSTRUMENTS[n % len(INSTRUMENTS)],
                opens_on=timezone.localtime(deadline).date() - dt.timedelta(days=60),
                deadline=deadline,
                budget=ceiling * rng.randint(5, 20),
                min_amount=ceiling / 10,
                max_amount=ceiling,
                co_financing_pct=Decimal(rng.choice([0, 10, 20, 30])),
                stages=[] if rng.random() < 0.6 else [str(Stage.STARTUP), str(Stage.GROWTH)],
                required_documents=rng.choice(
                    [[], [DocumentKind.STATUTE], [DocumentKind.STATUTE, DocumentKind.DURC]]
                ),
            )
            if legal_forms and rng.random() < 0.4:
                call.legal_forms.set(rng.sample(legal_forms, k=min(4, len(legal_forms))))
            if actions:
                call.actions.set(rng.sample(actions, k=1))
        created += 1
        if closed and orgs:
            for org in rng.sample(orgs, k=min(len(orgs), rng.randint(3, 8))):
                _past_application(call=call, org=org, rng=rng, fake=fake)

    for org in orgs[:20]:
        if WalletDocument.objects.filter(organization=org).exists():
            continue
        WalletDocument.objects.create(
            organization=org,
            kind=DocumentKind.STATUTE,
            title=f"Statuto {org.name}"[:200],
            file=_pdf(f"statuto {org.pk}"),
            issued_on=today - dt.timedelta(days=rng.randint(400, 4000)),
        )
        WalletDocument.objects.create(
            organization=org,
            kind=DocumentKind.DURC,
            title="DURC",
            file=_pdf(f"durc {org.pk}"),
            issued_on=today - dt.timedelta(days=rng.randint(10, 100)),
            expires_on=today + dt.timedelta(days=rng.randint(5, 110)),
        )
    return created


def _past_application(*, call: Call, org: Organization, rng: random.Random, fake: Faker) -> None:
    """A decided application to a closed call (history for the dashboard)."""
    if Application.objects.filter(call=call, organization=org).exists():
        return
    profile = profile_of(org)
    filled, total = prefilled_count(profile)
    submitted = call.deadline - dt.timedelta(days=rng.randint(1, 40))
    decided = submitted + dt.timedelta(days=rng.randint(20, 120))
    approve = rng.random() < 0.55
    requested = (call.max_amount * Decimal(rng.randint(50, 100)) / 100).quantize(Decimal("1"))
    Application.objects.create(
        call=call,
        organization=org,
        status=Application.Status.APPROVED if approve else Application.Status.REJECTED,
        project_title=fake.catch_phrase()[:255],
        summary=fake.paragraph(nb_sentences=3),
        amount_requested=requested,
        amount_granted=(requested * Decimal("0.9")).quantize(Decimal("1")) if approve else None,
        review_note="" if approve else "Punteggio sotto la soglia di finanziamento.",
        profile=profile,
        prefilled_fields=filled,
        total_fields=total,
        submitted_at=submitted,
        decided_at=decided,
    )
