"""The organisation pages through Django's test client: tree, search, unit page, import, reorganise."""

import re
from datetime import date

import pytest
from django.urls import reverse

from lagesbild.ingest.models import Import
from lagesbild.org.models import AuditEvent, OrgUnit, Succession

from .conftest import SAMPLE

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def text(response) -> str:
    return re.sub(r"[ \t\r\n]+", " ", response.content.decode("utf-8"))


def test_pages_need_login(client, kalmar_units):
    for url in ("/organisation/", "/organisation/sok/?q=med", "/organisation/08/", "/organisation/importera/",
                "/organisation/omorganisera/", "/organisation/08/underenheter/"):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/konto/login/"), url


def test_tree_shows_only_the_users_region(client, kalmar_admin, kalmar_units, skane_units):
    client.force_login(kalmar_admin)
    r = client.get(reverse("org:tree"))
    page = text(r)
    assert r.status_code == 200
    assert "Region Kalmar län" in page and "Region Skåne" not in page and "Sverige" not in page
    assert 'hx-get="/organisation/08/underenheter/"' in page  # expandable with htmx
    assert 'href="/organisation/08/"' in page  # and with a plain link
    assert "Importera enheter från fil" in page


def test_children_partial_loads_with_htmx(client, kalmar_admin, kalmar_units):
    client.force_login(kalmar_admin)
    r = client.get(reverse("org:children", args=["08-SOM-MED"]), **HX)
    page = text(r)
    assert r.status_code == 200 and "<html" not in page
    assert re.findall(r'<a href="/organisation/([^/]+)/">[^<]*</a> <code>', page) == [
        "08-SOM-MED-11", "08-SOM-MED-HJ", "08-SOM-MED-12"]
    # The closed ward: badge and link to its successor.
    assert 'nedlagd</strong> → <a href="/organisation/08-SOM-MED-12/">Medicinavdelning Västervik</a>' in page
    # Without htmx the same address leads to the unit's page.
    r = client.get(reverse("org:children", args=["08-SOM-MED"]))
    assert r.status_code == 302 and r["Location"] == "/organisation/08-SOM-MED/"
    # As the organisation was on a day.
    page = text(client.get(reverse("org:children", args=["08-SOM-MED"]) + "?per=2023-06-01", **HX))
    assert "Medicinavdelning Västervik" not in page and "Avdelning 11 Västervik" in page and "nedlagd" not in page


def test_another_regions_units_are_forbidden(client, kalmar_admin, kalmar_units, skane_units):
    client.force_login(kalmar_admin)
    for url in ("/organisation/12/", "/organisation/12-SUS/", "/organisation/12-SUS/underenheter/"):
        assert client.get(url, **HX).status_code == 403, url
    assert client.post("/organisation/12-SUS/andra/", {"name": "X"}).status_code == 403
    assert client.post("/organisation/12-SUS/ny/", {"code": "12-X", "name": "X", "kind": "enhet"}).status_code == 403
    assert OrgUnit.objects.get(code="12-SUS").name == "Område Skånes universitetssjukhus"
    assert not OrgUnit.objects.filter(code="12-X").exists()
    assert client.get("/organisation/FINNS-EJ/").status_code == 404


def test_search_is_scoped(client, kalmar_admin, kalmar_units, skane_units):
    client.force_login(kalmar_admin)
    page = text(client.get(reverse("org:search"), {"q": "medicinkliniken"}))
    assert "Medicinkliniken" in page and "Medicinkliniken Lund" not in page and "<html" in page
    r = client.get(reverse("org:search"), {"q": "område"}, **HX)
    page = text(r)
    assert page.startswith('<div id="sokresultat"')
    assert re.findall(r'<th scope="row"><a href="/organisation/([^/]+)/">', page) == ["08-PRIM", "08-PSY", "08-SOM"]
    assert "Skånes" not in page
    assert "Inga enheter" in text(client.get(reverse("org:search"), {"q": "Lund"}, **HX))


def test_unit_page_breadcrumb_children_and_history(client, kalmar_admin, kalmar_units):
    client.force_login(kalmar_admin)
    page = text(client.get(reverse("org:unit", args=["08-SOM-MED-11"])))
    crumbs = re.search(r'<nav class="crumbs"[^>]*>(.*?)</nav>', page).group(1)
    assert re.findall(r">([^<]+)</a>", crumbs) == ["Organisation", "Region Kalmar län", "Område somatisk specialistvård",
                                                    "Medicinkliniken"]
    assert "nedlagd" in page and "2023-12-31" in page
    assert 'Efterträddes av <a href="/organisation/08-SOM-MED-12/">Medicinavdelning Västervik</a>' in page
    page = text(client.get(reverse("org:unit", args=["08-SOM-MED-12"])))
    assert 'Tog över efter <a href="/organisation/08-SOM-MED-11/">Avdelning 11 Västervik</a>' in page
    assert re.search(r"räknas även uppgifterna från dessa nedlagda enheter hit: <a [^>]*>Avdelning 11 Västervik</a>", page)
    page = text(client.get(reverse("org:unit", args=["08-SOM-MED"])))
    assert "Hjärtavdelningen Kalmar" in page and "Ny underenhet" in page and "Ändra enheten" in page
    assert "räknas även" not in page  # the closed ward lies below the clinic anyway


