"""Procurement tests read messages in English (the msgids): the browser fixtures are shared
from ``pes/conftest.py``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def _restore_clause_library(django_db_setup: object, django_db_blocker: object) -> Iterator[None]:
    """The browser tests are transactional: the database is flushed after each of them, so
    put the clause library and proxies of the data migration back for the tests after."""
    yield
    from pes.procurement.library import load_library

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        load_library()
