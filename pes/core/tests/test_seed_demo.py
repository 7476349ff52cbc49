from __future__ import annotations

import pytest
from django.core.management import call_command
from stdnum.it import codicefiscale

from pes.accounts.models import User
from pes.plan.models import Initiative
from pes.registry.models import Membership, Organization

pytestmark = pytest.mark.django_db


def _snapshot() -> list[tuple[str, str, str]]:
    return list(
        Organization.objects.order_by("codice_fiscale").values_list(
            "codice_fiscale", "name", "head_office__istat_code"
        )
    )


def test_seed_demo_is_deterministic_and_creates_users_in_every_role(capsys):
    call_command("seed_demo", "--size", "tiny", "--seed", "7")
    first = _snapshot()
    assert len(first) == 200
    assert all(codicefiscale.is_valid(cf) for cf, _n, _m in first)
    assert {u.role for u in User.objects.all()} == set(User.Role.values)
    assert Membership.objects.filter(user__email="member@pes.example").exists()
    out = capsys.readouterr().out
    assert "governance@pes.example" in out and "pes-demo-2025" in out

    Initiative.objects.all().delete()
    Organization.objects.all().delete()
    call_command("seed_demo", "--size", "tiny", "--seed", "7")
    assert _snapshot() == first


def test_seed_demo_if_empty_leaves_existing_data_alone():
    call_command("seed_demo", "--size", "tiny", "--seed", "1")
    call_command("seed_demo", "--size", "tiny", "--seed", "2", "--if-empty")
    assert Organization.objects.count() == 200


def test_different_seeds_give_different_data():
    call_command("seed_demo", "--size", "tiny", "--seed", "1")
    first = _snapshot()
    Initiative.objects.all().delete()
    Organization.objects.all().delete()
    call_command("seed_demo", "--size", "tiny", "--seed", "2")
    assert _snapshot() != first
