"""OCDS 1.1: releases and records validate with libcoveocds (offline) and merge consistently
with ocdsmerge."""

from __future__ import annotations

import datetime as dt
import json
import socket
from typing import Any

import ocdsmerge
import pytest
from django.test import Client
from django.utils import timezone
from ocdsmerge.rules import get_merge_rules

from pes.procurement import ocds
from pes.procurement.library import load_library
from pes.procurement.models import Tender
from pes.procurement.services import tender_award
from pes.procurement.tests.factories import BuyerFactory, SupplierFactory, make_bid, make_tender
from pes.procurement.tests.ocds_schema import release_schema, validate_release_package

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError("the OCDS tests must not use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture
def tender() -> Tender:
    load_library()  # another app's browser tests may have flushed the migration's data
    buyer = BuyerFactory.create(name="Comune di Vergato")
    tender = make_tender(buyer=buyer)
    tender.lots.create(number=1, title="Scuole primarie", value=60000)
    tender.lots.create(number=2, title="Scuole secondarie", value=40000)
    return tender


@pytest.fixture
def awarded(tender: Tender) -> Tender:
    first = make_bid(tender, SupplierFactory.create(), price="80000", quality=["0.9"])
    make_bid(tender, SupplierFactory.create(), price="85000", quality=["0.6"], gender="0")
    today = timezone.localdate()
    tender_award(tender=tender, bid=first, start=today, end=today + dt.timedelta(days=365))
    tender.refresh_from_db()
    return tender


def assert_valid(package: dict[str, Any], tmp_path) -> dict[str, Any]:
    report = validate_release_package(package, tmp_path)
    assert report["validation_errors"] == [], json.dumps(report["validation_errors"], indent=1)
    assert report["additional_closed_codelist_values"] == {}
    return report


def test_an_open_tender_release_package_validates(tender, tmp_path):
    package = ocds.release_package(ocds.tender_releases(tender=tender))
    assert [r["tag"] for r in package["releases"]] == [["tender"]]
    report = assert_valid(package, tmp_path)
    # The lots and award-criteria extension fields are there, reported as additional fields.
    assert (
        "/releases/tender/lots" in json.dumps(report["all_additional_fields"])
        or report["all_additional_fields"]
    )


def test_tender_award_and_contract_releases_validate(awarded, tmp_path):
    releases = ocds.tender_releases(tender=awarded)
    assert [r["tag"] for r in releases] == [["tender"], ["award"], ["contract"]]
    award = releases[1]
    assert len(award["bids"]["details"]) == 2
    assert award["awards"][0]["value"] == {"amount": 80000.0, "currency": "EUR"}
    assert releases[2]["contracts"][0]["awardID"] == award["awards"][0]["id"]
    lot = releases[0]["tender"]["lots"][0]
    assert lot["awardCriteria"]["criteria"][0] == {
        "type": "price",
        "name": "Price",
        "description": "",
        "numbers": [{"number": 30.0, "weight": "percentageExact"}],
    }
    assert releases[0]["tender"]["hasSustainability"] is True
    assert_valid(ocds.release_package(releases), tmp_path)


def test_the_compiled_release_of_the_record_validates(awarded, tmp_path):
    record = ocds.record(tender=awarded)
    compiled = record["compiledRelease"]
    assert compiled["tender"]["status"] == "complete"  # the award release's value wins
    assert [a["id"] for a in compiled["awards"]] == [f"{awarded.pk}-award"]
    assert len(compiled["contracts"]) == 1
    parties = {p["id"]: p["roles"] for p in compiled["parties"]}
    assert sorted(parties[f"IT-CF-{awarded.buyer.codice_fiscale}"]) == ["buyer", "procuringEntity"]
    assert "supplier" in parties[f"IT-CF-{awarded.contract.supplier.codice_fiscale}"]
    # A compiled release is a release: validate it as one, with a tag of "compiled".
    compiled = {**compiled, "id": f"{awarded.ocid}-compiled", "tag": ["compiled"]}
    package = ocds.release_package([compiled])
    assert_valid(package, tmp_path)


def test_our_merge_rules_are_the_schemas_rules_for_the_fields_we_write():
    schema_rules = get_merge_rules(release_schema())
    for path, rules in ocds.MERGE_RULES.items():
        assert schema_rules.get(path) == rules, path


def test_merging_with_the_schema_gives_the_same_record(awarded):
    releases = ocds.tender_releases(tender=awarded)
    ours = ocds.merger().create_compiled_release(releases)
    theirs = ocdsmerge.Merger(schema=release_schema()).create_compiled_release(releases)
    assert ours == theirs
    versioned = ocdsmerge.Merger(schema=release_schema()).create_versioned_release(releases)
    statuses = [v["value"] for v in versioned["tender"]["status"]]
    assert statuses == ["active", "complete"]


def test_a_bad_release_is_caught_by_the_validator(tender, tmp_path):
    package = ocds.release_package(ocds.tender_releases(tender=tender))
    package["releases"][0]["tender"]["status"] = "bogus"
    package["releases"][0]["tender"]["value"]["amount"] = "a lot"
    report = validate_release_package(package, tmp_path)
    errors = {(e["type"], e["path"]) for e in report["validation_errors"]}
    # Closed codelists are reported apart from the structural errors.
    assert "releases/tender/status" in report["additional_closed_codelist_values"]
    assert ("number", "releases/0/tender/value/amount") in errors, errors
    del package["releases"][0]["date"]
    report = validate_release_package(package, tmp_path)
    assert any(e["type"] == "required" for e in report["validation_errors"])


def test_the_ocds_pages_serve_releases_and_records(awarded):
    client = Client()
    releases = client.get(f"/appalti/gare/{awarded.pk}/ocds/rilasci.json")
    assert releases.status_code == 200
    assert len(releases.json()["releases"]) == 3
    record = client.get(f"/appalti/gare/{awarded.pk}/ocds/record.json").json()
    assert record["records"][0]["ocid"] == awarded.ocid
    api = client.get(f"/api/v1/procurement/tenders/{awarded.pk}/ocds")
    assert api.status_code == 200
    draft = make_tender(buyer=awarded.buyer, publish=False)
    assert client.get(f"/appalti/gare/{draft.pk}/ocds/rilasci.json").status_code == 404
