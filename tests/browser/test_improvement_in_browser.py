"""Issue 4's walk-through in a real browser: log in, drill from region to unit, record an
analysis and an action, and see them on the dashboard. Issue 8: an identity number typed into
the analysis is removed with a visible notice; the gap view opens on the latest year with data."""

from decimal import Decimal

import pytest

from tests.browser.conftest import login, shot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

CSV = "measure;unit;period;sex;age_band;numerator;denominator;status\r\n" + "\r\n".join([
    "b-risk;B-AVD1;2025-01;;;40;100;", "b-risk;B-AVD1;2025-02;;;45;100;",
    "b-risk;B-AVD2;2025-01;;;80;100;", "b-risk;B-AVD2;2025-02;;;85;100;",
]) + "\r\n"


@pytest.fixture
def region_with_data(transactional_db):
    from lagesbild.catalogue.models import Measure
    from lagesbild.core.actor import Actor
    from lagesbild.measurements import services
    from lagesbild.measurements.models import Target
    from lagesbild.org.models import OrgUnit
    from lagesbild.catalogue.reference import ensure_reference_data
    from tests.conftest import _user

    ensure_reference_data()
    region = OrgUnit.objects.get(code="08")
    hsf = OrgUnit.objects.create(code="B-HSF", name="Hälso- och sjukvården", kind="forvaltning", parent=region)
    med = OrgUnit.objects.create(code="B-MED", name="Medicinkliniken", kind="verksamhet", parent=hsf)
    OrgUnit.objects.create(code="B-AVD1", name="Avdelning 1", kind="enhet", parent=med)
    OrgUnit.objects.create(code="B-AVD2", name="Avdelning 2", kind="enhet", parent=med)
    m = Measure.objects.create(code="b-risk", title="Riskbedömning inom 24 timmar", measure_type="process",
                               unit="percent", direction="higher", decimals=1)
    Target.objects.create(measure=m, org_unit=region, comparator=">=", value=Decimal("90"))
    admin = _user("kalmar-admin", "08", "admin")
    services.import_observations(CSV.encode("cp1252"), "obs.csv", actor=Actor.cli(admin))
    _user("avdchef", "B-AVD1", "manager")


def _in_days(days: int):
    from datetime import timedelta

    from django.utils import timezone

    return timezone.localdate() + timedelta(days=days)


def row(page, code):
    return page.locator(f'tr[data-measure="{code}"]')


def test_drill_down_and_run_the_cycle(page, region_with_data):
    login(page, "kalmar-admin", PASSWORD)
    page.goto("/uppfoljning/08/?period=2025")
    assert row(page, "b-risk").locator("td.value").inner_text() == "62,5\u00a0%"  # 250/400
    page.get_by_role("link", name="Hälso- och sjukvården").click()
    page.get_by_role("link", name="Medicinkliniken").click()
    page.get_by_role("link", name="Avdelning 1").click()
    page.wait_for_url("**/uppfoljning/B-AVD1/**")
    r = row(page, "b-risk")
    assert r.locator("td.value").inner_text() == "42,5\u00a0%"
    assert "Ej uppnått" in r.inner_text() and "Analys saknas" in r.inner_text()
    shot(page, "dashboard-avdelning")
    logout_then_login(page, "avdchef")
    page.goto("/uppfoljning/B-AVD1/?period=2025")
    row(page, "b-risk").locator("td.cycle a").click()
    page.get_by_label("Analys av resultat").fill("Nattpersonalen saknar rutin för riskbedömning vid sena inskrivningar "
                                                 "(se patient 19121212-1212).")
    page.get_by_role("button", name="Spara analysen").click()
    page.get_by_text("Nattpersonalen saknar rutin").first.wait_for()
    notice = page.locator("p.notice")
    assert notice.is_visible() and "liknade ett personnummer" in notice.inner_text()
    assert "(se patient [personnummer borttaget])" in page.locator(".analysis-text").inner_text()
    assert "19121212-1212" not in page.content()
    page.get_by_label("Åtgärd", exact=True).fill("Checklista för riskbedömning vid inskrivning nattetid")
    page.get_by_label("Ansvarig", exact=True).fill("Vårdenhetschef")
    page.get_by_label("Klar senast").fill(_in_days(120).isoformat())  # a date before today needs a confirmation
    page.get_by_role("button", name="Lägg till åtgärd").click()
    page.get_by_text("Checklista för riskbedömning vid inskrivning nattetid").first.wait_for()
    shot(page, "cykel-avdelning")
    page.goto("/uppfoljning/B-AVD1/?period=2025")
    cycle = row(page, "b-risk").locator("td.cycle").inner_text()
    assert "Analys" in cycle and "1 öppna åtgärder" in cycle
    # A manager of one ward cannot touch the other ward.
    response = page.goto("/forbattring/b-risk/B-AVD2/2025/")
    assert response.status == 403
    response = page.goto("/uppfoljning/B-AVD2/?period=2025")
    assert response.status == 403
    # The region's gap view opens on 2025, the latest year with data, not on the calendar year.
    logout_then_login(page, "kalmar-admin")
    page.goto("/forbattring/luckor/")
    assert page.get_by_role("heading", level=1).inner_text().endswith("Region Kalmar län 2025")
    assert page.locator("tr#enhet-08").is_visible()
    shot(page, "luckor-region")


