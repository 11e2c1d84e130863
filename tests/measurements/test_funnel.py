"""Funnel plots on a real database: a förvaltning whose children have hand-counted sums (one of
them a verksamhet whose two wards report in two months, so its figure is a subtree sum), one child
with a zero numerator, one without data and one whose denominator sums to 0. The presenter, the
page, the API and the scoping of both."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from lagesbild.calc.periods import Period
from lagesbild.core.actor import Actor
from lagesbild.measurements import funnel_view, services
from lagesbild.org.models import AuditEvent, Membership, OrgUnit
from tests.conftest import PASSWORD
from tests.measurements.conftest import csv

pytestmark = pytest.mark.django_db
NB = "\u00a0"

# The children's sums, as in tests/calc/test_funnel.py (worked by hand there): A has a zero
# numerator; D is 30/150 + 30/150 from two wards in two months. p̄ = 112/690 = 16,23… %.
COUNTS = {"F-A": (0, 50), "F-B": (10, 100), "F-C": (30, 200), "F-D": (60, 300), "F-E": (12, 40)}


@pytest.fixture
def forv(db, share, region_admin):
    region = OrgUnit.objects.get(code="08")
    f = OrgUnit.objects.create(code="F-FORV", name="Testförvaltningen", kind="forvaltning", parent=region)
    other = OrgUnit.objects.create(code="F-ANNAN", name="Andra förvaltningen", kind="forvaltning", parent=region)
    units = {code: OrgUnit.objects.create(code=code, name=f"Enhet {code.split('-')[1]}", kind="enhet", parent=f)
             for code in ("F-A", "F-B", "F-C", "F-E", "F-TOM", "F-NOLL")}
    units["F-D"] = OrgUnit.objects.create(code="F-D", name="Enhet D", kind="verksamhet", parent=f)
    for code in ("F-D1", "F-D2"):
        OrgUnit.objects.create(code=code, name=code, kind="enhet", parent=units["F-D"])
    OrgUnit.objects.create(code="F-X", name="Annan enhet", kind="enhet", parent=other)
    services.import_observations(csv(
        "t-andel;F-A;2025-01;;;0;20;", "t-andel;F-A;2025-02;;;0;30;",
        "t-andel;F-B;2025-03;;;10;100;",
        "t-andel;F-C;2025-01;;;30;200;",
        "t-andel;F-D1;2025-01;;;10;70;", "t-andel;F-D1;2025-02;;;20;80;", "t-andel;F-D2;2025-06;;;30;150;",
        "t-andel;F-E;2025-11;;;12;40;",
        "t-andel;F-NOLL;2025-04;;;0;0;",
        "t-andel;F-B;2024-03;;;99;100;",  # another year: not in 2025's funnel
        "t-andel;F-X;2025-01;;;5;10;",  # another förvaltning
    ), "obs.csv", actor=Actor.cli(region_admin))
    return f


def test_the_presenter_compares_the_children_with_hand_computed_figures(forv, share):
    page = funnel_view.funnel_page(forv, share, Period.parse("2025"))
    rows = {r.unit.code: r for r in page.rows}
    assert {code: (rows[code].numerator, rows[code].denominator) for code in COUNTS} == COUNTS
    # The mean is the ratio of the summed counts, not a mean of the shares.
    assert (page.numerator, page.denominator) == (112, 690)
    assert page.funnel.target == pytest.approx(112 / 690) and page.mean.text == f"16,2{NB}%"
    assert page.phi_text == "5,69" and page.tau2_text == "0,0127" and page.adjusted
    a, e = rows["F-A"], rows["F-E"]
    assert a.share.text == f"0,0{NB}%" and a.point.share == 0  # the zero numerator is plotted
    assert a.position_adjusted_text == f"under 99,8{NB}%" and a.position_unadjusted_text == f"under 99,8{NB}%"
    assert a.limits998_adjusted == f"0,0–54,0{NB}%" and a.limits95 == f"7,4–27,6{NB}%"
    assert e.share.text == f"30,0{NB}%"
    assert e.position_adjusted_text == "inom" and e.position_unadjusted_text == f"över 95{NB}%"
    assert [r.unit.code for r in page.outside998] == ["F-A"] and page.outside95 == []
    assert page.outside998_text == "Enhet A (under, sämre)"  # higher is better
    assert [r.unit.code for r in page.plotted] == ["F-A", "F-B", "F-C", "F-D", "F-E"]
    # No rows and a denominator summing to 0: not plotted, "saknar data".
    assert {r.unit.code: r.position_text for r in page.without_data} == {"F-NOLL": "saknar data", "F-TOM": "saknar data"}
    assert "<svg" in page.chart and "Enhet A: 0,0" in page.chart


def test_without_the_adjustment_and_with_too_few_units(forv, share):
    page = funnel_view.funnel_page(forv, share, Period.parse("2025"), adjust=False)
    assert page.funnel.tau2 == 0 and page.phi_text == "5,69"
    e = next(r for r in page.rows if r.unit.code == "F-E")
    assert e.position_adjusted_text == f"över 95{NB}%"
    one = funnel_view.funnel_page(OrgUnit.objects.get(code="F-D"), share, Period.parse("2025-01", ))
    assert [r.unit.code for r in one.plotted] == ["F-D1"] and not one.compares and one.chart == ""
    assert one.mean.text == f"14,3{NB}%"  # 10/70


def test_the_nation_compares_the_regions_only(db, share, national_user):
    region = OrgUnit.objects.get(code="08")
    ward = OrgUnit.objects.create(code="N-AVD", name="Avdelning", kind="enhet", parent=region)
    services.import_observations(csv("t-andel;N-AVD;2025-01;;;3;4;", "t-andel;0880;2025-01;;;1;2;"), "obs.csv",
                                 actor=Actor.cli(national_user))
    assert ward and OrgUnit.objects.get(code="0880").kind == "kommun"
    page = funnel_view.funnel_page(OrgUnit.objects.get(code="SE"), share, Period.parse("2025"))
    assert {r.unit.kind for r in page.rows} == {"region"} and len(page.rows) == 21
    assert [(r.unit.code, r.numerator, r.denominator) for r in page.plotted] == [("08", 3, 4)]
    kommuner = funnel_view.funnel_page(OrgUnit.objects.get(code="SE"), share, Period.parse("2025"), compare="kommuner")
    assert [(r.unit.code, r.numerator) for r in kommuner.plotted] == [("0880", 1)] and len(kommuner.rows) == 290


def text(r) -> str:
    return re.sub(r"[ \t\r\n]+", " ", r.content.decode("utf-8"))


def test_the_page_lists_the_units_outside_and_explains_the_adjustment(client, forv, kalmar_user):
    client.force_login(kalmar_user)
    url = reverse("measurements:funnel", args=["F-FORV", "t-andel"])
    assert url == "/uppfoljning/F-FORV/matt/t-andel/tratt/"
    r = client.get(url + "?period=2025")
    assert r.status_code == 200
    page = text(r)
    outside = re.search(r'<section class="funnel-outside".*?</section>', page).group(0)
    assert "Utanför 99,8&nbsp;%-gränserna: <strong>Enhet A (under, sämre)</strong>" in outside
    assert "justerade för överspridning" in outside and "φ = 5,69" in outside and "τ² = 0,0127" in outside
    assert '<dd class="phi">5,69</dd>' in page and '<dd class="adjustment">Ja</dd>' in page
    assert f"16,2{NB}%" in page and "112 / 690" in page
    row_a = re.search(r"<tr class=\"outside\"><th scope=\"row\"><a [^>]*>Enhet A</a></th>(.*?)</tr>", page).group(1)
    assert row_a == (f'<td class="num">0</td><td class="num">50</td><td class="num">0,0{NB}%</td>'
                     f"<td>under 99,8{NB}%</td><td>under 99,8{NB}%</td>")
    assert "Saknar data i 2025" in page and "Enhet NOLL" in page and "Enhet TOM" in page
    assert page.count("<svg") >= 1 and "Medelvärde 16,2" in page
    assert AuditEvent.objects.filter(action="measure.funnel", user=kalmar_user).exists()
    # The measure page links to it; a measure that is not a share has none.
    measure_page = text(client.get(reverse("measurements:measure", args=["F-FORV", "t-andel"]) + "?period=2025"))
    assert 'href="/uppfoljning/F-FORV/matt/t-andel/tratt/?period=2025"' in measure_page


def test_a_measure_that_is_not_a_share_and_a_bad_period(client, forv, per1000, kalmar_user):
    client.force_login(kalmar_user)
    assert client.get(reverse("measurements:funnel", args=["F-FORV", "t-per1000"])).status_code == 404
    assert client.get(reverse("measurements:funnel", args=["F-FORV", "okand"])).status_code == 404
    assert client.get(reverse("measurements:funnel", args=["F-FORV", "t-andel"]) + "?period=2025-13").status_code == 400


@pytest.fixture
def division_user(forv):
    from django.contrib.auth import get_user_model

    u = get_user_model().objects.create_user("forvchef", password=PASSWORD)
    Membership.objects.create(user=u, org_unit=forv, role="reader")
    return u


def test_a_user_scoped_to_one_division_cannot_see_another_divisions_funnel(client, division_user):
    client.force_login(division_user)
    assert client.get("/uppfoljning/F-FORV/matt/t-andel/tratt/?period=2025").status_code == 200
    for code in ("F-ANNAN", "08", "SE"):
        r = client.get(f"/uppfoljning/{code}/matt/t-andel/tratt/?period=2025")
        assert r.status_code in (403, 404) and "Annan enhet" not in r.content.decode()
    api = APIClient()
    api.force_authenticate(division_user)
    assert api.get("/api/v1/funnels/", {"unit": "F-FORV", "measure": "t-andel", "period": "2025"}).status_code == 200
    r = api.get("/api/v1/funnels/", {"unit": "F-ANNAN", "measure": "t-andel", "period": "2025"})
    assert r.status_code in (403, 404) and "Annan enhet" not in r.content.decode()


@pytest.fixture
def api(kalmar_user):
    c = APIClient()
    c.force_authenticate(kalmar_user)
    return c


def test_the_api_returns_the_same_funnel(api, forv):
    r = api.get("/api/v1/funnels/", {"unit": "F-FORV", "measure": "t-andel", "period": "2025"})
    assert r.status_code == 200
    d = r.json()
    assert (d["numerator"], d["denominator"]) == (112, 690) and d["mean"] == pytest.approx(112 / 690)
    assert d["phi"] == pytest.approx(5.690865758323376) and d["tau2"] == pytest.approx(0.012705938905282868)
    assert d["adjustment_applies"] is True and d["compared"] == "children"
    units = {u["unit"]: u for u in d["units"]}
    assert list(units) == ["F-A", "F-B", "F-C", "F-D", "F-E"]
    a = units["F-A"]
    assert (a["name"], a["numerator"], a["denominator"], a["share"]) == ("Enhet A", 0, 50, 0.0)
    assert a["adjusted_limits"]["99.8"] == pytest.approx({"lower": 1.2059095474497151e-05, "upper": 0.5404254819724245})
    assert a["outside_adjusted"] == {"95": "low", "99.8": "low"}
    assert units["F-E"]["outside"] == {"95": "high", "99.8": None}
    assert {u["unit"]: u["reason"] for u in d["without_data"]} == {"F-NOLL": "saknar data", "F-TOM": "saknar data"}
    bad = api.get("/api/v1/funnels/", {"unit": "F-FORV", "measure": "t-andel", "period": "x"})
    assert bad.status_code == 400
    assert api.get("/api/v1/funnels/", {"unit": "F-FORV", "measure": "nope", "period": "2025"}).status_code == 404
