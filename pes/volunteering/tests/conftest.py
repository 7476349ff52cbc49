"""The browser fixtures live in ``pes/conftest.py``. Transactional tests flush the skills
the data migration loads: ``_restore_skills`` puts them back after a module."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="module")
def _restore_skills(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    yield
    from pes.volunteering.reference import load_skills

    with django_db_blocker.unblock():
        load_skills()
