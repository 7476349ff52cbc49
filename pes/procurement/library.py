"""Reference data the data migration loads: the clause library (Italian labels, as buyers
write them in tender documents) and the social-value proxy table.

``load_library(apps)`` is idempotent (update by code / metric), so the migration and the
browser tests' reference-data fixture can both call it.
"""

from __future__ import annotations

from typing import Any

REWARD_CLAUSES: list[dict[str, Any]] = [
    {
        "code": "riassorbimento-personale",
        "label": "Riassorbimento del personale uscente",
        "description": "Numero di addetti del precedente affidatario che l'offerente si "
        "impegna a riassorbire, alle condizioni economiche e normative in essere.",
        "rule": "proportional",
        "metric": "reabsorbed",
        "legal_reference": "art. 57 c.1 e art. 108 c.4 D.Lgs. 36/2023",
    },
    {
        "code": "quota-tempo-indeterminato",
        "label": "Quota di contratti a tempo indeterminato",
        "description": "Percentuale del personale impiegato nell'appalto assunto a tempo "
        "indeterminato: 50% metà punteggio, 70% quattro quinti, 90% punteggio pieno.",
        "rule": "thresholds",
        "thresholds": [[50, 0.5], [70, 0.8], [90, 1]],
        "metric": "permanent_share",
        "legal_reference": "art. 108 c.4 D.Lgs. 36/2023 (stabilità occupazionale)",
    },
    {
        "code": "ccnl-territoriale",
        "label": "Applicazione del CCNL nazionale e dell'accordo territoriale",
        "description": "Applicazione del contratto collettivo nazionale e dei contratti "
        "territoriali stipulati dalle organizzazioni comparativamente più rappresentative.",
        "rule": "yes_no",
        "legal_reference": "art. 11 e art. 108 c.4 D.Lgs. 36/2023",
    },
    {
        "code": "assunzione-svantaggiati",
        "label": "Assunzione di persone svantaggiate o con disabilità",
        "description": "Numero di persone svantaggiate (art. 4 L. 381/1991) o con disabilità "
        "(L. 68/1999) che l'offerente si impegna ad assumere per l'esecuzione.",
        "rule": "proportional",
        "metric": "disadvantaged",
        "legal_reference": "art. 108 c.4 e art. 57 D.Lgs. 36/2023",
    },
    {
        "code": "certificazione-parita-genere",
        "label": "Certificazione della parità di genere (UNI/PdR 125:2022)",
        "description": "Possesso della certificazione della parità di genere di cui "
        "all'art. 46-bis D.Lgs. 198/2006.",
        "rule": "yes_no",
        "is_gender_equality": True,
        "legal_reference": "art. 108 c.7 D.Lgs. 36/2023",
    },
    {
        "code": "ore-formazione",
        "label": "Ore di formazione per il personale impiegato",
        "description": "Ore annue di formazione professionale e sulla sicurezza offerte al "
        "personale impiegato nell'appalto.",
        "rule": "proportional",
        "metric": "training_hours",
        "legal_reference": "art. 108 c.4 D.Lgs. 36/2023",
    },
    {
        "code": "subappalto-economia-sociale",
        "label": "Subappalto a imprese locali e dell'economia sociale",
        "description": "Quota del valore affidata a imprese sociali, cooperative sociali e "
        "micro e piccole imprese del territorio metropolitano: 10% metà punteggio, 20% pieno.",
        "rule": "thresholds",
        "thresholds": [[10, 0.5], [20, 1]],
        "metric": "local_subcontracting",
        "legal_reference": "art. 119 e art. 108 c.4 D.Lgs. 36/2023",
    },
    {
        "code": "conciliazione-welfare",
        "label": "Misure di conciliazione vita-lavoro e welfare aziendale",
        "description": "Piano di welfare aziendale e misure di conciliazione per il "
        "personale impiegato nell'appalto.",
        "rule": "yes_no",
        "legal_reference": "art. 108 c.4 D.Lgs. 36/2023",
    },
    {
        "code": "rating-legalita",
        "label": "Rating di legalità",
        "description": "Possesso del rating di legalità rilasciato dall'AGCM.",
        "rule": "yes_no",
        "legal_reference": "art. 108 c.4 D.Lgs. 36/2023",
    },
]

MANDATORY_CLAUSES: list[dict[str, Any]] = [
    {
        "code": "obbligo-clausola-sociale",
        "label": "Clausola sociale di stabilità occupazionale",
        "description": "Requisito di ammissione: impegno a garantire la stabilità "
        "occupazionale del personale impiegato (Allegato II.3).",
        "legal_reference": "art. 57 c.1 D.Lgs. 36/2023",
    },
    {
        "code": "obbligo-ccnl",
        "label": "Applicazione del contratto collettivo indicato dalla stazione appaltante",
        "description": "Requisito di ammissione: applicazione del CCNL indicato nel bando "
        "o di uno che garantisca le stesse tutele.",
        "legal_reference": "art. 11 D.Lgs. 36/2023",
    },
    {
        "code": "obbligo-pari-opportunita",
        "label": "Pari opportunità: assunzioni di giovani e donne",
        "description": "Requisito di ammissione: riservare a giovani under 36 e a donne una "
        "quota delle assunzioni necessarie all'esecuzione (almeno il 30%).",
        "legal_reference": "art. 57 c.1 D.Lgs. 36/2023; art. 47 D.L. 77/2021",
    },
]

PROXIES: list[dict[str, Any]] = [
    {
        "metric": "disadvantaged",
        "euro_per_unit": "10000.00",
        "unit": "persona assunta",
        "source": "Risparmio di spesa pubblica per persona svantaggiata inserita al lavoro "
        "(sussidi e servizi evitati), ordine di grandezza delle stime sulle cooperative "
        "sociali di tipo B: da verificare con l'ufficio del Piano.",
        "source_uncertain": True,
    },
    {
        "metric": "reabsorbed",
        "euro_per_unit": "12000.00",
        "unit": "addetto riassorbito",
        "source": "NASpI evitata per un anno a un lavoratore con retribuzione media del "
        "settore servizi (stima INPS, ordine di grandezza): da verificare.",
        "source_uncertain": True,
    },
    {
        "metric": "training_hours",
        "euro_per_unit": "25.00",
        "unit": "ora di formazione",
        "source": "Costo orario di una formazione professionale equivalente (unità di "
        "costo standard della formazione finanziata dal FSE+, ordine di grandezza): "
        "da verificare sull'avviso regionale vigente.",
        "source_uncertain": True,
    },
]


def load_library(apps: Any = None) -> None:
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Clause = apps.get_model("procurement", "Clause")
    Proxy = apps.get_model("procurement", "SocialValueProxy")
    for order, spec in enumerate(REWARD_CLAUSES, start=1):
        data = {**spec, "kind": "reward", "order": order}
        code = data.pop("code")
        Clause.objects.update_or_create(code=code, defaults=data)
    for order, spec in enumerate(MANDATORY_CLAUSES, start=1):
        data = {**spec, "kind": "mandatory", "rule": "yes_no", "order": order}
        code = data.pop("code")
        Clause.objects.update_or_create(code=code, defaults=data)
    for spec in PROXIES:
        data = dict(spec)
        metric = data.pop("metric")
        Proxy.objects.update_or_create(metric=metric, defaults=data)
