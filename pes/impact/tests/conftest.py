"""The browser fixtures live in ``pes/conftest.py``."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    """The tests read the English msgids; the Italian catalogue is produced separately."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(scope="module")
def _restore_impact_library(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """The browser tests flush the database: put the curated library back for the tests after
    them (``reference_data`` in ``pes/conftest.py`` restores the other apps' data)."""
    yield
    from pes.impact.library import load_library

    with django_db_blocker.unblock():
        load_library()


@pytest.fixture
def impact_library(reference_data: None) -> None:
    from pes.impact.library import load_library

    load_library()


@pytest.fixture(scope="module", autouse=True)
def _impact_library_present(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Browser tests of other apps flush the database and put back only their own reference
    data: load the curated library again before each module of these tests if it is gone."""
    from pes.impact.library import indicator_rows, load_library
    from pes.impact.models import Indicator

    with django_db_blocker.unblock():
        if Indicator.objects.filter(organization__isnull=True).count() < len(indicator_rows()):
            load_library()


@pytest.fixture
def browser_locale() -> str:
    """The browser asks for English, the language the assertions are written in."""
    return "en-GB"
