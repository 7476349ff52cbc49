"""The browser fixtures live in ``pes/conftest.py``."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    """The tests read the English msgids; the Italian catalogue is produced separately."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def browser_locale() -> str:
    """The browser asks for English, the language the assertions are written in."""
    return "en-GB"
