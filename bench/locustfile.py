"""The load test's simulated users (Locust): a visitor reading public pages, searching the
directory and reading the API. ``bench.load`` writes the URLs to a JSON file and passes its
path in ``PES_LOAD_URLS``: ``{"pages": [...], "searches": [...], "api": [...]}``."""

from __future__ import annotations

import json
import os
import random

from locust import HttpUser, between, task

URLS = json.loads(open(os.environ["PES_LOAD_URLS"], encoding="utf-8").read())  # noqa: PTH123, SIM115


class Visitor(HttpUser):
    wait_time = between(0.5, 1.5)

    def _get(self, kind: str) -> None:
        url = random.choice(URLS[kind])  # noqa: S311 - a workload, not a secret
        with self.client.get(url, name=f"{kind}: {url.split('?')[0]}", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} for {url}")

    @task(5)
    def page(self) -> None:
        self._get("pages")

    @task(3)
    def search(self) -> None:
        self._get("searches")

    @task(2)
    def api(self) -> None:
        self._get("api")
