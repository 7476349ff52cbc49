"""The tests read the English msgids; the Italian catalogue is produced separately. The
cache starts empty in every test. The browser fixtures live in
``pes/conftest.py``."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.fixture
def browser_locale() -> str:
    """The browser asks for English, the language the assertions are written in."""
    return "en-GB"
