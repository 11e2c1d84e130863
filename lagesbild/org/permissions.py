"""Who may change what. Reading is governed by scope.py; changing needs a role on the unit.

| role | may change, within their subtree |
|---|---|
| administrator | everything, including the organisation and memberships |
| strategist | the measure catalogue, targets, action plans, and everything a manager may |
| manager | analyses, actions and follow-ups |
| reader | nothing |
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from . import scope
from .models import Membership

R = Membership.Role
ORG_ROLES = {R.ADMIN}
CATALOGUE_ROLES = {R.ADMIN, R.STRATEGIST}
TARGET_ROLES = {R.ADMIN, R.STRATEGIST}
PLAN_ROLES = {R.ADMIN, R.STRATEGIST}
IMPROVEMENT_ROLES = {R.ADMIN, R.STRATEGIST, R.MANAGER}


def require_visible(user, unit) -> None:
    if not scope.can_see(user, unit):
        raise PermissionDenied("Enheten ligger utanför din behörighet.")


def require(actor, roles: set[str], unit=None) -> None:
    """The services' check: the system actor may do anything; a user needs one of ``roles`` on
    ``unit`` or above it (and must see the unit)."""
    if actor.is_system:
        return
    require_role(actor.user, roles, unit)


def require_role(user, roles: set[str], unit=None) -> None:
    """Raise PermissionDenied unless the user holds one of ``roles`` on ``unit`` or above it."""
    if unit is not None:
        require_visible(user, unit)
    if not scope.has_role(user, roles, unit):
        raise PermissionDenied("Din roll får inte göra den här ändringen.")


class ScopedWrite(BasePermission):
    """DRF: authenticated to read; writes need one of the view's ``write_roles`` on the object's unit.

    A view sets ``write_roles`` and, for object checks, ``unit_of(obj)`` (default: obj.org_unit).
    """

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method in SAFE_METHODS:
            return True
        return scope.has_role(request.user, getattr(view, "write_roles", set()))

    def has_object_permission(self, request, view, obj) -> bool:
        unit = view.unit_of(obj) if hasattr(view, "unit_of") else getattr(obj, "org_unit", None)
        if unit is not None and not scope.can_see(request.user, unit):
            return False
        if request.method in SAFE_METHODS:
            return True
        return scope.has_role(request.user, getattr(view, "write_roles", set()), unit)
