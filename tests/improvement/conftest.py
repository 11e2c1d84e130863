"""Fixtures for the improvement cycle: units under region 08 (Kalmar), users with roles, a measure."""

from datetime import timedelta
from types import SimpleNamespace

import pytest

from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _same_day_as_collection(request, monkeypatch):
    """Several modules here compute ``TODAY = timezone.localdate()`` when they are imported. A run
    that crosses midnight in Stockholm between collection and a test would then compare dates a
    day apart; so for that test the application's "today" stays the day the module was imported."""
    from django.utils import timezone

    today = getattr(request.module, "TODAY", None)
    if today is None or timezone.localdate() - today != timedelta(days=1):
        return
    real = timezone.localdate

    def localdate(value=None, *args, **kwargs):
        return today if value is None else real(value, *args, **kwargs)

    monkeypatch.setattr(timezone, "localdate", localdate)


@pytest.fixture
def org(db):
    from lagesbild.org.models import OrgUnit

    region = OrgUnit.objects.get(code="08")

    def unit(code, name, kind, parent):
        return OrgUnit.objects.create(code=code, name=name, kind=kind, parent=parent)

    f1 = unit("08-F1", "Hälso- och sjukvårdsförvaltningen", "forvaltning", region)
    f2 = unit("08-F2", "Tandvårdsförvaltningen", "forvaltning", region)
    kir = unit("08-F1-KIR", "Kirurgkliniken", "verksamhet", f1)
    med = unit("08-F1-MED", "Medicinkliniken", "verksamhet", f1)
    tand = unit("08-F2-ALL", "Allmäntandvården", "verksamhet", f2)
    avd = unit("08-F1-KIR-AVD1", "Kirurgavdelning 1", "enhet", kir)
    return SimpleNamespace(region=region, f1=f1, f2=f2, kir=kir, med=med, tand=tand, avd=avd,
                           stockholm=OrgUnit.objects.get(code="01"))


def _user(username, unit, role):
    from django.contrib.auth import get_user_model

    from lagesbild.org.models import Membership

    user = get_user_model().objects.create_user(username, password=PASSWORD, first_name=username.title())
    Membership.objects.create(user=user, org_unit=unit, role=role)
    return user


@pytest.fixture
def users(org, kalmar_user):
    return SimpleNamespace(
        strategist=kalmar_user,  # strategist at region 08
        f1_strategist=_user("strateg-f1", org.f1, "strategist"),
        kir_manager=_user("chef-kir", org.kir, "manager"),
        med_manager=_user("chef-med", org.med, "manager"),
        reader=_user("lasare-08", org.region, "reader"),
    )


@pytest.fixture
def measure(db):
    from lagesbild.catalogue.models import Measure

    return Measure.objects.create(
        code="test-riskbedomning-24h", title="Riskbedömning inom 24 timmar", measure_type="process",
        unit="percent", direction="higher", decimals=1,
    )


@pytest.fixture
def falls(db):
    from lagesbild.catalogue.models import Measure

    return Measure.objects.create(
        code="test-fall-per-1000", title="Fallskador per 1 000 vårddagar", measure_type="resultat",
        unit="per_1000", direction="lower", decimals=1,
    )


@pytest.fixture
def fake_measurements(monkeypatch):
    """Stand-in for lagesbild.measurements.selectors: values by (measure code, unit code, period key)."""
    from lagesbild.improvement import measured

    values: dict = {}
    statuses: dict = {}

    def value_for(measure, unit, period):
        return values.get((measure.code, unit.code, period.key))

    def unit_statuses(unit, period):
        return statuses.get((unit.code, period.key), [])

    monkeypatch.setattr(measured, "selectors", SimpleNamespace(value_for=value_for, unit_statuses=unit_statuses))
    return SimpleNamespace(values=values, statuses=statuses)
