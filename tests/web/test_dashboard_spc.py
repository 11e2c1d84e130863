"""The control chart on the dashboard (a variation and an assurance icon beside the value, with a
Swedish text alternative and a line in the legend) and the measure page's forms for the settings
and the rebases, through real requests."""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from lagesbild.catalogue.models import Measure
from lagesbild.core.actor import Actor
from lagesbild.measurements import services as measurements
from lagesbild.measurements.models import Rebase, SpcSetting, Target
from lagesbild.org.models import AuditEvent, OrgUnit
from tests.conftest import _user
from tests.measurements.conftest import csv

pytestmark = pytest.mark.django_db
# 2024-01 … 2025-06: 17 months around 70 %, then 95 % (outside the upper limit: special cause, high);
# the target 90 % lies above the upper limit (≈ 75): the process will not meet it without a change.
VALUES = [70, 72, 69, 71, 70, 73, 68, 70, 71, 69, 72, 70, 71, 69, 70, 72, 71, 95]
MONTHS = [f"{2024 + i // 12}-{i % 12 + 1:02d}" for i in range(len(VALUES))]
IMG = re.compile(r'<img class="spc-icon" src="([^"]+)" alt="([^"]*)"')


@pytest.fixture
def unit(db):
    unit = OrgUnit.objects.create(code="08-SPC", name="Spc-avdelningen", kind="enhet", parent=OrgUnit.objects.get(code="08"))
    up = Measure.objects.create(code="t-spc", title="Riskbedömning (test)", measure_type="process", unit="percent",
                                direction="higher", decimals=1, frequency="month")
    Target.objects.create(measure=up, org_unit=unit, comparator=">=", value=Decimal("90"), warning_band=Decimal("5"))
    # Lower is better, the same figures: 95 % is a concern; no target, so no assurance icon.
    Measure.objects.create(code="t-fall", title="Fall (test)", measure_type="resultat", unit="percent",
                           direction="lower", decimals=1, frequency="month")
    Measure.objects.create(code="t-kort", title="Kort serie", measure_type="process", unit="percent",
                           direction="higher", decimals=1, frequency="month")
    rows = [f"{code};08-SPC;{p};;;{v};100;" for code in ("t-spc", "t-fall") for p, v in zip(MONTHS, VALUES)]
    rows += [f"t-kort;08-SPC;{p};;;{v};100;" for p, v in zip(MONTHS[-11:], VALUES[-11:])]  # 11 months: too few
    measurements.import_observations(csv(*rows), "serie.csv", actor=Actor.system())
    return unit


def icons_of(html: str, code: str) -> list[tuple[str, str]]:
    row = re.search(rf'<tr data-measure="{code}">(.*?)</tr>', html, re.S).group(1)
    value_cell = re.search(r'<td class="num value">(.*?)</td>', row, re.S).group(1)
    return [(Path(src).name, alt) for src, alt in IMG.findall(value_cell)]


def test_each_measure_with_a_long_enough_series_gets_its_icons_beside_the_value(client, unit):
    client.force_login(_user("strateg", "08", "strategist"))
    html = client.get("/uppfoljning/08-SPC/?period=2025-06").content.decode()
    assert icons_of(html, "t-spc") == [
        ("improvement_high.svg", "Variation senaste månaden: Särskild orsak – förbättring, höga värden"),
        ("consistent_fail.svg", "Målsäkring: Målet nås inte utan en förändring av processen"),
    ]
    assert icons_of(html, "t-fall") == [
        ("concern_high.svg", "Variation senaste månaden: Särskild orsak – försämring, höga värden")]
    assert icons_of(html, "t-kort") == []
    # the icons link to the measure's control chart, per month
    assert 'href="/uppfoljning/08-SPC/matt/t-spc/?period=2025-06&amp;granularitet=month#styrdiagram"' in html
    legend = re.search(r'<p class="spc-legend">(.*?)</p>', html, re.S).group(1)
    assert [Path(src).name for src, _ in IMG.findall(legend)] == [
        "common_cause.svg", "improvement_high.svg", "improvement_low.svg", "concern_high.svg", "concern_low.svg",
        "neutral_high.svg", "neutral_low.svg", "consistent_pass.svg", "consistent_fail.svg", "inconsistent.svg"]
    assert "försämring (L)</span>" in legend and "målet nås vissa månader</span>" in legend


def test_every_icon_is_served_as_our_own_svg_with_a_swedish_title(client, unit):
    client.force_login(_user("strateg", "08", "strategist"))
    html = client.get("/uppfoljning/08-SPC/?period=2025-06").content.decode()
    for src, _ in IMG.findall(html):
        path = finders.find(src.removeprefix("/static/"))
        assert path, src
        svg = Path(path).read_text(encoding="utf-8")
        assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and "<title>" in svg
        assert "nhs" not in svg.lower()  # drawn here, not NHS's files


def test_without_spc_on_the_dashboard_no_icon_and_no_legend_line(client, unit, settings):
    settings.LAGESBILD_DASHBOARD_SPC = False
    client.force_login(_user("strateg", "08", "strategist"))
    html = client.get("/uppfoljning/08-SPC/?period=2025-06").content.decode()
    assert icons_of(html, "t-spc") == [] and 'class="spc-legend"' not in html


