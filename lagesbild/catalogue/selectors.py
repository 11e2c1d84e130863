"""Reading the measure catalogue.

The catalogue is national reference data without an org unit: every signed-in user may read
it. "The" measure for a code is its latest version (highest version number) unless a version
is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable, Optional

from django.db.models import F, OuterRef, QuerySet, Subquery

from .models import ActionPlan, FocusArea, Measure

NO_FOCUS_AREA = "ingen"
OTHER_HEADING = "Säkerhetskultur och övrigt"


def _base() -> QuerySet:
    return Measure.objects.select_related("focus_area", "focus_area__plan", "foundation", "foundation__plan")


def latest_measures(focus_area: Optional[str | int] = None, measure_type: Optional[str] = None) -> QuerySet:
    """The latest version of every measure, optionally filtered.

    ``focus_area`` is a number 1–5 or ``"ingen"`` for measures outside the focus areas.
    Ordered by focus area (none last), then code: the same on every database.
    """
    newest = Measure.objects.filter(code=OuterRef("code")).order_by("-version").values("version")[:1]
    qs = _base().filter(version=Subquery(newest))
    if focus_area == NO_FOCUS_AREA:
        qs = qs.filter(focus_area__isnull=True)
    elif focus_area not in (None, ""):
        qs = qs.filter(focus_area__number=int(focus_area))
    if measure_type:
        qs = qs.filter(measure_type=measure_type)
    return qs.order_by(F("focus_area__number").asc(nulls_last=True), "code", "version")


def all_versions() -> QuerySet:
    """Every version of every measure, for export: by code, then version."""
    return _base().order_by("code", "version")


def measure(code: str, version: Optional[int] = None) -> Measure:
    """One measure: the given version, else the latest. Raises Measure.DoesNotExist."""
    qs = _base().filter(code=code)
    if version is not None:
        return qs.get(version=version)
    found = qs.order_by("-version").first()
    if found is None:
        raise Measure.DoesNotExist(code)
    return found


def versions(code: str) -> list[Measure]:
    return list(Measure.objects.filter(code=code).order_by("-version"))


# --- the version resolver: "the version of measure X valid on date D" -------------------------


def valid_on(versions_of_code: Iterable[Measure], day: date) -> Optional[Measure]:
    """Among one code's versions, the one valid on ``day`` (the highest version if several are),
    else the latest version; None for no versions. Pure: callers that hold the versions (the
    observation importer, per row) resolve without a query."""
    ordered = sorted(versions_of_code, key=lambda m: m.version, reverse=True)
    for m in ordered:
        if (m.valid_from is None or m.valid_from <= day) and (m.valid_to is None or day <= m.valid_to):
            return m
    return ordered[0] if ordered else None


def versions_by_code() -> dict[str, list[Measure]]:
    """Every version of every measure, by code case-folded (newest first)."""
    out: dict[str, list[Measure]] = {}
    for m in _base().order_by("code", "-version"):
        out.setdefault(m.code.casefold(), []).append(m)
    return out


def version_on(code: str, day: date) -> Optional[Measure]:
    """The version of measure ``code`` valid on ``day`` (else its latest); None for an unknown code."""
    return valid_on(_base().filter(code=code), day)


def measures_on(day: date, focus_area: Optional[int] = None) -> list[Measure]:
    """One version of every measure, the one valid on ``day``, in the catalogue's order: by focus
    area (measures without one last), then code – sorted here, so the same on every database."""
    chosen = [valid_on(vs, day) for vs in versions_by_code().values()]
    if focus_area:
        chosen = [m for m in chosen if m.focus_area is not None and m.focus_area.number == int(focus_area)]
    return sorted(chosen, key=lambda m: (m.focus_area is None, m.focus_area.number if m.focus_area else 0, m.code))


def focus_areas() -> list[FocusArea]:
    """The focus areas of the latest action plan, for filters and headings."""
    plan = ActionPlan.objects.order_by("-period_start", "-id").first()
    return list(FocusArea.objects.filter(plan=plan).order_by("number")) if plan else []


_SWEDISH = str.maketrans({"å": "{", "ä": "|", "ö": "}", "é": "e", "ü": "y"})


def swedish_key(text: str) -> str:
    """Sort key in Swedish alphabetical order (… x y z å ä ö), whatever the database collation."""
    return text.casefold().translate(_SWEDISH)


@dataclass
class Group:
    heading: str
    focus_area: Optional[FocusArea]
    measures: list[Measure]
    anchor: str


def handbook_groups(measures) -> list[Group]:
    """Measures grouped under their focus area (those without one last), by title within a group."""
    groups: dict[Optional[int], Group] = {}
    for m in measures:
        fa = m.focus_area
        key = fa.number if fa is not None else None
        if key not in groups:
            heading = str(fa) if fa is not None else OTHER_HEADING
            groups[key] = Group(heading, fa, [], f"fokusomrade-{key}" if key else "ovrigt")
        groups[key].measures.append(m)
    for group in groups.values():
        group.measures.sort(key=lambda m: (swedish_key(m.title), m.code))
    return [groups[k] for k in sorted(groups, key=lambda k: (k is None, k or 0))]
