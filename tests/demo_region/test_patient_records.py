"""The demo's patient records reproduce Region Kalmar's report (seed 004): the four measures of
2024 and 2025 are computed from about 40 000 synthetic episodes through the patient import, and
the dashboards show the published figures."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db.models import F

from lagesbild.calc import localtime
from lagesbild.calc.periods import YEAR, Period
from lagesbild.ingest.models import Import
from lagesbild.measurements import selectors
from lagesbild.measurements.models import Observation
from lagesbild.org.models import OrgUnit
from lagesbild.patients.models import Assessment, Episode

pytestmark = pytest.mark.django_db

# measure: (Σnumerator, Σdenominator, value) in 2025, from the berättelse
REPORT_2025 = {
    "riskbedomning-70-24h": (7584, 14871, Decimal("51.0")),
    "atgard-24h-fallrisk": (4387, 4769, Decimal("92.0")),
    "atgard-24h-trycksar": (1785, 2006, Decimal("89.0")),
    "atgard-24h-undernaring": (3244, 3686, Decimal("88.0")),
}
# kind: (episodes assessed, episodes with a risk found) in the 2025 base population
ASSESSED_2025 = {"fall": (8582, 4769), "trycksar": (8727, 2006), "undernaring": (7851, 3686)}


@pytest.fixture
def region(db):
    from django.contrib.auth import get_user_model

    from lagesbild.demo_region.load import load

    admin = get_user_model().objects.create_user("demoadmin")
    load(admin, incidents=False)  # test_demo_incidents.py loads the incidents
    return OrgUnit.objects.get(code="08")


def test_the_records_give_the_reports_figures_and_counts(region, client, kalmar_user):
    statuses = {s.measure.code: s for s in selectors.unit_statuses(region, Period(date(2025, 1, 1), YEAR))}
    for code, (num, den, value) in REPORT_2025.items():
        s = statuses[code]
        assert (s.sums.numerator, s.sums.denominator, s.value) == (num, den, value), code
    assert statuses["riskbedomning-70-24h"].previous == Decimal("38.0")  # 2024
    # every figure of 2024–2025 comes from the patient import, split by sex
    derived = Observation.objects.filter(measure__code__in=REPORT_2025, period_start__year__in=(2024, 2025))
    assert set(derived.values_list("source_import__kind", flat=True)) == {"patients"}
    assert set(derived.values_list("sex", flat=True)) == {"K", "M"}
    client.force_login(kalmar_user)
    page = client.get("/uppfoljning/08/?period=2025").content.decode()
    assert "51,0\u00a0%" in page and "14\u00a0871" in page
    # one test, one load of the 40 788 episodes: the counts behind the figures, from the records
    start, end = localtime.from_local(datetime(2025, 1, 1)), localtime.from_local(datetime(2026, 1, 1))
    base = Episode.objects.filter(admitted_at__gte=start, admitted_at__lt=end, age__gte=70,
                                  discharged_at__gte=F("admitted_at") + timedelta(hours=24))
    assert base.count() == 14871
    for kind, (assessed, at_risk) in ASSESSED_2025.items():
        found = Assessment.objects.filter(episode__in=base, kind=kind)
        assert found.values("episode").distinct().count() == assessed, kind
        assert found.filter(risk=True).values("episode").distinct().count() == at_risk, kind
    assert Import.objects.filter(kind="patients", outcome=Import.Outcome.OK).count() == 1