def test_a_rebase_is_recorded_listed_and_deleted_on_the_measure_page(client, unit):
    client.force_login(_user("strateg", "08", "strategist"))
    url = "/uppfoljning/08-SPC/matt/t-spc/"
    page = client.get(url + "?period=2025-06").content.decode()
    assert 'action="/uppfoljning/08-SPC/matt/t-spc/styrdiagram/baslinje/"' in page
    assert "Ingen ny baslinje" in page

    response = client.post(url + "styrdiagram/baslinje/", {"period": "2025-06", "month": "2025-06", "reason": ""},
                           follow=True)
    assert "Den nya baslinjen sparades inte: ange skälet till den nya baslinjen" in response.content.decode()
    response = client.post(url + "styrdiagram/baslinje/", {"period": "2025-06", "month": "juni", "reason": "x"}, follow=True)
    assert "ange månaden som ÅÅÅÅ-MM" in response.content.decode()
    assert not Rebase.objects.exists()

    response = client.post(url + "styrdiagram/baslinje/",
                           {"period": "2025-06", "month": "2025-01", "reason": "Ny rutin för riskbedömning infördes"})
    assert response.status_code == 302
    assert response["Location"] == url + "?granularitet=month&period=2025-06#styrdiagram"
    page = client.get(response["Location"]).content.decode()
    assert "Ny baslinje från jan 2025 sparad för Spc-avdelningen och enheterna under." in page
    assert "Från 2025-01</strong> (Spc-avdelningen): Ny rutin för riskbedömning infördes" in page
    assert "<td>Ny rutin för riskbedömning infördes</td>" in page  # the table's row of jan 2025
    assert "Ny baslinje från jan 2025: Ny rutin för riskbedömning infördes" in page  # the chart's rule
    assert AuditEvent.objects.filter(action="spc.rebase.create", username="strateg").count() == 1

    rebase = Rebase.objects.get()
    response = client.post(url + f"styrdiagram/baslinje/{rebase.pk}/ta-bort/", {"period": "2025-06"}, follow=True)
    assert "Den nya baslinjen från 2025-01 är borttagen." in response.content.decode()
    assert not Rebase.objects.exists() and AuditEvent.objects.filter(action="spc.rebase.delete").count() == 1


def test_a_reader_sees_the_rebases_but_no_forms_and_may_not_post(client, unit):
    Rebase.objects.create(measure_code="t-spc", org_unit=OrgUnit.objects.get(code="08"), month=date(2025, 1, 1),
                          reason="Ny rutin i regionen")
    client.force_login(_user("lasare", "08", "reader"))
    url = "/uppfoljning/08-SPC/matt/t-spc/"
    page = client.get(url + "?period=2025-06").content.decode()
    assert "(Region Kalmar län, gäller även här): Ny rutin i regionen" in page
    assert "Lägg till ny baslinje" not in page and "Spara inställningarna" not in page and "Ta bort" not in page
    assert client.post(url + "styrdiagram/baslinje/", {"month": "2025-02", "reason": "x"}).status_code == 403
    assert client.post(url + "styrdiagram/installningar/", {"run_length": "6"}).status_code == 403
    assert client.post(url + f"styrdiagram/baslinje/{Rebase.objects.get().pk}/ta-bort/").status_code == 403
    assert Rebase.objects.count() == 1 and not SpcSetting.objects.exists()


def test_settings_are_saved_from_the_measure_page_and_change_the_chart(client, unit):
    client.force_login(_user("admin", "08", "admin"))
    url = "/uppfoljning/08-SPC/matt/t-spc/"
    response = client.post(url + "styrdiagram/installningar/", {"period": "2025-06", "fix_after": "1", "run_length": "6"},
                           follow=True)
    assert "Inställningarna sparades inte: fixera efter N punkter: N ska vara minst 2" in response.content.decode()
    response = client.post(url + "styrdiagram/installningar/", {"period": "2025-06", "fix_after": "", "run_length": "6"},
                           follow=True)
    page = response.content.decode()
    assert "Styrdiagrammets inställningar är sparade" in page
    assert "trend och skift vid 6 punkter i följd" in page
    assert '<option value="6" selected>' in page
    assert SpcSetting.objects.get().run_length == 6


def test_the_dashboards_excel_says_the_icons_in_words(client, unit):
    import io

    import openpyxl

    client.force_login(_user("strateg", "08", "strategist"))
    r = client.get("/uppfoljning/08-SPC/export.xlsx?period=2025-06")
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    header = next(row for row in ws.iter_rows(values_only=True) if row[0] == "Mått")
    variation, assurance = header.index("Variation (styrdiagram)"), header.index("Målsäkring")
    rows = {row[0]: row for row in ws.iter_rows(values_only=True) if row[0]}
    assert rows["Riskbedömning (test)"][variation] == "Särskild orsak – förbättring, höga värden"
    assert rows["Riskbedömning (test)"][assurance] == "Målet nås inte utan en förändring av processen"
    assert rows["Fall (test)"][variation] == "Särskild orsak – försämring, höga värden"
    assert rows["Fall (test)"][assurance] is None and rows["Kort serie"][variation] is None
