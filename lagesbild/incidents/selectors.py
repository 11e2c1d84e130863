"""Reads for the incident pages: a year's statistics for a unit's subtree, open cases, and the
cases behind a figure. Every read is scoped by the caller (views check scope.can_see)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lagesbild.calc import incident_stats as stats
from lagesbild.org.models import OrgUnit

from .models import Incident

FILTERS = ("typ", "orsak", "lex_maria", "inom_28", "oppna")


def _subtree(unit: OrgUnit):
    return Incident.objects.filter(unit__path__startswith=unit.path)


def _records(queryset) -> list[stats.Incident]:
    return [i.as_record() for i in queryset.only(*Incident.RECORD_FIELDS)]


@dataclass
class OpenCases:
    count: int
    median_age_days: int | float | None
    oldest_days: int | None


def years(unit: OrgUnit) -> list[int]:
    """The registration years with incidents in the subtree, newest first."""
    return sorted({d.year for d in _subtree(unit).dates("reported", "year")}, reverse=True)


def summary(unit: OrgUnit, year: int, as_of: date) -> dict:
    """The contract's figures for the subtree and year (calc.incident_stats.summary)."""
    rows = _records(_subtree(unit).filter(reported__year__in=(year, year - 1)))
    return stats.summary(rows, year, as_of)


def open_cases(unit: OrgUnit, as_of: date) -> OpenCases:
    ages = [(as_of - r).days for r in _subtree(unit).filter(closed__isnull=True, reported__lte=as_of)
            .values_list("reported", flat=True)]
    return OpenCases(len(ages), stats.median(ages), max(ages) if ages else None)


def cases(unit: OrgUnit, year: int, as_of: date, **given: str):
    """The year's cases in the subtree behind a figure: ``typ``, ``orsak`` ("Ej angiven" for blank),
    ``lex_maria=1``, ``inom_28=1|0`` (due, and handled within 28 days or not), ``oppna=1``."""
    query = _subtree(unit).filter(reported__year=year).select_related("unit", "source").order_by("reported", "case")
    if given.get("typ"):
        query = query.filter(type=given["typ"])
    if given.get("orsak"):
        query = query.filter(cause="" if given["orsak"] == stats.NO_CAUSE else given["orsak"])
    if given.get("lex_maria") == "1":
        query = query.filter(lex_maria=True)
    if given.get("oppna") == "1":
        query = query.filter(closed__isnull=True)
    if given.get("inom_28") in ("0", "1"):
        wanted = given["inom_28"] == "1"
        due = [i for i in query if stats.is_due(i.as_record(), as_of)]
        return [i for i in due if stats.closed_in_time(i.as_record()) == wanted]
    return list(query)
