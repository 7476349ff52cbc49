"""Reporting periods of a contract: consecutive blocks of ``report_every_months`` months from
the start, the last one cut at the end; each report is due 30 days after its period ends."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

GRACE_DAYS = 30


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def due(self) -> dt.date:
        return self.end + dt.timedelta(days=GRACE_DAYS)

    def label(self) -> str:
        return f"{self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def periods_between(start: dt.date, end: dt.date, every_months: int) -> list[Period]:
    out: list[Period] = []
    cursor = start
    while cursor <= end:
        following = add_months(start, every_months * (len(out) + 1))
        out.append(Period(cursor, min(following - dt.timedelta(days=1), end)))
        cursor = following
    return out


def contract_periods(*, contract: Any) -> list[Period]:
    return periods_between(contract.start, contract.end, contract.report_every_months)
