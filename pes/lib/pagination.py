"""Pagination that never fails on a bad page number."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator


def paginate(request: Any, items: Any, *, per_page: int | None = None) -> Page:
    paginator = Paginator(items, per_page or settings.PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def query_without_page(request: Any) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return str(params.urlencode())
