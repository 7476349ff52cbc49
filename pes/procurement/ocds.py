"""OCDS 1.1 output: a release for each tender, award and contract, and the compiled record.

Fields follow the core schema plus, where they fit, the community extensions named in
``EXTENSIONS`` (lots, bids, award criteria, sustainability). Nothing is fetched: ``ocdsmerge``
merges with ``MERGE_RULES``, the merge rules of the OCDS 1.1 release schema for the fields
this module writes (a test checks them against the schema's own rules).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import ocdsmerge
from django.utils import timezone

from pes.procurement.models import Bid, Contract, Criterion, Procedure, Tender
from pes.procurement.scoring import plain

VERSION = "1.1"
PUBLISHER = {"name": "Città metropolitana di Bologna — PES"}
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
EXTENSIONS = [
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_awardCriteria_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_sustainability_extension/master/extension.json",
]

#: ocdsmerge rules of the OCDS 1.1 release schema for the fields written here: the release's
#: ``id``, ``date`` and ``tag`` are left out of the compiled release, arrays of strings are
#: replaced whole (the other arrays are merged by the ``id`` of their items).
MERGE_RULES: dict[tuple[str, ...], str] = {
    ("id",): "omitWhenMerged",
    ("date",): "omitWhenMerged",
    ("tag",): "omitWhenMerged",
    ("parties", "roles"): "wholeListMerge",
    ("tender", "submissionMethod"): "wholeListMerge",
    ("tender", "additionalProcurementCategories"): "wholeListMerge",
}

PROCUREMENT_METHOD = {
    Procedure.OPEN: "open",
    Procedure.NEGOTIATED: "limited",
    Procedure.RESERVED: "selective",
    Procedure.CODESIGN: "direct",
    Procedure.AGREEMENT: "direct",
}
CRITERION_TYPE = {
    Criterion.Kind.PRICE: "price",
    Criterion.Kind.QUALITY: "quality",
    Criterion.Kind.QUANTITATIVE: "quality",
    Criterion.Kind.CLAUSE: "quality",
}


def _stamp(value: dt.datetime | None) -> str:
    value = value or timezone.now()
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def _money(amount: Decimal | None) -> dict[str, Any]:
    return {"amount": float(amount or 0), "currency": "EUR"}


def _org_id(org: Any) -> str:
    return f"IT-CF-{org.codice_fiscale}"


def _party(org: Any, roles: list[str]) -> dict[str, Any]:
    party: dict[str, Any] = {
        "id": _org_id(org),
        "name": org.name,
        "identifier": {"scheme": "IT-CF", "id": org.codice_fiscale, "legalName": org.name},
        "roles": roles,
    }
    return party


def _ref(org: Any) -> dict[str, str]:
    return {"id": _org_id(org), "name": org.name}


def _award_criteria(tender: Tender, criteria: list[Criterion]) -> dict[str, Any]:
    return {
        "criteria": [
            {
                "type": CRITERION_TYPE[Criterion.Kind(c.kind)],
                "name": c.label,
                "description": c.clause.description if c.clause else "",
                "numbers": [{"number": float(c.weight), "weight": "percentageExact"}],
            }
            for c in criteria
        ]
    }


def _tender_section(tender: Tender, status: str) -> dict[str, Any]:
    criteria = list(tender.criteria.select_related("clause").order_by("order", "id"))
    lots = list(tender.lots.all())
    price = sum((c.weight for c in criteria if c.kind == Criterion.Kind.PRICE), Decimal(0))
    if not tender.scores_price:
        award_criteria = "qualityOnly"
    elif price >= 100:
        award_criteria = "priceOnly"
    else:
        award_criteria = "ratedCriteria"
    has_rewards = any(c.kind == Criterion.Kind.CLAUSE for c in criteria)
    section: dict[str, Any] = {
        "id": tender.cig or str(tender.pk),
        "title": tender.title,
        "description": tender.description or tender.title,
        "status": status,
        "value": _money(tender.estimated_value),
        "procurementMethod": PROCUREMENT_METHOD[Procedure(tender.procedure)],
        "procurementMethodDetails": str(Procedure(tender.procedure).label),
        "mainProcurementCategory": "services",
        "awardCriteria": award_criteria,
        "tenderPeriod": {
            "startDate": _stamp(tender.published_at),
            "endDate": _stamp(tender.bid_deadline),
        },
        "procuringEntity": _ref(tender.buyer),
        "hasSustainability": has_rewards or tender.mandatory_clauses.exists(),
    }
    if has_rewards:
        section["sustainability"] = [
            {
                "goal": "social",
                "strategies": ["awardCriteria", "contractPerformanceConditions"],
            }
        ]
    lot_rows = [(str(lot.number), lot.title, lot.value) for lot in lots] or [
        ("1", tender.title, tender.estimated_value)
    ]
    section["lots"] = [
        {
            "id": lot_id,
            "title": title,
            "status": status,
            "value": _money(value),
            "awardCriteria": _award_criteria(tender, criteria),
        }
        for lot_id, title, value in lot_rows
    ]
    return section


def _base(tender: Tender, tag: str, date: dt.datetime | None) -> dict[str, Any]:
    ocid = tender.ocid
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-{tag}",
        "date": _stamp(date),
        "tag": [tag],
        "initiationType": "tender",
        "language": "it",
        "buyer": _ref(tender.buyer),
        "parties": [_party(tender.buyer, ["buyer", "procuringEntity"])],
    }
    if tender.cup:
        release["planning"] = {"budget": {"id": tender.cup, "description": f"CUP {tender.cup}"}}
    return release


def _bids(tender: Tender) -> list[Bid]:
    return list(tender.bids.select_related("supplier").order_by("submitted_at", "id"))


def tender_releases(*, tender: Tender) -> list[dict[str, Any]]:
    """The releases of a published tender: tender; award (once awarded); contract."""
    releases = []
    open_status = "active" if tender.state == Tender.State.OPEN else "complete"
    first = _base(tender, "tender", tender.published_at)
    first["tender"] = _tender_section(tender, "active")
    if tender.state == Tender.State.CANCELLED:
        first["tender"]["status"] = "cancelled"
    releases.append(first)
    contract = Contract.objects.filter(tender=tender).select_related("supplier", "bid").first()
    if contract is None:
        return releases
    bids = _bids(tender)
    award = _base(tender, "award", tender.awarded_at)
    award["parties"] += [
        _party(b.supplier, ["tenderer", "supplier"] if b.pk == contract.bid_id else ["tenderer"])
        for b in bids
    ]
    award["tender"] = _tender_section(tender, open_status)
    award["tender"]["tenderers"] = [_ref(b.supplier) for b in bids]
    award["tender"]["numberOfTenderers"] = len(bids)
    award["bids"] = {
        "details": [
            {
                "id": str(b.pk),
                "date": _stamp(b.submitted_at),
                "status": "disqualified" if b.excluded else "valid",
                "tenderers": [_ref(b.supplier)],
                **({"value": _money(b.price)} if b.price is not None else {}),
            }
            for b in bids
        ]
    }
    award_id = f"{tender.pk}-award"
    award["awards"] = [
        {
            "id": award_id,
            "title": tender.title,
            "status": "active",
            "date": _stamp(tender.awarded_at),
            "value": _money(contract.value),
            "suppliers": [_ref(contract.supplier)],
        }
    ]
    releases.append(award)
    release = _base(tender, "contract", contract.created_at)
    release["parties"].append(_party(contract.supplier, ["supplier"]))
    commitments = list(contract.commitments.all())
    release["contracts"] = [
        {
            "id": str(contract.pk),
            "awardID": award_id,
            "title": tender.title,
            "status": "active" if contract.state == Contract.State.ACTIVE else "terminated",
            "period": {
                "startDate": _stamp(dt.datetime.combine(contract.start, dt.time(0), dt.UTC)),
                "endDate": _stamp(dt.datetime.combine(contract.end, dt.time(0), dt.UTC)),
            },
            "value": _money(contract.value),
            "description": "; ".join(
                f"{c.get_metric_display()} ≥ {plain(c.target)}" for c in commitments
            ),
        }
    ]
    releases.append(release)
    return releases


def release_package(releases: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "uri": f"urn:pes:ocds:{releases[0]['ocid']}" if releases else "urn:pes:ocds",
        "version": VERSION,
        "extensions": EXTENSIONS,
        "publishedDate": max((r["date"] for r in releases), default=_stamp(None)),
        "publisher": PUBLISHER,
        "license": LICENSE,
        "releases": releases,
    }


def merger() -> ocdsmerge.Merger:
    return ocdsmerge.Merger(merge_rules=MERGE_RULES)


def record(*, tender: Tender) -> dict[str, Any]:
    releases = tender_releases(tender=tender)
    m = merger()
    compiled = m.create_compiled_release(releases)
    return {
        "ocid": tender.ocid,
        "releases": [
            {"url": f"urn:pes:ocds:{tender.ocid}#{r['id']}", "date": r["date"], "tag": r["tag"]}
            for r in releases
        ],
        "compiledRelease": compiled,
    }


def record_package(*, tender: Tender) -> dict[str, Any]:
    rec = record(tender=tender)
    return {
        "uri": f"urn:pes:ocds:{tender.ocid}:record",
        "version": VERSION,
        "extensions": EXTENSIONS,
        "publishedDate": max(r["date"] for r in rec["releases"]),
        "publisher": PUBLISHER,
        "license": LICENSE,
        "records": [rec],
    }
