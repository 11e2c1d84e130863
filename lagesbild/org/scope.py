"""What part of the organisation a user may see and change.

A user sees the subtrees of the units they hold a membership in; a superuser sees all.
Every view and API call asks here, so the rule lives in one place.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from .models import Membership, OrgUnit

NATIONAL_ROLES = {Membership.Role.ADMIN, Membership.Role.STRATEGIST}


def roots(user) -> list[OrgUnit]:
    """The tops of the subtrees the user may see."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_lagesbild_roots", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        units = list(OrgUnit.objects.filter(parent__isnull=True))
    else:
        memberships = list(Membership.objects.filter(user=user).select_related("org_unit"))
        user._lagesbild_memberships = memberships  # has_role reads them instead of asking again
        units = [m.org_unit for m in memberships]
    user._lagesbild_roots = units
    return units


def unit_q(user, field: str = "") -> Q:
    """A filter for rows whose org unit lies within the user's scope; matches nothing when none."""
    prefix = f"{field}__" if field else ""
    parts = [Q(**{f"{prefix}path__startswith": u.path}) for u in roots(user)]
    if not parts:
        return Q(pk__in=[])
    return reduce(or_, parts)


def can_see(user, unit: OrgUnit | None) -> bool:
    if unit is None:
        return False
    return any(unit.path.startswith(r.path) for r in roots(user))


def has_role(user, roles: set[str], unit: OrgUnit | None = None) -> bool:
    """True when the user holds one of ``roles`` on ``unit`` or above it (any unit if None)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_lagesbild_memberships", None)
    if cached is not None:  # loaded by roots() during this request
        memberships = [m for m in cached if m.role in roles]
    else:
        memberships = Membership.objects.filter(user=user, role__in=roles).select_related("org_unit")
    for m in memberships:
        if unit is None or unit.path.startswith(m.org_unit.path):
            return True
    return False


def is_national(user) -> bool:
    """Sees the whole nation (national analyst, national administrator)."""
    return any(r.parent_id is None and r.kind == OrgUnit.Kind.NATION for r in roots(user))


def visible_unit(user, code: str) -> OrgUnit:
    """The unit with ``code`` for a page or an API call: Http404 when there is none, PermissionDenied
    when it lies outside the user's part of the organisation."""
    unit = OrgUnit.objects.select_related("parent").filter(code=code).first()
    if unit is None:
        raise Http404("Enheten finns inte.")
    if not can_see(user, unit):
        raise PermissionDenied("Enheten ligger utanför din behörighet.")
    return unit
