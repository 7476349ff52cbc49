from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from pes.settings import env_bool, env_int, env_list


def test_env_helpers_read_typed_values(monkeypatch):
    monkeypatch.setenv("PES_FLAG", "yes")
    monkeypatch.setenv("PES_N", "42")
    monkeypatch.setenv("PES_HOSTS", "a.example, b.example,,")
    assert env_bool("PES_FLAG", False) is True
    assert env_int("PES_N", 0) == 42
    assert env_list("PES_HOSTS", []) == ["a.example", "b.example"]
    assert env_bool("PES_MISSING", True) is True


def test_env_helpers_fail_loudly_on_bad_values(monkeypatch):
    monkeypatch.setenv("PES_FLAG", "maybe")
    monkeypatch.setenv("PES_N", "many")
    with pytest.raises(ImproperlyConfigured):
        env_bool("PES_FLAG", False)
    with pytest.raises(ImproperlyConfigured):
        env_int("PES_N", 0)


def test_defaults_are_italian_rome_and_sqlite_friendly(settings):
    assert settings.LANGUAGE_CODE == "it"
    assert [code for code, _name in settings.LANGUAGES] == ["it", "en"]
    assert settings.TIME_ZONE == "Europe/Rome"
    assert settings.USE_TZ is True
