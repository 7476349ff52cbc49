"""The browser fixtures (``chromium``, ``page``, ``reference_data``,
``_restore_reference_data``) are shared by every app's browser tests, so they live in
``pes/conftest.py``, which pytest loads for every test under ``pes/``."""
