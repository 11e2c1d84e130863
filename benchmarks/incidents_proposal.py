"""Prototypes of a proposed fix for the incident summary page, measured by the incidents benchmark.

Not product code: `lagesbild/incidents/selectors.py` is not changed here. These functions give the
same figures as the product's selectors from aggregates the database computes, so the benchmark
can show, on the same data in the same run, what the fix would gain and that the figures agree:

- ``records_values``: the same rows as ``selectors._records`` read with ``values_list`` into
  ``calc.incident_stats.Incident`` directly (no model instances): the smallest change;
- ``summary_sql``: ``selectors.summary`` from GROUP BY queries (a few hundred rows instead of
  every incident of two years): counts per year with FILTER, types, causes and a histogram of
  lead times (days → count; the median and p90 are exact from it);
- ``by_child_sql``: ``selectors.by_child`` from counts per unit and year (GROUP BY in the
  database, then each unit assigned to its child by path in Python);
- ``monthly_counts_index``: ``selectors.monthly_counts`` with the subtree given as the list of
  unit ids (an ``IN`` the (unit, reported) index serves) instead of a join on the path.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from django.db.models import Count, F, Q
from django.db.models.functions import ExtractYear, TruncMonth

from lagesbild.calc import incident_stats as stats
from lagesbild.incidents import selectors
from lagesbild.incidents.models import Incident
from lagesbild.org.models import OrgUnit


def records_values(unit: OrgUnit, year: int) -> list[stats.Incident]:
    rows = selectors._subtree(unit).filter(reported__year__in=(year, year - 1)).values_list(
        "case", "reported", "unit_id", "type", "closed", "cause", "lex_maria")
    return [stats.Incident(c, r, str(u), t, cl, ca, lm) for c, r, u, t, cl, ca, lm in rows.iterator(chunk_size=10000)]


def _unit_ids(unit: OrgUnit) -> list[int]:
    return list(OrgUnit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))


def summary_sql(unit: OrgUnit, year: int, as_of: date) -> dict:
    """The dict ``stats.summary`` returns, from aggregates."""
    ids = _unit_ids(unit)
    both = Incident.objects.filter(unit_id__in=ids, reported__gte=date(year - 1, 1, 1), reported__lt=date(year + 1, 1, 1))
    this = both.filter(reported__gte=date(year, 1, 1))
    due = Q(reported__gte=date(year, 1, 1), reported__lte=as_of - timedelta(days=stats.HANDLING_DAYS))
    in_time = due & Q(closed__isnull=False, closed__lte=F("reported") + timedelta(days=stats.HANDLING_DAYS))
    totals = both.aggregate(
        this=Count("id", filter=Q(reported__gte=date(year, 1, 1))), previous=Count("id", filter=Q(reported__lt=date(year, 1, 1))),
        due=Count("id", filter=due), in_time=Count("id", filter=in_time),
        lex=Count("id", filter=Q(reported__gte=date(year, 1, 1), lex_maria=True)))
    types = Counter({r["type"]: r["n"] for r in this.values("type").annotate(n=Count("id"))})
    causes: Counter = Counter()
    for r in this.values("cause").annotate(n=Count("id")):
        causes[r["cause"] or stats.NO_CAUSE] += r["n"]
    lead_times: list[int] = []
    leads = (this.filter(closed__isnull=False).annotate(lead=F("closed") - F("reported")).values("lead")
             .annotate(n=Count("id")).order_by("lead"))
    for r in leads:
        lead = r["lead"]
        lead_times += [lead.days if isinstance(lead, timedelta) else int(lead)] * r["n"]
    n = totals["this"]
    return {
        "year": year,
        "incidents": n,
        "previous_year": totals["previous"],
        "change_percent": stats.change_percent(n, totals["previous"]),
        "types": [{"type": name, "count": k} for name, k in stats._ranked(types)],
        "causes": [{"cause": name, "count": k, "percent": stats.percent(k, n)} for name, k in stats._ranked(causes)],
        "closed_within_28_days": {"numerator": totals["in_time"], "denominator": totals["due"],
                                  "percent": stats.percent(totals["in_time"], totals["due"])},
        "lead_time_days": {"closed": len(lead_times), "median": stats.median(lead_times), "p90": stats.p90(lead_times)},
        "lex_maria": totals["lex"],
    }


def by_child_sql(unit: OrgUnit, year: int, channel: str | None = None) -> list[selectors.ChildCount]:
    children = list(OrgUnit.objects.filter(parent=unit).order_by("name"))
    if channel is None:
        query, field = selectors._subtree(unit), "reported"
    else:
        query, field = selectors._complaints(unit).filter(channel=channel), "received"
    per_unit = (query.filter(**{f"{field}__gte": date(year - 1, 1, 1), f"{field}__lt": date(year + 1, 1, 1)})
                .annotate(y=ExtractYear(field)).values("unit_id", "y").annotate(n=Count("id")))
    paths = dict(OrgUnit.objects.filter(path__startswith=unit.path).values_list("pk", "path"))
    counts: dict[int, list[int]] = {}
    for r in per_unit:
        path = paths[r["unit_id"]]
        for child in children:
            if path.startswith(child.path):
                counts.setdefault(child.pk, [0, 0])[0 if r["y"] == year else 1] += r["n"]
                break
    rows = [selectors.ChildCount(c, *counts[c.pk], stats.change_percent(*counts[c.pk])) for c in children if c.pk in counts]
    return sorted(rows, key=lambda r: (-r.count, r.unit.name))


def monthly_counts_index(unit: OrgUnit, first: date, last: date) -> dict[date, int]:
    rows = (Incident.objects.filter(unit_id__in=_unit_ids(unit), reported__gte=first, reported__lte=last)
            .annotate(month=TruncMonth("reported")).values("month").annotate(n=Count("id")))
    return {(r["month"].date() if hasattr(r["month"], "date") else r["month"]): r["n"] for r in rows}


# --------------------------------------------------------------------------- the import


def handled_by_month_models(cells: set[tuple[int, date]], as_of: date) -> dict[tuple[str, date], tuple[int, int]]:
    """What ``services.write_handling`` counts now: every incident of the cells' units and months
    loaded as a (deferred) model instance, then ``calc.incident_stats.handled_by_month``."""
    from lagesbild.calc import periods

    months = {m for _, m in cells}
    stored = Incident.objects.filter(unit_id__in={u for u, _ in cells}, reported__gte=min(months),
                                     reported__lt=periods.add_months(max(months), 1))
    counted = stats.handled_by_month((i.as_record() for i in stored.only(*Incident.RECORD_FIELDS)), as_of)
    return {k: v for k, v in counted.items() if (int(k[0]), k[1]) in cells}


def handled_by_month_sql(cells: set[tuple[int, date]], as_of: date) -> dict[tuple[str, date], tuple[int, int]]:
    """The same counts from one GROUP BY (unit, month) with FILTER: a row per cell, not per incident."""
    from lagesbild.calc import periods

    months = {m for _, m in cells}
    due = Q(reported__lte=as_of - timedelta(days=stats.HANDLING_DAYS))
    in_time = due & Q(closed__isnull=False, closed__lte=F("reported") + timedelta(days=stats.HANDLING_DAYS))
    rows = (Incident.objects.filter(unit_id__in={u for u, _ in cells}, reported__gte=min(months),
                                    reported__lt=periods.add_months(max(months), 1))
            .annotate(month=TruncMonth("reported")).values("unit_id", "month")
            .annotate(den=Count("id", filter=due), num=Count("id", filter=in_time)).filter(den__gt=0))
    out = {}
    for r in rows:
        month = r["month"].date() if hasattr(r["month"], "date") else r["month"]
        if (r["unit_id"], month) in cells:
            out[(str(r["unit_id"]), month)] = (r["num"], r["den"])
    return out


def stored_models(source) -> dict:
    """What ``services.import_export`` loads to compare with: every stored case as a model instance."""
    return {i.case: i for i in Incident.objects.filter(source=source)}


FIELDS = ("unit_id", "reported", "occurred", "closed", "type", "cause", "severity", "lex_maria", "description")


def stored_tuples(source) -> dict:
    """The same comparison's input as plain tuples of the compared fields (and the primary key)."""
    rows = Incident.objects.filter(source=source).values_list("case", "pk", *FIELDS)
    return {case: rest for case, *rest in rows.iterator(chunk_size=20000)}


