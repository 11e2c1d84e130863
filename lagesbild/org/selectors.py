"""Questions about the organisation over time. Read-only; scoping via ``scope``.

The roll-ups of other apps call ``subtree_q``: a unit's subtree *as it was* (``path``) or
*mapped onto today's structure* (``current_path``: closed units count under their successor).
"""

from __future__ import annotations

from datetime import date
from typing import Optional

from django.db.models import Count, Prefetch, Q, QuerySet

from . import permissions, scope
from .models import PATH_SEP, OrgUnit, Succession

SEARCH_LIMIT = 50
SEARCH_MAX_LENGTH = 100  # no name or code is longer; a longer search is cut here


def subtree_q(unit: OrgUnit, as_of_today: bool = False, field: str = "org_unit") -> Q:
    """Rows whose unit lies in ``unit``'s subtree.

    ``as_of_today=False``: the organisation as it was (each row counts where its unit sat).
    ``as_of_today=True``: mapped onto today's structure (a closed unit's rows count under its
    successor). ``field=""`` filters OrgUnit itself.
    """
    prefix = f"{field}__" if field else ""
    column = "current_path" if as_of_today else "path"
    return Q(**{f"{prefix}{column}__startswith": unit.path})


def active_q(on: date, field: str = "") -> Q:
    """Units valid on ``on`` (open-ended validity counts as valid)."""
    prefix = f"{field}__" if field else ""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": on})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": on})
    )


def active_units(on: date) -> QuerySet:
    return OrgUnit.objects.filter(active_q(on))


def with_tree_info(qs: QuerySet, user=None) -> QuerySet:
    """Annotate the number of children and prefetch successions (successors within scope)."""
    succ = Succession.objects.select_related("successor").order_by("date", "id")
    pred = Succession.objects.select_related("predecessor").order_by("date", "id")
    if user is not None:
        succ = succ.filter(scope.unit_q(user, "successor"))
        pred = pred.filter(scope.unit_q(user, "predecessor"))
    return qs.annotate(child_count=Count("children", distinct=True)).prefetch_related(
        Prefetch("succeeded_by", queryset=succ), Prefetch("succeeds", queryset=pred)
    )


def children(unit: OrgUnit, on: Optional[date] = None, user=None) -> QuerySet:
    """The unit's direct children (only those valid on ``on`` when given), by name."""
    qs = OrgUnit.objects.filter(parent=unit)
    if on is not None:
        qs = qs.filter(active_q(on))
    return with_tree_info(qs, user).order_by("name", "code")


def ancestors(unit: OrgUnit) -> list[OrgUnit]:
    """The units above ``unit``, top first, in one query (by the prefixes of its path)."""
    parts = unit.path.rstrip(PATH_SEP).split(PATH_SEP)
    prefixes = [PATH_SEP.join(parts[:i]) + PATH_SEP for i in range(1, len(parts))]
    return list(OrgUnit.objects.filter(path__in=prefixes).order_by("depth"))


def visible_units(user) -> QuerySet:
    return OrgUnit.objects.filter(scope.unit_q(user))


def top_units(user) -> QuerySet:
    """The tops of the user's scope, with tree info."""
    return with_tree_info(OrgUnit.objects.filter(pk__in=[u.pk for u in scope.roots(user)]), user).order_by("path")


def _variants(text: str) -> set[str]:
    # SQLite's LIKE folds case for ASCII only; try the usual spellings of Swedish letters too.
    return {text, text.lower(), text.upper(), text.capitalize(), text.title()}


def search(user, text: str) -> QuerySet:
    """Units in the user's scope whose name or code contains ``text`` (case-insensitive)."""
    text = " ".join((text or "").split())[:SEARCH_MAX_LENGTH]
    if not text:
        return OrgUnit.objects.none()
    match = Q()
    for v in _variants(text):
        match |= Q(name__icontains=v) | Q(code__icontains=v)
    return with_tree_info(OrgUnit.objects.filter(scope.unit_q(user)).filter(match), user).order_by("path")


def history(unit: OrgUnit, user=None) -> tuple[list[Succession], list[Succession]]:
    """(successions where the unit was succeeded, successions where it took over), in scope."""
    out = Succession.objects.filter(predecessor=unit).select_related("successor")
    into = Succession.objects.filter(successor=unit).select_related("predecessor")
    if user is not None:
        out = out.filter(scope.unit_q(user, "successor"))
        into = into.filter(scope.unit_q(user, "predecessor"))
    return list(out), list(into)


def mapped_here(unit: OrgUnit) -> QuerySet:
    """Units that sat elsewhere but whose history today counts within ``unit``'s subtree."""
    return OrgUnit.objects.filter(current_path__startswith=unit.path).exclude(path__startswith=unit.path)


def by_code(code: str) -> Optional[OrgUnit]:
    return OrgUnit.objects.select_related("parent").filter(code=code).first()


# --- who may change what (read-only questions for the views) ----------------------------


def can_edit(user, unit: OrgUnit) -> bool:
    """Changing a unit's name or validity needs the administrator role on its parent."""
    target = unit.parent if unit.parent_id else unit
    return scope.can_see(user, target) and scope.has_role(user, permissions.ORG_ROLES, target)


def can_add_children(user, unit: OrgUnit) -> bool:
    return scope.can_see(user, unit) and scope.has_role(user, permissions.ORG_ROLES, unit)


def may_import(user) -> bool:
    """Administrators of some part of the organisation may import and reorganise (within it)."""
    return scope.has_role(user, permissions.ORG_ROLES)
