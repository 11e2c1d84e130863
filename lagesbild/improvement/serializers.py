"""API representations of the improvement cycle and plans. Writes go through services.py."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from lagesbild.calc.periods import Period
from lagesbild.catalogue.models import Measure
from lagesbild.core.actor import Actor
from lagesbild.org.models import OrgUnit

from . import selectors, services
from .models import Action, ActionPlan, Analysis, FollowUp, PlanActivity


def _drf_error(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


BIGINT = 2**63 - 1


class IdField(serializers.PrimaryKeyRelatedField):
    """A related object's id; one that is no whole number the database can hold is unknown
    (a 400, never a database error)."""

    def to_internal_value(self, data):
        text = str(data)
        if isinstance(data, bool) or not (text.isascii() and text.isdigit()) or int(text) > BIGINT:
            self.fail("does_not_exist", pk_value=text[:40])
        return super().to_internal_value(data)


class _ServiceSerializer(serializers.ModelSerializer):
    """Common plumbing: the request's user, scoped choices, immutable fields, error mapping."""

    serializer_related_field = IdField
    immutable: tuple[str, ...] = ()

    @property
    def _request(self):
        return self.context["request"]

    @property
    def _user(self):
        return self._request.user

    def _scope(self, name: str, queryset) -> None:
        if name in self.fields and "request" in self.context:
            self.fields[name].queryset = queryset

    def validate(self, attrs):
        if self.instance is not None:
            for name in self.immutable:
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError({name: "Kan inte ändras; skapa en ny i stället."})
                attrs.pop(name, None)
        return attrs

    def _call(self, fn, *args, **kwargs):
        """Call the service as the request's actor; its ValidationError becomes a 400."""
        try:
            return fn(*args, actor=Actor.from_request(self._request), **kwargs)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from None


class _ScrubbedTextSerializer(_ServiceSerializer):
    """Free text is stored without identity numbers; ``notice`` says when some were removed."""

    notice = serializers.SerializerMethodField(
        help_text="Satt när text som liknade ett personnummer togs bort innan texten sparades.")

    def get_notice(self, obj) -> str | None:
        return services.IDENTITY_NUMBER_NOTICE if getattr(obj, "identity_numbers_removed", 0) else None


class PeriodField(serializers.CharField):
    """A period key: 2025-03, 2025-Q1, 2025-T1 or 2025."""

    def to_internal_value(self, data):
        try:
            return Period.parse(str(data))
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def to_representation(self, value):
        return value.key


class AnalysisSerializer(_ScrubbedTextSerializer):
    org_unit = serializers.SlugRelatedField(slug_field="code", queryset=OrgUnit.objects.all())
    measure = IdField(queryset=Measure.objects.all())
    measure_code = serializers.CharField(source="measure.code", read_only=True)
    period = PeriodField(help_text="2025-03 (månad), 2025-Q1 (kvartal), 2025-T1 (tertial) eller 2025 (år).")
    period_label = serializers.CharField(source="period.label", read_only=True)
    created_by = serializers.CharField(source="created_by.get_username", read_only=True, default=None)
    immutable = ("measure", "org_unit", "period")

    class Meta:
        model = Analysis
        fields = ["id", "measure", "measure_code", "org_unit", "period", "period_label", "period_start",
                  "granularity", "text", "created_by", "created_at", "updated_at", "notice"]
        read_only_fields = ["period_start", "granularity", "created_at", "updated_at"]
        validators = []  # uniqueness is an upsert in services.record_analysis

    def create(self, data):
        return self._call(services.record_analysis, data["measure"], data["org_unit"], data["period"], data["text"])

    def update(self, instance, data):
        return self._call(services.record_analysis, instance.measure, instance.org_unit, instance.period,
                          data.get("text", instance.text))