def logout_then_login(page, username):
    page.get_by_role("button", name="Logga ut").click()
    login(page, username, PASSWORD)


# --- issue 9: the analysis, action, status and follow-up forms by keyboard alone -------------


def tab_to(page, selector: str, limit: int = 150) -> None:
    """Press Tab until the focused element matches ``selector`` (the way a keyboard user gets there)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def date_keys(page, day) -> str:
    """The keys that type ``day`` into a date field: the order of its parts follows the browser's
    own language, so it is found by typing into a throwaway field first."""
    for order in ("%Y%m%d", "%m%d%Y", "%d%m%Y"):
        page.evaluate("() => { const i = document.createElement('input'); i.type = 'date'; i.id = 'prov';"
                      " document.body.append(i); i.focus(); }")
        page.keyboard.type(day.strftime(order))
        typed = page.evaluate("() => { const i = document.getElementById('prov'); i.remove(); return i.value; }")
        if typed == day.isoformat():
            return day.strftime(order)
    raise AssertionError("could not type a date")


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [f"{v['id']}: {v['help']}" for v in violations if v["impact"] in ("serious", "critical")]


def test_the_cycle_forms_work_with_the_keyboard_alone(page, region_with_data):
    from lagesbild.improvement.models import Action, FollowUp

    login(page, "avdchef", PASSWORD)
    page.goto("/forbattring/b-risk/B-AVD1/2025/")
    # Analysis: the form is open while there is none; Tab to it, type, Tab to the button, Enter.
    tab_to(page, "#id_text")
    page.keyboard.type("Nattpersonalen saknar rutin för riskbedömning.")
    tab_to(page, "#analysera button[type=submit]")
    page.keyboard.press("Enter")
    page.locator(".analysis-text").get_by_text("Nattpersonalen saknar rutin").wait_for()

    # Action: the form is open while there are none; Enter in a text field submits it. A due
    # date before today is refused until the confirmation is ticked with Space.
    assert page.locator("#atgarda details.form").get_attribute("open") is not None
    tab_to(page, "#id_a-title")
    page.keyboard.type("Checklista vid inskrivning nattetid")
    tab_to(page, "#id_a-owner_name")
    page.keyboard.type("Vårdenhetschef")
    yesterday = _in_days(-1)
    keys = date_keys(page, yesterday)
    tab_to(page, "#id_a-due_date")
    page.keyboard.type(keys)
    tab_to(page, "#id_a-title")
    page.keyboard.press("Enter")
    page.get_by_text("Datumet har redan passerat.").wait_for()
    assert not Action.objects.exists()
    tab_to(page, "#id_a-confirm_past_due")
    page.keyboard.press("Space")
    tab_to(page, "#atgarda details.form button[type=submit]")
    page.keyboard.press("Enter")
    page.locator("#atgarda .action h3").get_by_text("Checklista vid inskrivning nattetid").wait_for()
    action = Action.objects.get()
    assert action.due_date == yesterday
    shot(page, "cykel-tangentbord-atgard")

    # Status: closed until asked for; Enter on the summary opens it, an arrow key chooses, Space saves.
    assert not page.locator(f"#id_s{action.pk}-status").is_visible()
    tab_to(page, f"#atgard-{action.pk} details.status > summary")
    page.keyboard.press("Enter")
    tab_to(page, f"#id_s{action.pk}-status")
    page.keyboard.press("ArrowDown")  # Planerad → Pågår
    tab_to(page, f"#atgard-{action.pk} button[type=submit]")
    page.keyboard.press("Space")
    page.locator(f"#atgard-{action.pk} .badge", has_text="Pågår").wait_for()
    action.refresh_from_db()
    assert action.status == "pagar"

    # Follow-up: no answer is chosen until the user chooses one; Space picks the first, an arrow the next.
    tab_to(page, f"#foljupp-{action.pk} details.form > summary")
    page.keyboard.press("Enter")
    radios = page.locator(f"input[name=f{action.pk}-effect]")
    assert radios.count() == 4 and not any(radios.nth(i).is_checked() for i in range(4))
    tab_to(page, f"input[name=f{action.pk}-effect]")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")  # Ja → Delvis
    tab_to(page, f"#id_f{action.pk}-comment")
    page.keyboard.type("Bättre på natten.")
    tab_to(page, f"#foljupp-{action.pk} button[type=submit]")
    page.keyboard.press("Space")
    page.locator("tr.uppfoljning").get_by_text("Delvis").wait_for()
    assert FollowUp.objects.get().effect == "delvis"
    shot(page, "cykel-tangentbord-uppfoljning")
    assert serious_violations(page) == []
