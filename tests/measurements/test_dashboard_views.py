"""Issue 9: the period selector, targets in the measure's unit, n, the status legend, the heat map."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from lagesbild.calc import periods
from lagesbild.calc.periods import Period
from lagesbild.measurements import presenters, selectors
from lagesbild.measurements.models import Target
from lagesbild.org.models import AuditEvent
from tests.measurements.test_pages import NB, data, row, text  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page).group(1)
    return re.findall(r'<option value="([^"]*)"', select)


def selected(page: str, name: str) -> str:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page).group(1)
    return re.search(r'<option value="([^"]*)" selected', select).group(1)


def test_periods_with_data_per_granularity(data):
    region = data["region"]
    assert [p.key for p in selectors.periods_with_data(region, periods.MONTH)] == ["2025-05", "2025-02", "2025-01", "2024-06"]
    assert [p.key for p in selectors.periods_with_data(region, periods.QUARTER)] == ["2025-Q2", "2025-Q1", "2024-Q2"]
    assert [p.key for p in selectors.periods_with_data(region, periods.TERTIAL)] == ["2025-T2", "2025-T1", "2024-T2"]
    assert [p.key for p in selectors.periods_with_data(data["pv"], periods.YEAR)] == ["2025"]


def test_the_selector_offers_only_periods_with_data_and_defaults_to_the_latest(client, data, kalmar_user):
    client.force_login(kalmar_user)
    page = text(client.get(reverse("measurements:dashboard", args=["08"])))
    assert options(page, "period") == ["2025", "2024"]  # no empty years before or after
    assert selected(page, "period") == "2025"
    assert options(page, "periodtyp") == ["month", "quarter", "tertial", "year"]


def test_changing_the_granularity_picks_the_latest_period_with_data_inside(client, data, kalmar_user):
    client.force_login(kalmar_user)
    page = text(client.get(reverse("measurements:dashboard", args=["08"]) + "?periodtyp=quarter&period=2025"))
    assert options(page, "period") == ["2025-Q2", "2025-Q1", "2024-Q2"]
    assert selected(page, "period") == "2025-Q2" and selected(page, "periodtyp") == "quarter"
    page = text(client.get(reverse("measurements:dashboard", args=["08"]) + "?periodtyp=month&period=2024"))
    assert selected(page, "period") == "2024-06"
    assert client.get(reverse("measurements:dashboard", args=["08"]) + "?periodtyp=week").status_code == 400


def test_targets_show_the_measures_unit_and_values_their_n(client, data, kalmar_user, per1000):
    client.force_login(kalmar_user)
    cells = row(text(client.get(reverse("measurements:dashboard", args=["08"]) + "?period=2025")), "t-andel")
    assert f"≥ 90,0{NB}%" in cells
    assert '<td class="num n">120</td>' in cells  # 2 + 100 + 10 + 8
    assert "n = 4" in cells  # last year: the one 2024 row
    t = Target(measure=per1000, org_unit=data["region"], comparator="<=", value=Decimal("250"))
    assert presenters.target_figure(t).text == "≤ 250 per 1 000"


def test_the_legend_explains_nara_from_the_warning_band(client, data, kalmar_user):
    client.force_login(kalmar_user)
    page = text(client.get(reverse("measurements:dashboard", args=["08"]) + "?period=2025"))
    assert f"Nära ≥ 84,0{NB}%" in row(page, "t-andel")  # 90 − 6
    assert f"t.ex. ≥ 84,0{NB}% när målet är ≥ 90,0{NB}%" in page
    assert '#nara"' in page and '#saknar-data"' in page


def test_previous_is_dropped_when_it_is_last_year(client, data, kalmar_user):
    client.force_login(kalmar_user)
    year = text(client.get(reverse("measurements:dashboard", args=["08"]) + "?period=2025"))
    assert "Föregående" not in year and "I fjol (2024)" in year
    month = text(client.get(reverse("measurements:dashboard", args=["08"]) + "?period=2025-02"))
    assert "Föregående (jan 2025)" in month and "I fjol (feb 2024)" in month


def heat_rows(page: str) -> list[str]:
    table = re.search(r'<table class="heatmap">(.*?)</table>', page).group(1)
    return re.findall(r'<tr><th scope="row"><a href="/uppfoljning/([^/]+)/', table)


def test_heat_map_shows_value_n_and_status_per_child_and_measure(client, data, kalmar_user):
    client.force_login(kalmar_user)
    r = client.get(reverse("measurements:heatmap", args=["08"]) + "?period=2025")
    assert r.status_code == 200
    page = text(r)
    assert heat_rows(page) == ["T-HSF", "T-PV"]
    hsf = re.search(r'<th scope="row"><a href="/uppfoljning/T-HSF/.*?</tr>', page).group(0)
    assert f"90,2{NB}%" in hsf and "n = 112" in hsf and "status-uppnatt" in hsf and "Uppnått" in hsf
    pv = re.search(r'<th scope="row"><a href="/uppfoljning/T-PV/.*?</tr>', page).group(0)
    assert f"0,0{NB}%" in pv and "Ej uppnått" in pv
    assert 'class="table-scroll"' in page
    assert AuditEvent.objects.filter(action="heatmap.view", user=kalmar_user).exists()


def test_heat_map_sorts_by_any_measure_server_side(client, data, kalmar_user):
    client.force_login(kalmar_user)
    url = reverse("measurements:heatmap", args=["08"]) + "?period=2025&sort=t-andel"
    assert heat_rows(text(client.get(url + "&dir=asc"))) == ["T-PV", "T-HSF"]
    page = text(client.get(url + "&dir=desc"))
    assert heat_rows(page) == ["T-HSF", "T-PV"]
    assert 'aria-sort="descending"' in page and "sort=t-andel&amp;dir=asc" in page  # the link turns it round
    assert heat_rows(text(client.get(url.replace("t-andel", "namn") + "&dir=desc"))) == ["T-PV", "T-HSF"]


def test_children_on_the_dashboard_show_value_n_status_and_no_data(client, data, kalmar_user, per1000):
    client.force_login(kalmar_user)
    page = text(client.get(reverse("measurements:dashboard", args=["08"]) + "?period=2025"))
    section = page[page.index("Enheter under"):]
    assert f"90,2{NB}%" in section and "n = 112" in section and "Uppnått" in section
    assert '<th scope="col" class="num">Saknar data</th>' in section
    assert reverse("measurements:heatmap", args=["08"]) in page


def test_measure_page_shows_target_unit_n_and_the_measures_unit(client, data, kalmar_user):
    client.force_login(kalmar_user)
    page = text(client.get(reverse("measurements:measure", args=["08", "t-andel"]) + "?period=2025"))
    assert f"≥ 90,0{NB}%" in page and '<dd class="n">120</dd>' in page
    assert "Måttenhet" in page and options(page, "period") == ["2025", "2024"]
    assert "Samma period året före" in page


def test_default_period_with_data_is_the_first_choice(data):
    assert selectors.latest_period_with_data(data["region"]) == Period.parse("2025")
    assert selectors.latest_period_with_data(data["region"], periods.MONTH) == Period.parse("2025-05")


def test_rows_and_heat_cells_written_in_python_escape_their_texts(client, data, kalmar_user, share):
    """The dashboard's rows and heat-map cells are built outside the template (measurements.rendered):
    a measure's title is escaped there as the template would, and the cells keep their markup."""
    share.title = 'Andel <b>"a" & \'b\'</b>'
    share.save()
    client.force_login(kalmar_user)
    page = text(client.get(reverse("measurements:dashboard", args=["08"]) + "?period=2025"))
    assert "&lt;b&gt;&quot;a&quot; &amp; &#x27;b&#x27;&lt;/b&gt;" in row(page, "t-andel")
    assert "<b>" not in page
    hsf = re.search(r'<th scope="row"><a href="/uppfoljning/T-HSF/.*?</tr>', page, re.S).group(0)
    assert (f'<td class="num cell status-uppnatt" title="90,2{NB}% (n = 112)">90,2{NB}%'
            '<br><small class="n">n = 112</small><br><span class="badge status-uppnatt">Uppnått</span></td>') in hsf