class ActionSerializer(_ScrubbedTextSerializer):
    is_overdue = serializers.SerializerMethodField()
    # The same answer for a user who does not exist and one who may not own the action.
    owner = IdField(
        queryset=get_user_model().objects.all(), required=False, allow_null=True,
        error_messages={"does_not_exist": services.OWNER_ERROR},
        help_text="Användare med en roll i enheten, under den eller i regionen ovanför den.",
    )
    immutable = ("analysis",)

    class Meta:
        model = Action
        fields = ["id", "analysis", "title", "description", "owner_name", "owner", "due_date", "status",
                  "completed_on", "is_overdue", "created_at", "updated_at", "notice"]
        read_only_fields = ["created_at", "updated_at"]
        # The web form asks for a confirmation of a due date before today; the API, used to carry
        # actions over from other systems, accepts it as given (is_overdue then says true).
        extra_kwargs = {"due_date": {"help_text": "Klar senast. Ett datum som redan har passerat godtas; "
                                                  "åtgärden visas då som försenad."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "request" in self.context:
            self._scope("analysis", selectors.analyses_for(self._user))

    def get_is_overdue(self, obj) -> bool:
        return obj.is_overdue()

    def create(self, data):
        return self._call(
            services.add_action, data["analysis"], data["title"], data["owner_name"], data["due_date"],
            description=data.get("description", ""), owner=data.get("owner"),
            status=data.get("status", Action.Status.PLANNED),
        )

    def update(self, instance, data):
        return self._call(services.update_action, instance, **data)


SOURCE_HELP = "Varifrån värdet kom: 'matt' (uppmätt), 'manuell' (inmatat) eller tomt (inget värde)."


class FollowUpSerializer(_ScrubbedTextSerializer):
    value_before_source = serializers.CharField(read_only=True, help_text=SOURCE_HELP)
    value_after_source = serializers.CharField(read_only=True, help_text=SOURCE_HELP)
    immutable = ("action",)

    class Meta:
        model = FollowUp
        fields = ["id", "action", "date", "effect", "comment", "period_before", "value_before",
                  "value_before_source", "period_after", "value_after", "value_after_source",
                  "created_at", "updated_at", "notice"]
        read_only_fields = ["value_before_source", "value_after_source", "created_at", "updated_at"]
        extra_kwargs = {
            "value_before": {"help_text": "Utelämna för att hämta det uppmätta värdet för period_before."},
            "value_after": {"help_text": "Utelämna för att hämta det uppmätta värdet för period_after."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "request" in self.context:
            self._scope("action", selectors.actions_for(self._user))

    def create(self, data):
        return self._call(
            services.add_follow_up, data["action"], data["effect"], on=data.get("date"),
            comment=data.get("comment", ""), period_before=data.get("period_before", ""),
            value_before=data.get("value_before"), period_after=data.get("period_after", ""),
            value_after=data.get("value_after"),
        )

    def update(self, instance, data):
        def keep(name):
            if name in data:
                return data[name]
            # A measured value is measured again; a typed one is kept.
            return None if getattr(instance, f"{name}_source") == FollowUp.Source.MEASURED else getattr(instance, name)

        return self._call(
            services.update_follow_up, instance, data.get("effect", instance.effect), data.get("date", instance.date),
            comment=data.get("comment", instance.comment),
            period_before=data.get("period_before", instance.period_before), value_before=keep("value_before"),
            period_after=data.get("period_after", instance.period_after), value_after=keep("value_after"),
        )


class ActionPlanSerializer(_ServiceSerializer):
    org_unit = serializers.SlugRelatedField(slug_field="code", queryset=OrgUnit.objects.all())
    parent = IdField(
        queryset=ActionPlan.objects.filter(parent__isnull=True), required=False, allow_null=True,
        help_text="Regionens plan som en förvaltnings plan ärver; utelämna för en regions egen plan.",
    )
    year_from = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    year_to = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    title = serializers.CharField(required=False, allow_blank=True, max_length=300)
    immutable = ("org_unit", "parent")

    class Meta:
        model = ActionPlan
        fields = ["id", "org_unit", "year_from", "year_to", "title", "parent", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "request" in self.context:
            # A division inherits its own region's plan, which may lie above the user's scope.
            regions = selectors.gap_regions(self._user)
            self._scope("parent", ActionPlan.objects.filter(parent__isnull=True, org_unit__in=regions))

    def create(self, data):
        if data.get("parent") is not None:
            return self._call(services.inherit_plan, data["org_unit"], data["parent"], data.get("title", ""))
        if data.get("year_from") is None or data.get("year_to") is None:
            raise serializers.ValidationError({"year_from": "Ange year_from och year_to för regionens plan."})
        return self._call(services.create_plan, data["org_unit"], data["year_from"], data["year_to"],
                          data.get("title", ""))

    def update(self, instance, data):
        return self._call(services.update_plan, instance, data.get("title", instance.title),
                          data.get("year_from", instance.year_from), data.get("year_to", instance.year_to))


class PlanActivitySerializer(_ServiceSerializer):
    immutable = ("plan",)

    class Meta:
        model = PlanActivity
        fields = ["id", "plan", "kind", "focus_area", "foundation", "title", "description", "indicator",
                  "indicator_text", "target_text", "data_source", "responsible", "due_date",
                  "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "request" in self.context:
            self._scope("plan", selectors.plans_for(self._user))

    def create(self, data):
        data = dict(data)
        return self._call(services.add_activity, data.pop("plan"), data.pop("kind"), data.pop("title"), **data)

    def update(self, instance, data):
        return self._call(services.update_activity, instance, **data)


class EffectiveActivitySerializer(serializers.Serializer):
    """An activity as it applies in a plan: its own, or inherited from the region's plan."""

    inherited = serializers.BooleanField()
    source_plan = serializers.IntegerField(source="source.pk")
    activity = PlanActivitySerializer()


# --- query parameters of the lists ----------------------------------------------------------

def _id(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, min_value=1, max_value=BIGINT, help_text=help_text)


class ListFilter(serializers.Serializer):
    unit = serializers.CharField(required=False, max_length=64, help_text="Enhetskod: bara enheten och enheterna under den.")


class AnalysisFilter(ListFilter):
    measure = serializers.CharField(required=False, max_length=80, help_text="Måttets kod.")
    period = PeriodField(required=False, help_text="Period: 2025-03, 2025-Q1, 2025-T1 eller 2025.")


class ActionFilter(ListFilter):
    status = serializers.ChoiceField(required=False, choices=Action.Status.values)
    overdue = serializers.BooleanField(required=False, default=False,
                                       help_text="Bara försenade (ej klara, datum passerat).")
    analysis = _id("Analysens id.")


class FollowUpFilter(ListFilter):
    action = _id("Åtgärdens id.")


class ActionPlanFilter(ListFilter):
    year = serializers.IntegerField(required=False, min_value=1900, max_value=2200, help_text="Planer som gäller året.")


class PlanActivityFilter(ListFilter):
    plan = _id("Planens id.")
