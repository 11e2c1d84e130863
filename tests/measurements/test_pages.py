"""Dashboard and measure pages on a real database, through the test client."""

import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from lagesbild.core.actor import Actor
from lagesbild.measurements import services
from lagesbild.measurements.models import Target
from lagesbild.org.models import AuditEvent
from tests.measurements.conftest import csv

pytestmark = pytest.mark.django_db
NB = "\u00a0"


def text(r) -> str:
    return re.sub(r"[ \t\r\n]+", " ", r.content.decode("utf-8"))


@pytest.fixture
def data(tree, share, region_admin):
    services.import_observations(csv(
        "t-andel;T-AVD1;2025-01;;;1;2;", "t-andel;T-AVD2;2025-01;;;90;100;", "t-andel;T-AVD3;2025-02;;;10;10;",
        "t-andel;T-VC1;2025-05;;;0;8;", "t-andel;T-AVD1;2024-06;;;1;4;",
    ), "obs.csv", actor=Actor.cli(region_admin))
    Target.objects.create(measure=share, org_unit=tree["region"], comparator=">=", value=Decimal("90"), warning_band=Decimal("6"))
    return tree


def row(page: str, code: str) -> str:
    return re.search(rf'<tr data-measure="{code}"[^>]*>(.*?)</tr>', page).group(1)


def test_region_dashboard_rolls_up_from_the_leaves(client, data, kalmar_user):
    client.force_login(kalmar_user)
    r = client.get(reverse("measurements:dashboard", args=["08"]) + "?period=2025")
    assert r.status_code == 200
    cells = row(text(r), "t-andel")
    assert f"84,2{NB}%" in cells and "≥ 90,0" in cells and "Nära" in cells
    assert f"25,0{NB}%" in cells  # 2024
    assert "<svg" in cells  # sparkline
    assert AuditEvent.objects.filter(action="dashboard.view", user=kalmar_user).exists()


def test_drill_down_to_a_child_unit(client, data, kalmar_user):
    client.force_login(kalmar_user)
    page = text(client.get(reverse("measurements:dashboard", args=["08"]) + "?period=2025"))
    assert 'href="/uppfoljning/T-HSF/?period=2025"' in page
    child = text(client.get("/uppfoljning/T-HSF/?period=2025"))
    assert f"90,2{NB}%" in row(child, "t-andel") and "Uppnått" in row(child, "t-andel")


def test_an_import_is_visible_at_once(client, data, kalmar_user, region_admin):
    client.force_login(kalmar_user)
    url = reverse("measurements:dashboard", args=["08"]) + "?period=2025"
    assert f"84,2{NB}%" in row(text(client.get(url)), "t-andel")
    services.import_observations(csv("t-andel;T-VC1;2025-06;;;8;8;"), "mer.csv", actor=Actor.cli(region_admin))
    assert f"85,2{NB}%" in row(text(client.get(url)), "t-andel")  # 109/128


def test_other_regions_dashboard_is_forbidden(client, data, kalmar_user):
    client.force_login(kalmar_user)
    assert client.get(reverse("measurements:dashboard", args=["12"])).status_code == 403
    assert client.get(reverse("measurements:measure", args=["12", "t-andel"])).status_code == 403


def test_measure_page_explains_the_figure(client, data, kalmar_user):
    client.force_login(kalmar_user)
    page = text(client.get(reverse("measurements:measure", args=["08", "t-andel"]) + "?period=2025"))
    assert f"84,2{NB}%" in page
    assert "över 4 observationer" in page and "obs.csv" in page
    # Children ranked, best first for a higher-is-better measure.
    ranked = re.findall(r'<a href="/uppfoljning/(T-[A-Z]+)/matt/t-andel/\?period=2025">', page)
    assert ranked == ["T-HSF", "T-PV"]
    assert "<svg" in page


def test_excel_export_of_the_dashboard_has_live_formulas(client, data, kalmar_user, tmp_path):
    client.force_login(kalmar_user)
    r = client.get(reverse("measurements:dashboard_xlsx", args=["08"]) + "?period=2025")
    assert r.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    ws = wb.active
    rows = [row for row in ws.iter_rows() if row[0].value == "Testandel"]
    (cells,) = rows
    assert cells[3].value == 101 and cells[4].value == 120
    assert str(cells[5].value).startswith("=IF(") and "ROUND(" in cells[5].value
    values = openpyxl.load_workbook(io.BytesIO(r.content), data_only=True).active
    (cached,) = [row for row in values.iter_rows(values_only=True) if row[0] == "Testandel"]
    assert cached[5] == 84.2


def test_import_page_shows_located_errors(client, tree, share, region_admin):
    client.force_login(region_admin)
    bad = io.BytesIO(csv("t-andel;T-AVD1;2025-01;;;3;2;"))
    bad.name = "fel.csv"
    r = client.post(reverse("measurements:import"), {"kind": "observations", "file": bad}, headers={"HX-Request": "true"})
    assert r.status_code == 422
    assert "större än nämnaren" in text(r) and "fel.csv" in text(r)
    good = io.BytesIO(csv("t-andel;T-AVD1;2025-01;;;1;2;"))
    good.name = "ok.csv"
    r = client.post(reverse("measurements:import"), {"kind": "observations", "file": good})
    assert r.status_code == 302


def test_reader_cannot_import(client, tree, national_reader):
    client.force_login(national_reader)
    assert client.get(reverse("measurements:import")).status_code == 403


def test_dashboard_query_count_does_not_grow_with_measures(client, data, kalmar_user, share, per1000):
    """A bounded number of queries whatever the number of measures and targets (no N+1)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Target.objects.create(measure=per1000, org_unit=data["region"], comparator="<=", value=Decimal("250"))
    client.force_login(kalmar_user)
    url = reverse("measurements:dashboard", args=["08"]) + "?period=2025"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    from lagesbild.catalogue.models import Measure

    for i in range(10):
        m = Measure.objects.create(code=f"t-extra-{i}", title=f"Extra {i}", measure_type="process", unit="percent",
                                   direction="higher")
        Target.objects.create(measure=m, org_unit=data["region"], comparator=">=", value=Decimal("50"))
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries) <= 20
