"""What every API endpoint shares: a bounded page and validated query parameters.

Lives in ``org`` (the lowest app with Django REST framework) so every app's API can use it
without an upward import.
"""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

from lagesbild.calc.periods import Period

MAX_LIMIT = 1000
MAX_OFFSET = 10**9
MAX_ID = 2**63 - 1  # a database id (64-bit)


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """``limit`` at most MAX_LIMIT; a limit or offset that is not a sane whole number is a 400,
    not a silent default and never a database error."""

    default_limit = 100
    max_limit = MAX_LIMIT

    def _bounded(self, request, name: str, default, upper: int):
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return default
        if not raw.isdigit() or len(raw) > 12:
            raise ValidationError({name: f"ska vara ett heltal från 0 till {upper}"})
        value = int(raw)
        if value > upper:
            if name == self.limit_query_param:
                return upper  # the page is capped, as the schema says
            raise ValidationError({name: f"ska vara ett heltal från 0 till {upper}"})
        return value

    def get_limit(self, request):
        limit = self._bounded(request, self.limit_query_param, self.default_limit, self.max_limit)
        return limit or self.default_limit

    def get_offset(self, request):
        return self._bounded(request, self.offset_query_param, 0, MAX_OFFSET)


def query_params(serializer_class: type[serializers.Serializer], request) -> dict:
    """Validate a view's query parameters with a (filter) serializer: 400 with a message for
    each bad parameter, the cleaned values otherwise."""
    s = serializer_class(data=request.query_params)
    s.is_valid(raise_exception=True)
    return s.validated_data


def id_filter(help_text: str) -> serializers.IntegerField:
    """An optional query parameter naming an object by its database id."""
    return serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text=help_text)


class PeriodField(serializers.CharField):
    """A period key (2025-03, 2025-Q1, 2025-T1, 2025) as a Period; anything else is a 400."""

    MAX_LENGTH = 10

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Period: 2025-03, 2025-Q1, 2025-T1 eller 2025.")
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> Period:
        text = super().to_internal_value(data)
        if len(text) > self.MAX_LENGTH:
            raise ValidationError(f"en period har högst {self.MAX_LENGTH} tecken")
        try:
            return Period.parse(text)  # bounded to the years a period may have, with the reason
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
