"""Reads for the incident pages: a year's statistics for a unit's subtree, open cases, and the
cases behind a figure. Every read is scoped by the caller (views check scope.can_see)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from lagesbild.calc import complaint_stats
from lagesbild.calc import incident_stats as stats
from lagesbild.measurements.models import Observation
from lagesbild.org.models import OrgUnit

from .models import Complaint, Incident

FILTERS = ("typ", "orsak", "lex_maria", "inom_28", "oppna", "enhet")
COMPLAINT_FILTERS = ("kanal", "kategori", "kon", "vidare", "atgard", "enhet")
# The measure whose denominator is a unit's care days (vårddagar) in a month: the starter
# catalogue's share of care days taken by patients ready for discharge.
CARE_DAYS_MEASURE = "utskrivningsklara-vardagar"


def _subtree(unit: OrgUnit):
    return Incident.objects.filter(unit__path__startswith=unit.path)


def _complaints(unit: OrgUnit):
    return Complaint.objects.filter(unit__path__startswith=unit.path)


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
    ``lex_maria=1``, ``inom_28=1|0`` (due, and handled within 28 days or not), ``oppna=1``,
    ``enhet`` (a unit code within the subtree: that unit and everything under it)."""
    query = _subtree(unit).filter(reported__year=year).select_related("unit", "source").order_by("reported", "case")
    if given.get("typ"):
        query = query.filter(type=given["typ"])
    if given.get("orsak"):
        query = query.filter(cause="" if given["orsak"] == stats.NO_CAUSE else given["orsak"])
    if given.get("lex_maria") == "1":
        query = query.filter(lex_maria=True)
    if given.get("oppna") == "1":
        query = query.filter(closed__isnull=True)
    if given.get("enhet"):
        query = query.filter(unit__path__startswith=_within(unit, given["enhet"]))
    if given.get("inom_28") in ("0", "1"):
        wanted = given["inom_28"] == "1"
        due = [i for i in query if stats.is_due(i.as_record(), as_of)]
        return [i for i in due if stats.closed_in_time(i.as_record()) == wanted]
    return list(query)


@dataclass
class CareDayRate:
    incidents: int  # the year's incidents at the units whose care days are known
    care_days: int
    units: int  # units with care days

    @property
    def per_1000(self) -> Decimal:
        """Exact; rounded when shown."""
        return Decimal(self.incidents * 1000) / Decimal(self.care_days)


def care_day_rate(unit: OrgUnit, year: int) -> CareDayRate | None:
    """Incidents per 1 000 care days over the units of the subtree whose care days for the year are
    known (their monthly observations of CARE_DAYS_MEASURE); None when no unit's are."""
    days = (Observation.objects.filter(measure__code=CARE_DAYS_MEASURE, org_unit__path__startswith=unit.path,
                                       period_start__year=year, sex="", age_band="")
            .values("org_unit_id").annotate(days=Sum("denominator")).filter(days__gt=0))
    per_unit = {row["org_unit_id"]: row["days"] for row in days}
    if not per_unit:
        return None
    counted = _subtree(unit).filter(reported__year=year, unit_id__in=list(per_unit)).count()
    return CareDayRate(counted, sum(per_unit.values()), len(per_unit))


def monthly_counts(unit: OrgUnit, first: date, last: date, channel: str | None = None) -> dict[date, int]:
    """Incidents (or, with ``channel``, that channel's complaints) per month of registration in
    the subtree, first <= day <= last; months without any are absent."""
    if channel is None:
        query, field = _subtree(unit), "reported"
    else:
        query, field = _complaints(unit).filter(channel=channel), "received"
    rows = (query.filter(**{f"{field}__gte": first, f"{field}__lte": last}).annotate(month=TruncMonth(field))
            .values("month").annotate(n=Count("id")))
    return {(r["month"].date() if hasattr(r["month"], "date") else r["month"]): r["n"] for r in rows}


def complaint_years(unit: OrgUnit) -> list[int]:
    return sorted({d.year for d in _complaints(unit).dates("received", "year")}, reverse=True)


def complaint_summary(unit: OrgUnit, year: int) -> dict:
    """calc.complaint_stats.summary for the subtree and year (every channel with cases)."""
    rows = [c.as_record() for c in _complaints(unit).filter(received__year__in=(year, year - 1))
            .only(*Complaint.RECORD_FIELDS)]
    return complaint_stats.summary(rows, year)


@dataclass
class ChildCount:
    unit: OrgUnit
    count: int
    previous_year: int
    change_percent: str | None


def by_child(unit: OrgUnit, year: int, channel: str | None = None) -> list[ChildCount]:
    """The year's incidents (or one channel's complaints) per child unit of ``unit`` with the
    change on the year before, most first; children with none in either year left out."""
    children = list(OrgUnit.objects.filter(parent=unit).order_by("name"))
    if channel is None:
        query, field = _subtree(unit), "reported"
    else:
        query, field = _complaints(unit).filter(channel=channel), "received"
    pairs = query.filter(**{f"{field}__year__in": (year, year - 1)}).values_list("unit__path", f"{field}__year")
    counts = {}
    for path, y in pairs.iterator():
        for child in children:
            if path.startswith(child.path):
                counts.setdefault(child.pk, [0, 0])[0 if y == year else 1] += 1
                break
    rows = [ChildCount(c, *counts[c.pk], stats.change_percent(*counts[c.pk])) for c in children if c.pk in counts]
    return sorted(rows, key=lambda r: (-r.count, r.unit.name))


def complaint_cases(unit: OrgUnit, year: int, **given: str):
    """The year's complaints in the subtree behind a figure: ``kanal``, ``kategori`` ("Ej angiven"
    for blank), ``kon`` (K, M, ej), ``vidare=1`` (forwarded), ``atgard=1`` (forwarded and action
    taken), ``enhet`` (a unit code within the subtree)."""
    query = (_complaints(unit).filter(received__year=year).select_related("unit", "source")
             .order_by("received", "case"))
    if given.get("kanal"):
        query = query.filter(channel=given["kanal"])
    if given.get("kategori"):
        query = query.filter(category="" if given["kategori"] == complaint_stats.NO_CATEGORY else given["kategori"])
    if given.get("kon") in ("K", "M"):
        query = query.filter(sex=given["kon"])
    elif given.get("kon") == "ej":
        query = query.filter(sex="")
    if given.get("vidare") == "1":
        query = query.filter(forwarded=True)
    if given.get("atgard") == "1":
        query = query.filter(forwarded=True, action_taken=True)
    if given.get("enhet"):
        query = query.filter(unit__path__startswith=_within(unit, given["enhet"]))
    return query


def _within(unit: OrgUnit, code: str) -> str:
    """The path of the unit ``code`` inside ``unit``'s subtree; a path nothing has for any other."""
    child = OrgUnit.objects.filter(code=code, path__startswith=unit.path).first()
    return child.path if child else "\x00no such unit"
