"""What layers above measurements add to a dashboard row or a measure page, without measurements
importing them: a layer registers a provider (the improvement app: its cycle summaries) and the
presenters collect from every registered provider.

    provider(measures: list[Measure], unit: OrgUnit, period: Period) -> {measure pk: object}
"""

from __future__ import annotations

from typing import Callable

Provider = Callable[[list, object, object], dict]

_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add a provider (idempotent: registering the same one twice keeps one)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister(provider: Provider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def collect(measures: list, unit, period) -> dict[int, object]:
    """Each measure's annotation; a later provider's object wins for the same measure."""
    out: dict[int, object] = {}
    for provider in _providers:
        out.update(provider(measures, unit, period))
    return out