def test_strategist_sees_but_may_not_change(client, kalmar_user, kalmar_units):
    client.force_login(kalmar_user)
    page = text(client.get(reverse("org:unit", args=["08-SOM-MED"])))
    assert "Medicinkliniken" in page and "Ändra enheten" not in page and "Ny underenhet" not in page
    assert "Importera enheter" not in text(client.get(reverse("org:tree")))
    assert client.post(reverse("org:edit", args=["08-SOM-MED"]), {"name": "X"}).status_code == 403
    assert client.get(reverse("org:import")).status_code == 403
    assert client.post(reverse("org:import"), {"file": open(SAMPLE, "rb")}).status_code == 403
    assert client.get(reverse("org:reorganise")).status_code == 403
    assert OrgUnit.objects.get(code="08-SOM-MED").name == "Medicinkliniken"


def test_admin_edits_a_unit(client, kalmar_admin, kalmar_units):
    client.force_login(kalmar_admin)
    url = reverse("org:edit", args=["08-SOM-KIR"])
    r = client.post(url, {"name": "Kirurgi och urologi", "valid_from": "2015-01-01", "valid_to": ""})
    assert r.status_code == 302 and r["Location"] == "/organisation/08-SOM-KIR/"
    assert OrgUnit.objects.get(code="08-SOM-KIR").name == "Kirurgi och urologi"
    ev = AuditEvent.objects.get(action="org.unit.edit")
    assert ev.detail["changes"] == {"name": ["Kirurgkliniken", "Kirurgi och urologi"]}
    r = client.post(url, {"name": "X", "valid_from": "2020-01-01", "valid_to": "2019-01-01"})
    assert r.status_code == 422 and "Slutdatum ligger före startdatum." in text(r)
    assert OrgUnit.objects.get(code="08-SOM-KIR").name == "Kirurgi och urologi"


def test_region_admin_may_not_edit_the_region_itself(client, kalmar_admin, kalmar_units):
    client.force_login(kalmar_admin)
    assert "Ändra enheten" not in text(client.get("/organisation/08/"))
    assert client.post("/organisation/08/andra/", {"name": "X"}).status_code == 403


def test_admin_creates_a_child_unit(client, kalmar_admin, kalmar_units):
    client.force_login(kalmar_admin)
    url = reverse("org:create", args=["08-SOM-KIR"])
    r = client.post(url, {"code": "08-SOM-KIR-URO", "name": "Urologmottagningen", "kind": "enhet",
                          "valid_from": "2025-03-01"})
    assert r.status_code == 302 and r["Location"] == "/organisation/08-SOM-KIR-URO/"
    unit = OrgUnit.objects.get(code="08-SOM-KIR-URO")
    assert (unit.path, unit.valid_from) == ("SE/08/08-SOM/08-SOM-KIR/08-SOM-KIR-URO/", date(2025, 3, 1))
    assert AuditEvent.objects.filter(action="org.unit.create", object_id=str(unit.pk)).exists()
    r = client.post(url, {"code": "08-SOM-KIR-URO", "name": "Igen", "kind": "enhet"})
    assert r.status_code == 422 and "Koden används redan" in text(r)
    r = client.post(reverse("org:create", args=["08-SOM-KIR-URO"]), {"code": "08-Y", "name": "Y", "kind": "verksamhet"})
    assert r.status_code == 422 and "verksamhet finns inte bland tillgängliga alternativ" in text(r)
    assert not OrgUnit.objects.filter(code="08-Y").exists()
    # Under an enhet only another enhet is offered.
    page = text(client.get(reverse("org:unit", args=["08-SOM-KIR-URO"])))
    assert re.findall(r'<option value="(\w+)"', page) == ["enhet"] and 'id="ny_code"' in page


def test_import_page(client, kalmar_admin, sample_bytes):
    client.force_login(kalmar_admin)
    assert client.get(reverse("org:import")).status_code == 200
    with open(SAMPLE, "rb") as fh:
        r = client.post(reverse("org:import"), {"file": fh})
    assert r.status_code == 302 and r["Location"] == reverse("org:tree")
    assert OrgUnit.objects.filter(path__startswith="SE/08/").count() == 14
    assert AuditEvent.objects.filter(action="org.import").count() == 1
    page = text(client.get(reverse("org:tree")))
    assert "13 nya och 0 ändrade enheter" in page
    # htmx: navigate on success.
    with open(SAMPLE, "rb") as fh:
        r = client.post(reverse("org:import"), {"file": fh}, **HX)
    assert r.status_code == 204 and r["HX-Redirect"] == reverse("org:tree")
    assert Import.objects.filter(kind="org-units").first().outcome == "unchanged"


