"""Reads for the incident pages: a year's statistics for a unit's subtree, open cases, and the
cases behind a figure. Every read is scoped by the caller (views check scope.can_see)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (BooleanField, Case, Count, DurationField, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum,
                              Value, When)
from django.db.models.functions import TruncMonth

from lagesbild.calc import complaint_stats
from lagesbild.calc import incident_stats as stats
from lagesbild.measurements.models import Observation
from lagesbild.org.models import OrgUnit

from .models import Complaint, Incident, IncidentMonth

FILTERS = ("typ", "orsak", "lex_maria", "inom_28", "oppna", "enhet")
COMPLAINT_FILTERS = ("kanal", "kategori", "kon", "vidare", "atgard", "enhet")
# The measure whose denominator is a unit's care days (vårddagar) in a month: the starter
# catalogue's share of care days taken by patients ready for discharge.
CARE_DAYS_MEASURE = "utskrivningsklara-vardagar"


def _unit_ids(unit: OrgUnit) -> list[int]:
    """The ids of the unit and every unit under it (kept on the unit object for the request): a
    list lets the database use the (unit, date) indexes instead of joining on the path."""
    ids = getattr(unit, "_subtree_ids", None)
    if ids is None:
        ids = unit._subtree_ids = list(OrgUnit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))
    return ids


def _subtree(unit: OrgUnit):
    return Incident.objects.filter(unit_id__in=_unit_ids(unit))


def _complaints(unit: OrgUnit):
    return Complaint.objects.filter(unit_id__in=_unit_ids(unit))


def _year(year: int) -> Q:
    return Q(reported__gte=date(year, 1, 1), reported__lt=date(year + 1, 1, 1))


# closed at most 28 days after registration (calc.incident_stats.closed_in_time), in SQL
IN_TIME = Q(closed__lte=F("reported") + timedelta(days=stats.HANDLING_DAYS))


@dataclass
class OpenCases:
    count: int
    median_age_days: int | float | None
    oldest_days: int | None


def years(unit: OrgUnit) -> list[int]:
    """The years from the first to the last registration in the subtree, newest first: each unit's
    first and last date from the (unit, reported) index, not a scan of every incident."""
    by_unit = Incident.objects.filter(unit=OuterRef("pk"))
    spans = [(first, last) for first, last in OrgUnit.objects.filter(path__startswith=unit.path).annotate(
        first=Subquery(by_unit.order_by("reported").values("reported")[:1]),
        last=Subquery(by_unit.order_by("-reported").values("reported")[:1])).values_list("first", "last")
        if first is not None]
    if not spans:
        return []
    return list(range(max(last for _, last in spans).year, min(first for first, _ in spans).year - 1, -1))


def year_counts(unit: OrgUnit, year: int, as_of: date) -> stats.YearCounts:
    """The counts the contract's figures are computed from, as aggregates in the database: the
    same as calc.incident_stats.counts over the subtree's incidents of the year and the year before."""
    due = Q(reported__lte=as_of - timedelta(days=stats.HANDLING_DAYS))
    c = stats.YearCounts(previous_year=_subtree(unit).filter(_year(year - 1)).count())
    lead = ExpressionWrapper(F("closed") - F("reported"), output_field=DurationField())
    # One grouped scan of the year: every combination of type, cause, lex Maria, due, in time and
    # lead time (a few thousand groups), summed here.
    groups = (_subtree(unit).filter(_year(year))
              .annotate(is_due=_flag(due), in_time=_flag(due & IN_TIME), days=lead)
              .values_list("type", "cause", "lex_maria", "is_due", "in_time", "days").annotate(n=Count("id"))
              .order_by())
    for type_, cause, lex_maria, is_due, in_time, days, n in groups:
        c.incidents += n
        c.types[type_] += n
        c.causes[cause] += n
        c.lex_maria += n if lex_maria else 0
        c.due += n if is_due else 0
        c.in_time += n if in_time else 0
        if days is not None:
            c.lead_times[days.days] += n
    return c


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def summary(unit: OrgUnit, year: int, as_of: date) -> dict:
    """The contract's figures for the subtree and year (calc.incident_stats.summary_of)."""
    return stats.summary_of(year_counts(unit, year, as_of), year)


