"""The measure page's control chart: the monthly series as an XmR chart (calc.spc) with the signal
of the latest month and the assurance against the target, and a table naming each point's rule."""

from decimal import Decimal

import pytest

from lagesbild.catalogue.models import Measure
from lagesbild.core.actor import Actor
from lagesbild.measurements import services as measurements
from lagesbild.measurements.models import Target
from lagesbild.org.models import OrgUnit
from tests.conftest import _user
from tests.measurements.conftest import csv

pytestmark = pytest.mark.django_db
# 2024-01 … 2025-06: 17 months around 70 %, then 95 % in the last month (outside the upper limit)
VALUES = [70, 72, 69, 71, 70, 73, 68, 70, 71, 69, 72, 70, 71, 69, 70, 72, 71, 95]


@pytest.fixture
def measure_page(client):
    unit = OrgUnit.objects.create(code="08-SPC", name="Spc-avdelningen", kind="enhet", parent=OrgUnit.objects.get(code="08"))
    m = Measure.objects.create(code="t-spc", title="Riskbedömning (test)", measure_type="process", unit="percent",
                               direction="higher", decimals=1, frequency="month")
    Target.objects.create(measure=m, org_unit=unit, comparator=">=", value=Decimal("90"), warning_band=Decimal("5"))
    months = [f"{2024 + i // 12}-{i % 12 + 1:02d}" for i in range(len(VALUES))]
    measurements.import_observations(csv(*[f"t-spc;08-SPC;{p};;;{v};100;" for p, v in zip(months, VALUES)]),
                                     "serie.csv", actor=Actor.system())
    client.force_login(_user("strateg", "08", "strategist"))
    return client.get("/uppfoljning/08-SPC/matt/t-spc/?period=2025-06").content.decode()


def test_the_latest_month_is_special_cause_improvement_and_the_target_is_not_met_consistently(measure_page):
    assert "Styrdiagram: signal eller brus?" in measure_page
    assert "Särskild orsak – förbättring</span> i senaste månaden" in measure_page
    assert "Målet nås inte utan en förändring av processen" in measure_page  # 90 % lies above the upper limit
    assert "utanför styrgränsen (hög)" in measure_page
    assert measure_page.count("<svg") >= 2  # the series chart and the control chart


def test_a_series_too_short_for_limits_has_no_control_chart(client):
    unit = OrgUnit.objects.create(code="08-KORT", name="Kort", kind="enhet", parent=OrgUnit.objects.get(code="08"))
    Measure.objects.create(code="t-kort", title="Kort serie", measure_type="process", unit="percent",
                           direction="higher", decimals=1, frequency="month")
    measurements.import_observations(csv("t-kort;08-KORT;2025-05;;;7;10;", "t-kort;08-KORT;2025-06;;;8;10;"),
                                     "kort.csv", actor=Actor.system())
    client.force_login(_user("strateg", "08", "strategist"))
    page = client.get(f"/uppfoljning/{unit.code}/matt/t-kort/?period=2025-06").content.decode()
    assert "Visa styrdiagrammet som tabell" not in page and "i senaste månaden" not in page  # no chart …
    assert "Styrdiagrammet visas när måttet har värden för minst 12 månader" in page  # … and the page says why
