from __future__ import annotations

import pytest
from django.core.management import call_command
from stdnum.it import codicefiscale

from pes.accounts.models import User
from pes.plan.models import Initiative
from pes.registry.demo import generate
from pes.registry.models import Membership, Organization
from pes.territory.models import Municipality
from pes.volunteering.models import Volunteer

pytestmark = pytest.mark.django_db


def _municipalities() -> list[tuple[str, int]]:
    return list(Municipality.objects.values_list("istat_code", "population"))


def test_seed_demo_fills_every_module_and_creates_users_in_every_role(capsys):
    call_command("seed_demo", "--size", "tiny", "--seed", "7")
    organizations = list(Organization.objects.values_list("codice_fiscale", "name"))
    assert len(organizations) == 200
    assert all(codicefiscale.is_valid(cf) for cf, _name in organizations)
    assert Initiative.objects.count() == 20
    assert Volunteer.objects.exists()
    assert {u.role for u in User.objects.all()} == set(User.Role.values)
    assert Membership.objects.filter(user__email="member@pes.example").exists()
    out = capsys.readouterr().out
    assert "governance@pes.example" in out and "pes-demo-2025" in out
    expected = {
        (o.codice_fiscale, o.name) for o in generate(200, seed=7, municipalities=_municipalities())
    }
    assert set(organizations) == expected


def test_the_generator_is_deterministic_for_a_seed_and_varies_across_seeds():
    municipalities = _municipalities()
    first = [o.name for o in generate(50, seed=3, municipalities=municipalities)]
    again = [o.name for o in generate(50, seed=3, municipalities=municipalities)]
    other = [o.name for o in generate(50, seed=4, municipalities=municipalities)]
    assert first == again
    assert first != other


def test_seed_demo_if_empty_leaves_existing_data_alone():
    call_command("seed_demo", "--size", "tiny", "--seed", "1")
    call_command("seed_demo", "--size", "tiny", "--seed", "2", "--if-empty")
    assert Organization.objects.count() == 200
    assert Initiative.objects.count() == 20