def open_cases(unit: OrgUnit, as_of: date) -> OpenCases:
    ages = Counter()
    for reported, n in (_subtree(unit).filter(closed__isnull=True, reported__lte=as_of).values_list("reported")
                        .annotate(n=Count("id")).order_by()):
        ages[(as_of - reported).days] += n
    return OpenCases(sum(ages.values()), stats.median_of(ages), max(ages) if ages else None)


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
        query = _within(query, unit, given["enhet"])
    if given.get("inom_28") in ("0", "1"):
        query = query.filter(reported__lte=as_of - timedelta(days=stats.HANDLING_DAYS))
        query = query.filter(IN_TIME) if given["inom_28"] == "1" else query.exclude(IN_TIME)
    return query


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


def unit_months(unit: OrgUnit, first: date, last: date, channel: str | None = None) -> dict[tuple[int, date], int]:
    """Incidents (or, with ``channel``, that channel's complaints) per unit and month of registration
    in the subtree, for the whole months from ``first`` to ``last``: one read that the chart and the
    per-unit table share."""
    if channel is None:  # the import keeps the incidents' counts per unit and month (IncidentMonth)
        rows = (IncidentMonth.objects.filter(unit_id__in=_unit_ids(unit), month__gte=first.replace(day=1),
                                             month__lte=last).values_list("unit_id", "month", "incidents"))
        return {(u, m): n for u, m, n in rows}
    rows = (_complaints(unit).filter(channel=channel, received__gte=first, received__lte=last)
            .annotate(month=TruncMonth("received")).values_list("unit_id", "month").annotate(n=Count("id")).order_by())
    return {(u, m.date() if hasattr(m, "date") else m): n for u, m, n in rows}


def monthly_counts(unit: OrgUnit, first: date, last: date, channel: str | None = None) -> dict[date, int]:
    """The subtree's counts per month (see unit_months); months without any are absent."""
    out = Counter()
    for (_, month), n in unit_months(unit, first, last, channel).items():
        out[month] += n
    return dict(out)


def complaint_years(unit: OrgUnit) -> list[int]:
    return sorted({d.year for d in _complaints(unit).dates("received", "year")}, reverse=True)


def complaint_summary(unit: OrgUnit, year: int) -> dict:
    """calc.complaint_stats.summary for the subtree and year (every channel with cases)."""
    rows = (_complaints(unit).filter(received__gte=date(year - 1, 1, 1), received__lt=date(year + 1, 1, 1))
            .values_list(*Complaint.RECORD_FIELDS))
    return complaint_stats.summary((complaint_stats.Complaint(case, received, str(unit_id), *rest)
                                    for case, received, unit_id, *rest in rows.iterator()), year)


@dataclass
class ChildCount:
    unit: OrgUnit
    count: int
    previous_year: int
    change_percent: str | None


def by_child(unit: OrgUnit, year: int, channel: str | None = None,
             cells: dict[tuple[int, date], int] | None = None) -> list[ChildCount]:
    """The year's incidents (or one channel's complaints) per child unit of ``unit`` with the
    change on the year before, most first; children with none in either year left out. ``cells``:
    unit_months already read for a window that holds both years (the page reads them once)."""
    children = list(OrgUnit.objects.filter(parent=unit).order_by("name"))
    paths = dict(OrgUnit.objects.filter(path__startswith=unit.path).values_list("pk", "path"))
    if cells is None:
        cells = unit_months(unit, date(year - 1, 1, 1), date(year, 12, 31), channel)
    counts = {}
    for (unit_id, month), n in cells.items():
        child = next((c for c in children if paths[unit_id].startswith(c.path)), None)
        if child is not None and month.year in (year, year - 1):
            counts.setdefault(child.pk, [0, 0])[0 if month.year == year else 1] += n
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
        query = _within(query, unit, given["enhet"])
    return query


def _within(query, unit: OrgUnit, code: str):
    """``query`` narrowed to the unit ``code`` and everything under it, if that unit lies inside
    ``unit``'s subtree; to nothing otherwise."""
    child = OrgUnit.objects.filter(code=code, path__startswith=unit.path).first()
    return query.filter(unit__path__startswith=child.path) if child else query.none()
