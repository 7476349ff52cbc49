"""Fixtures for the browser tests of every app: one Chromium per module, a fresh context per
test, and the reference data the data migrations load.

Playwright's sync API runs an event loop in the main thread, so Django's async-safety check
is relaxed (``DJANGO_ALLOW_ASYNC_UNSAFE``) while the browser is up, for the ORM calls the
tests make with a page open.

The browser tests are transactional (the live server runs in another thread), so the database
is flushed after each of them: ``reference_data`` loads the migrations' data again before a
test, and ``_restore_reference_data`` (module-scoped; use it in every browser module) puts it
back for the tests that run after the module.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def load_reference_data() -> None:
    """What the data migrations load: transactional tests flush it after every test."""
    from pes.impact.library import load_library
    from pes.plan.seed import load_plan, load_statuses_and_periods
    from pes.registry.reference import load_reference
    from pes.territory.loader import load_territory

    load_territory()
    load_reference()
    load_plan()
    load_statuses_and_periods()
    load_library()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture(scope="module")
def _restore_reference_data(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """Put back the migrations' data the transactional tests flushed, for the tests after."""
    yield
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture
def reference_data(transactional_db: Any) -> None:
    load_reference_data()


@pytest.fixture
def browser_locale() -> str:
    """The language the browser asks for; a module whose tests read English overrides it."""
    return "it-IT"


@pytest.fixture
def page(
    chromium: Browser, live_server: Any, reference_data: None, browser_locale: str
) -> Iterator[Page]:
    context = chromium.new_context(
        base_url=live_server.url, locale=browser_locale, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