def complaint_records_values(unit: OrgUnit, year: int) -> list:
    from lagesbild.calc import complaint_stats

    rows = selectors._complaints(unit).filter(received__year__in=(year, year - 1)).values_list(
        "case", "received", "unit_id", "channel", "category", "sex", "forwarded", "action_taken")
    return [complaint_stats.Complaint(c, r, str(u), ch, cat, sex, fw, act) for c, r, u, ch, cat, sex, fw, act in rows]


# --------------------------------------------------------------------------- one scan for three selectors


def unit_month_counts(unit: OrgUnit) -> dict[tuple[int, date], int]:
    """Incidents per (unit, month of registration) over the whole subtree: one GROUP BY, a few
    thousand rows, from which ``years``, ``by_child`` and ``monthly_counts`` all follow."""
    rows = (Incident.objects.filter(unit_id__in=_unit_ids(unit)).annotate(month=TruncMonth("reported"))
            .values_list("unit_id", "month").annotate(n=Count("id")))
    return {(u, m.date() if hasattr(m, "date") else m): n for u, m, n in rows}


def three_from_one(unit: OrgUnit, year: int, first: date, last: date) -> tuple:
    """(years, by_child, monthly_counts) as the selectors give them, from ``unit_month_counts``."""
    counts = unit_month_counts(unit)
    years = sorted({m.year for _, m in counts}, reverse=True)
    monthly: Counter = Counter()
    for (_, m), n in counts.items():
        if first <= m <= last:
            monthly[m] += n
    children = list(OrgUnit.objects.filter(parent=unit).order_by("name"))
    paths = dict(OrgUnit.objects.filter(path__startswith=unit.path).values_list("pk", "path"))
    per_child: dict[int, list[int]] = {}
    for (u, m), n in counts.items():
        if m.year not in (year, year - 1):
            continue
        for child in children:
            if paths[u].startswith(child.path):
                per_child.setdefault(child.pk, [0, 0])[0 if m.year == year else 1] += n
                break
    rows = [selectors.ChildCount(c, *per_child[c.pk], stats.change_percent(*per_child[c.pk]))
            for c in children if c.pk in per_child]
    return years, sorted(rows, key=lambda r: (-r.count, r.unit.name)), dict(monthly)
