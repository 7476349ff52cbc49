"""Cached reads keyed by a data version that every tracked write replaces."""

from __future__ import annotations

from django.core.cache import cache
from django.test import TestCase
from django.utils import translation

from pes.core.models import DataVersion
from pes.core.versions import bump, cached, version
from pes.incubation.tests.factories import CallFactory


class VersionTests(TestCase):
    def setUp(self) -> None:
        cache.clear()
        self.calls = 0
        # A known active language, whatever an earlier test left.
        override = translation.override("it")
        override.__enter__()
        self.addCleanup(override.__exit__, None, None, None)

    def compute(self) -> str:
        self.calls += 1
        return f"{translation.get_language()}:{self.calls}"

    def test_a_value_is_computed_once_per_version(self) -> None:
        self.assertEqual(cached("area", "x", self.compute), "it:1")
        self.assertEqual(cached("area", "x", self.compute), "it:1")
        bump("area")
        self.assertEqual(cached("area", "x", self.compute), "it:2")
        self.assertEqual(DataVersion.objects.count(), 1)

    def test_parts_and_language_are_part_of_the_key(self) -> None:
        cached("area", "x", self.compute, parts=(1,))
        cached("area", "x", self.compute, parts=(2,))
        with translation.override("en"):
            self.assertEqual(cached("area", "x", self.compute, parts=(1,)), "en:3")
        self.assertEqual(cached("area", "x", self.compute, parts=(1,)), "it:1")
        self.assertEqual(self.calls, 3)

    def test_versions_are_random_and_start_at_zero(self) -> None:
        self.assertEqual(version("fresh"), 0)
        bump("fresh")
        first = version("fresh")
        bump("fresh")
        self.assertNotIn(version("fresh"), {0, first})

    def test_a_tracked_model_write_replaces_the_version(self) -> None:
        before = version("incubation")
        call = CallFactory.create()
        after_create = version("incubation")
        self.assertNotEqual(after_create, before)
        call.delete()
        self.assertNotEqual(version("incubation"), after_create)
