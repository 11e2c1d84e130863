"""This app's API endpoints; `register` is called by lagesbild/api/urls.py.

/api/v1/analyses/, actions/, follow-ups/, action-plans/, plan-activities/: list, retrieve,
create, update (no delete: the cycle is a record). Every list is scoped to the user's subtree,
so an object outside it answers 404; writes need IMPROVEMENT_ROLES (analyses, actions,
follow-ups) or PLAN_ROLES (plans, activities) on the object's unit.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from lagesbild.org import scope
from lagesbild.org.api_support import query_params
from lagesbild.org.models import OrgUnit
from lagesbild.org.permissions import IMPROVEMENT_ROLES, PLAN_ROLES, ScopedWrite

from . import selectors
from .serializers import (
    ActionFilter, ActionPlanFilter, ActionPlanSerializer, ActionSerializer, AnalysisFilter, AnalysisSerializer,
    EffectiveActivitySerializer, FollowUpFilter, FollowUpSerializer, ListFilter, PlanActivityFilter,
    PlanActivitySerializer,
)

TAG = ["förbättringsarbete"]


def _crud_schema(noun: str, filter_class: type[ListFilter]):
    """The schema of a viewset: its list's query parameters are its filter serializer's fields."""
    return extend_schema_view(
        list=extend_schema(summary=f"Lista {noun} i din behörighet", parameters=[filter_class], tags=TAG),
        retrieve=extend_schema(summary=f"Hämta en av {noun}", tags=TAG),
        create=extend_schema(summary=f"Skapa (kräver roll på enheten): {noun}", tags=TAG),
        update=extend_schema(summary=f"Ändra (kräver roll på enheten): {noun}", tags=TAG),
        partial_update=extend_schema(summary=f"Ändra delvis (kräver roll på enheten): {noun}", tags=TAG),
    )


class _Permission(ScopedWrite):
    """Reading is decided by the viewset's scoped queryset (which for plans includes the plans
    governing the user's units from above); writing needs ``write_roles`` on the object's unit."""

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().has_object_permission(request, view, obj)


class _ScopedViewSet(viewsets.ModelViewSet):
    """List, retrieve, create and update within the user's subtree; no delete."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    permission_classes = [_Permission]
    lookup_value_regex = r"\d+"
    unit_field = "org_unit"
    filter_class: type[ListFilter] = ListFilter

    def unit_of(self, obj) -> OrgUnit:
        node = obj
        for part in self.unit_field.split("__"):
            node = getattr(node, part)
        return node

    def base_queryset(self):
        raise NotImplementedError

    @property
    def params(self) -> dict:
        """The list's validated query parameters (a 400 names each bad one); {} otherwise."""
        if self.action != "list":
            return {}
        if not hasattr(self, "_params"):
            self._params = query_params(self.filter_class, self.request)
        return self._params

    def get_queryset(self):
        qs = self.base_queryset()
        code = self.params.get("unit")
        if code:
            unit = OrgUnit.objects.filter(code=code).first()
            if unit is None or not scope.can_see(self.request.user, unit):
                raise NotFound("Enheten finns inte i din behörighet.")
            qs = qs.filter(**{f"{self.unit_field}__path__startswith": unit.path})
        return qs


@_crud_schema("analyser", AnalysisFilter)
class AnalysisViewSet(_ScopedViewSet):
    """Analyses of a measure's result for a unit and period (one per measure × unit × period).

    Creating an analysis that already exists replaces its text.
    """

    serializer_class = AnalysisSerializer
    filter_class = AnalysisFilter
    write_roles = IMPROVEMENT_ROLES

    def base_queryset(self):
        qs = selectors.analyses_for(self.request.user).select_related("created_by").order_by("-period_start", "id")
        if self.params.get("measure"):
            qs = qs.filter(measure__code=self.params["measure"])
        period = self.params.get("period")
        if period is not None:
            qs = qs.filter(period_start=period.start, granularity=period.granularity)
        return qs


@_crud_schema("åtgärder", ActionFilter)
class ActionViewSet(_ScopedViewSet):
    """Actions decided in an analysis: owner, due date, status (planerad, pagar, klar, avbruten)."""

    serializer_class = ActionSerializer
    filter_class = ActionFilter
    write_roles = IMPROVEMENT_ROLES
    unit_field = "analysis__org_unit"

    def base_queryset(self):
        params = self.params
        if params.get("overdue"):
            qs = selectors.overdue_actions(self.request.user, timezone.localdate())
        else:
            qs = selectors.actions_for(self.request.user).order_by("due_date", "id")
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        if params.get("analysis"):
            qs = qs.filter(analysis_id=params["analysis"])
        return qs


@_crud_schema("uppföljningar", FollowUpFilter)
class FollowUpViewSet(_ScopedViewSet):
    """Follow-ups of actions: the effect (ja, delvis, nej, for_tidigt) and values before and after.

    A value left out is taken from the measured values for its period, when available.
    """

    serializer_class = FollowUpSerializer
    filter_class = FollowUpFilter
    write_roles = IMPROVEMENT_ROLES
    unit_field = "action__analysis__org_unit"

    def base_queryset(self):
        qs = selectors.follow_ups_for(self.request.user).order_by("date", "id")
        if self.params.get("action"):
            qs = qs.filter(action_id=self.params["action"])
        return qs


@_crud_schema("handlingsplaner", ActionPlanFilter)
class ActionPlanViewSet(_ScopedViewSet):
    """Regions' and divisions' action plans. A division's plan names the region plan it inherits
    (``parent``); creating it again returns the existing plan."""

    serializer_class = ActionPlanSerializer
    filter_class = ActionPlanFilter
    write_roles = PLAN_ROLES

    def base_queryset(self):
        qs = selectors.plans_for(self.request.user).order_by("org_unit__path", "-year_from", "id")
        year = self.params.get("year")
        if year is not None:
            qs = qs.filter(year_from__lte=year, year_to__gte=year)
        return qs

    @extend_schema(summary="Planens aktiviteter, inklusive de som ärvs från regionens plan",
                   responses=EffectiveActivitySerializer(many=True), tags=TAG)
    @action(detail=True, methods=["get"], pagination_class=None)
    def activities(self, request, pk=None):
        plan = self.get_object()
        rows = selectors.effective_activities(plan)
        return Response(EffectiveActivitySerializer(rows, many=True, context={"request": request}).data)


@_crud_schema("aktiviteter i handlingsplaner", PlanActivityFilter)
class PlanActivityViewSet(_ScopedViewSet):
    """A plan's own activities (kind obligatorisk/rekommenderad in a region plan, lokal in a
    division's). Inherited activities are listed by action-plans/{id}/activities/."""

    serializer_class = PlanActivitySerializer
    filter_class = PlanActivityFilter
    write_roles = PLAN_ROLES
    unit_field = "plan__org_unit"

    def base_queryset(self):
        qs = selectors.activities_for(self.request.user).order_by("plan_id", "id")
        if self.params.get("plan"):
            qs = qs.filter(plan_id=self.params["plan"])
        return qs


def register(router) -> None:
    router.register("analyses", AnalysisViewSet, basename="analysis")
    router.register("actions", ActionViewSet, basename="action")
    router.register("follow-ups", FollowUpViewSet, basename="follow-up")
    router.register("action-plans", ActionPlanViewSet, basename="action-plan")
    router.register("plan-activities", PlanActivityViewSet, basename="plan-activity")
