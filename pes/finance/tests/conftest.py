"""Wallet documents are files: every test of the module writes them to a temporary
``MEDIA_ROOT``. The browser fixtures live in ``pes/conftest.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    """The tests read the English msgids; the Italian catalogue is produced separately."""
    settings.LANGUAGE_CODE = "en"