def test_import_errors_are_shown_in_a_table(client, kalmar_admin, skane_units):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(kalmar_admin)
    bad = SimpleUploadedFile("fel.csv", "code;name;kind;parent_code;valid_from;valid_to\n"
                                        "08-A;A;förvaltning;12-SUS;2020-31-01;\n".encode("cp1252"))
    r = client.post(reverse("org:import"), {"file": bad}, **HX)
    page = text(r)
    assert r.status_code == 422 and page.startswith('<div id="import">')
    assert "<td>fel.csv</td><td>2</td><td>valid_from</td><td>2020-31-01</td>" in page
    assert "<td>fel.csv</td><td>2</td><td>parent_code</td><td>12-SUS</td>" in page
    assert "inget sparades" in page and not OrgUnit.objects.filter(code="08-A").exists()
    assert AuditEvent.objects.filter(action="org.import.refused").count() == 1


def test_reorganise_page(client, kalmar_admin, kalmar_units):
    client.force_login(kalmar_admin)
    page = text(client.get(reverse("org:reorganise") + "?stang=08-SOM-KIR"))
    assert 'value="08-SOM-KIR"' in page
    r = client.post(reverse("org:reorganise"), {"closed": "08-SOM-KIR", "successors": "08-SOM-MED, 08-PSY",
                                                "on": "2025-01-01", "note": "Ny klinikstruktur"})
    assert r.status_code == 302 and r["Location"] == "/organisation/08-SOM-MED/"
    kir = OrgUnit.objects.get(code="08-SOM-KIR")
    assert kir.valid_to == date(2024, 12, 31) and kir.current_path == "SE/08/08-SOM/08-SOM-MED/"
    assert Succession.objects.filter(predecessor=kir).count() == 2
    # Invalid: unknown code, a unit already closed.
    r = client.post(reverse("org:reorganise"), {"closed": "08-FINNS-EJ", "successors": "08-SOM-MED", "on": "2025-01-01"})
    assert r.status_code == 422 and "08-FINNS-EJ" in text(r)
    r = client.post(reverse("org:reorganise"), {"closed": "08-SOM-KIR", "successors": "08-PRIM", "on": "2026-01-01"})
    assert r.status_code == 422 and "redan nedlagd" in text(r)


def test_reorganise_refuses_units_outside_scope(client, kalmar_admin, kalmar_units, skane_units):
    client.force_login(kalmar_admin)
    r = client.post(reverse("org:reorganise"), {"closed": "12-SUS-MED", "successors": "08-SOM-MED", "on": "2025-01-01"})
    assert r.status_code == 422 and "utanför din behörighet" in text(r) and "Medicinkliniken Lund" not in text(r)
    assert OrgUnit.objects.get(code="12-SUS-MED").valid_to is None


def test_tree_as_of_a_date(client, kalmar_admin, kalmar_units):
    client.force_login(kalmar_admin)
    page = text(client.get(reverse("org:unit", args=["08-SOM-MED"]) + "?per=2023-06-01"))
    assert "Avdelning 11 Västervik" in page and "Medicinavdelning Västervik</a>" not in page


def test_reorganisation_form_bounds_its_code_lists(client, kalmar_admin, kalmar_units):
    client.force_login(kalmar_admin)
    r = client.post(reverse("org:reorganise"), {"closed": "08-X " * 1000, "successors": "08-SOM-MED",
                                                "on": "2025-01-01"})
    assert r.status_code == 422
    page = r.content.decode()
    assert page.count('maxlength="2000"') == 2
    errors = re.findall(r'<p class="error">([^<]*)</p>', page)
    assert len(errors) == 1 and "2000" in errors[0] and "08-X" not in errors[0]


def test_every_unit_page_links_to_its_dashboard(client, kalmar_user, kalmar_units):
    client.force_login(kalmar_user)
    for code in ("08", "08-SOM-MED", "08-SOM-MED-11"):
        page = text(client.get(reverse("org:unit", args=[code])))
        assert f'href="{reverse("measurements:dashboard", args=[code])}"' in page, code


def test_tables_scroll_and_optional_labels_say_so_once(client, kalmar_admin, kalmar_units):
    client.force_login(kalmar_admin)
    page = text(client.get(reverse("org:unit", args=["08-SOM-MED-11"])))
    assert page.count('<div class="table-scroll"') == page.count("<table") >= 1
    labels = re.findall(r"<label [^>]*>(.*?)</label>", page)
    assert "Giltig till <span class=\"note\">(valfritt)</span>" in labels
    assert all(label.count("valfritt") <= 1 for label in labels)
    assert "Namn" in labels  # a required field is not marked
    search = text(client.get(reverse("org:search"), {"q": "Medicin"}))
    assert search.count('<div class="table-scroll"') == search.count("<table") == 1


def test_after_a_refused_upload_the_page_asks_for_the_file_again(client, kalmar_admin, skane_units):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(kalmar_admin)
    assert "Filen sparades inte" not in text(client.get(reverse("org:import")))
    bad = SimpleUploadedFile("fel.csv", "code;name;kind;parent_code;valid_from;valid_to\n08-A;A;förvaltning;12-SUS;;\n".encode())
    page = text(client.post(reverse("org:import"), {"file": bad}, **HX))
    assert "Filen sparades inte." in page and "välj filen igen" in page
