"""Uploaded documents go to a temporary ``MEDIA_ROOT``. The browser fixtures live in
``pes/conftest.py``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Iterator[None]:
    """These tests read the English msgids; the Italian catalogue has its own tests."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
