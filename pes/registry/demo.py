"""Deterministic, realistic Italian demo organisations (Faker ``it_IT``, valid codici fiscali).

Used by ``seed_demo`` and by the benchmarks; the same seed always gives the same data.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

from faker import Faker
from stdnum import luhn

# Weights roughly follow the mix of the metropolitan social economy.
FORM_WEIGHTS: list[tuple[str, int]] = [
    ("APS", 26),
    ("ODV", 20),
    ("COOP_SOC_A", 8),
    ("COOP_SOC_B", 6),
    ("COOP_SOC_AB", 1),
    ("CONSORZIO_COOP_SOC", 1),
    ("IMPRESA_SOCIALE", 3),
    ("ENTE_FILANTROPICO", 1),
    ("RETE_ASSOCIATIVA", 1),
    ("SMS", 1),
    ("ALTRO_ETS", 5),
    ("COOP", 5),
    ("COOP_COMUNITA", 1),
    ("ASSOCIAZIONE", 8),
    ("FONDAZIONE", 2),
    ("FOB", 1),
    ("BANCA", 1),
    ("IMPRESA", 5),
    ("SOCIETA_BENEFIT", 2),
    ("PA", 1),
    ("UNIVERSITA_SCUOLA", 1),
]
SECTION_OF_FORM = {
    "ODV": "a",
    "APS": "b",
    "ENTE_FILANTROPICO": "c",
    "COOP_SOC_A": "d",
    "COOP_SOC_B": "d",
    "COOP_SOC_AB": "d",
    "CONSORZIO_COOP_SOC": "d",
    "IMPRESA_SOCIALE": "d",
    "RETE_ASSOCIATIVA": "e",
    "SMS": "f",
    "ALTRO_ETS": "g",
}
PREFIX = {
    "APS": ["Associazione di promozione sociale", "APS", "Circolo", "Associazione culturale"],
    "ODV": [
        "Organizzazione di volontariato",
        "ODV",
        "Associazione volontari",
        "Pubblica assistenza",
    ],
    "COOP_SOC_A": ["Cooperativa sociale"],
    "COOP_SOC_B": ["Cooperativa sociale"],
    "COOP_SOC_AB": ["Cooperativa sociale"],
    "CONSORZIO_COOP_SOC": ["Consorzio di cooperative sociali"],
    "IMPRESA_SOCIALE": ["Impresa sociale"],
    "ENTE_FILANTROPICO": ["Ente filantropico", "Fondazione"],
    "RETE_ASSOCIATIVA": ["Rete"],
    "SMS": ["Società di mutuo soccorso"],
    "ALTRO_ETS": ["Ente del Terzo settore", "Comitato"],
    "COOP": ["Cooperativa"],
    "COOP_COMUNITA": ["Cooperativa di comunità"],
    "ASSOCIAZIONE": ["Associazione", "Gruppo"],
    "FONDAZIONE": ["Fondazione"],
    "FOB": ["Fondazione Cassa di Risparmio"],
    "BANCA": ["Banca di credito cooperativo", "Banca"],
    "IMPRESA": ["", ""],
    "SOCIETA_BENEFIT": [""],
    "PA": ["Comune di", "Unione dei Comuni"],
    "UNIVERSITA_SCUOLA": ["Istituto di istruzione superiore", "Istituto comprensivo"],
}
THEMES = [
    "Il Germoglio",
    "La Rondine",
    "Arcobaleno",
    "Il Ponte",
    "La Bottega",
    "Il Mosaico",
    "Terra Nuova",
    "Casa Aperta",
    "Il Quadrifoglio",
    "La Lanterna",
    "Il Faro",
    "Orizzonti",
    "Lo Scrigno",
    "Il Melograno",
    "La Tenda",
    "Mani Tese",
    "Il Seme",
    "La Strada",
    "Passo Passo",
    "Voci di Quartiere",
    "Ponti di Pace",
    "Radici",
    "Il Cortile",
    "La Fenice",
    "Girasole",
    "La Quercia",
    "Il Granaio",
    "Porta Aperta",
    "Sottosopra",
    "Filo d'Arianna",
    "L'Officina",
    "Il Nido",
    "Tre Fiumi",
    "Appennino Vivo",
    "Pianura Solidale",
    "Reno",
    "Savena",
    "Idice",
    "Samoggia",
    "Santerno",
    "Il Crinale",
    "Le Colline",
    "Calicanto",
    "Tra le Righe",
]
DESCRIPTIONS = [
    "Servizi educativi per l'infanzia e sostegno alla genitorialità.",
    "Inserimento lavorativo di persone svantaggiate in attività di manutenzione del verde.",
    "Assistenza domiciliare ad anziani e persone con disabilità.",
    "Laboratori culturali e teatrali per adolescenti e scuole aperte.",
    "Accoglienza e integrazione di persone migranti, corsi di lingua italiana.",
    "Trasporto sociale e accompagnamento a visite mediche.",
    "Gestione di un emporio solidale e recupero delle eccedenze alimentari.",
    "Promozione del turismo lento e dei cammini dell'Appennino bolognese.",
    "Housing sociale e abitare collaborativo per giovani e famiglie.",
    "Attività sportive dilettantistiche e inclusione attraverso lo sport.",
    "Tutela dell'ambiente, educazione ambientale e cura dei beni comuni.",
    "Ricerca e formazione sull'economia sociale e l'imprenditorialità sociale.",
    "Microcredito e finanza di impatto per le imprese sociali del territorio.",
    "Welfare culturale: biblioteche di comunità, musica e benessere.",
]
ACTIVITIES_BY_FORM = {
    "COOP_SOC_A": "acd",
    "COOP_SOC_B": "p",
    "COOP_SOC_AB": "acp",
    "ODV": "aceyvu",
    "APS": "dikt",
    "IMPRESA_SOCIALE": "adpq",
}


@dataclass
class DemoOrganization:
    codice_fiscale: str
    partita_iva: str
    name: str
    legal_form: str
    runts_section: str
    runts_id: str
    head_office: str  # ISTAT code
    served: list[str]
    activities: list[str]
    missions: list[int]
    ateco: list[str]
    address: str
    email: str
    phone: str
    website: str
    description: str
    workers: int | None
    volunteers: int | None
    members: int | None
    year_founded: int
    legal_representative: str


def numeric_cf(serial: int, *, first: str) -> str:
    """An 11-digit codice fiscale for a body: 7-digit serial, office code 037, Luhn check."""
    body = f"{first}{serial % 1_000_000:06d}037"
    return body + luhn.calc_check_digit(body)


def weighted_istat(rng: random.Random, municipalities: list[tuple[str, int]]) -> str:
    codes = [code for code, _pop in municipalities]
    weights = [pop for _code, pop in municipalities]
    return rng.choices(codes, weights=weights, k=1)[0]


def generate(
    count: int, *, seed: int, municipalities: list[tuple[str, int]], start: int = 0
) -> Iterator[DemoOrganization]:
    """Yield ``count`` organisations; ``municipalities`` is ``[(istat_code, population)]``."""
    rng = random.Random(seed)
    fake = Faker("it_IT")
    fake.seed_instance(seed)
    forms = [f for f, _w in FORM_WEIGHTS]
    weights = [w for _f, w in FORM_WEIGHTS]
    ateco_pool = ["88.10.00", "88.91.00", "88.99.09", "87.30.00", "94.99.20", "85.59.20"]
    for index in range(start, start + count):
        form = rng.choices(forms, weights=weights, k=1)[0]
        is_business = form in {
            "COOP",
            "COOP_SOC_A",
            "COOP_SOC_B",
            "COOP_SOC_AB",
            "CONSORZIO_COOP_SOC",
            "IMPRESA_SOCIALE",
            "IMPRESA",
            "SOCIETA_BENEFIT",
            "BANCA",
            "COOP_COMUNITA",
        }
        serial = index + 1
        if is_business:
            cf = numeric_cf(serial, first="0")
            piva = cf
        else:
            cf = numeric_cf(serial, first="9")
            piva = ""
        office = weighted_istat(rng, municipalities)
        prefix = rng.choice(PREFIX[form])
        theme = rng.choice(THEMES)
        if form in {"IMPRESA", "SOCIETA_BENEFIT"}:
            name = f"{fake.last_name()} {rng.choice(['S.r.l.', 'S.p.A.', 'S.n.c.'])}"
            if form == "SOCIETA_BENEFIT":
                name = f"{fake.last_name()} Società benefit S.r.l."
        elif form == "PA":
            name = f"{prefix} {theme}"
        else:
            name = f"{prefix} {theme}".strip()
        if index >= len(THEMES):
            name = f"{name} {fake.last_name()}" if rng.random() < 0.6 else f"{name} {index}"
        section = SECTION_OF_FORM.get(form, "")
        letters = ACTIVITIES_BY_FORM.get(form, "abcdefghijklmnopqrstuvwxyz")
        n_act = rng.randint(1, 3)
        activities = sorted(set(rng.choice(letters) for _ in range(n_act)))
        served = sorted(
            {office} | {weighted_istat(rng, municipalities) for _ in range(rng.randint(0, 3))}
        )
        yield DemoOrganization(
            codice_fiscale=cf,
            partita_iva=piva,
            name=name,
            legal_form=form,
            runts_section=section,
            runts_id=str(100000 + serial) if section else "",
            head_office=office,
            served=served,
            activities=activities if section else [],
            missions=sorted(set(rng.randint(1, 7) for _ in range(rng.randint(1, 3)))),
            ateco=[rng.choice(ateco_pool)] if is_business else [],
            address=f"{fake.street_name()} {rng.randint(1, 200)}",
            email=f"info@{fake.domain_word()}{serial}.it",
            phone=f"051 {rng.randint(100000, 9999999)}",
            website=f"https://www.{fake.domain_word()}{serial}.it" if rng.random() < 0.6 else "",
            description=rng.choice(DESCRIPTIONS),
            workers=rng.randint(0, 250) if is_business else rng.randint(0, 5),
            volunteers=rng.randint(0, 120),
            members=rng.randint(7, 600),
            year_founded=rng.randint(1950, 2025),
            legal_representative=f"{fake.last_name()} {fake.first_name()}",
        )


PES_COLUMNS_FOR_CSV = [
    "codice_fiscale",
    "denominazione",
    "forma_giuridica",
    "comune_sede",
    "partita_iva",
    "sezione_runts",
    "numero_runts",
    "ateco",
    "attivita",
    "comuni_serviti",
    "indirizzo",
    "email",
    "telefono",
    "sito_web",
    "descrizione",
    "missioni",
    "lavoratori",
    "volontari",
    "soci",
    "anno_fondazione",
    "rappresentante_legale",
]


def as_csv_row(org: DemoOrganization) -> list[str]:
    return [
        org.codice_fiscale,
        org.name,
        org.legal_form,
        org.head_office,
        org.partita_iva,
        org.runts_section,
        org.runts_id,
        ",".join(org.ateco),
        ";".join(org.activities),
        ";".join(org.served),
        org.address,
        org.email,
        org.phone,
        org.website,
        org.description,
        ";".join(str(m) for m in org.missions),
        "" if org.workers is None else str(org.workers),
        "" if org.volunteers is None else str(org.volunteers),
        "" if org.members is None else str(org.members),
        str(org.year_founded),
        org.legal_representative,
    ]
