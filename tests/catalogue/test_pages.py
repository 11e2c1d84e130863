"""The measure handbook pages through Django's test client on a real database."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lagesbild.catalogue import io
from lagesbild.core.actor import Actor
from lagesbild.catalogue.models import Measure
from lagesbild.ingest.models import Import

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"[ \t\r\n]+", " ", response.content.decode("utf-8"))


def headings(page: str) -> list[str]:
    return re.findall(r"<h2>([^<]*)</h2>", page)


def test_pages_need_login(client):
    for name, args in (("list", []), ("detail", ["vri"]), ("export_yaml", []), ("export_csv", []), ("import", [])):
        r = client.get(reverse(f"catalogue:{name}", args=args))
        assert r.status_code == 302 and r["Location"].startswith("/konto/login/"), name


def test_list_is_grouped_by_focus_area_with_the_rest_last(client, national_reader):
    client.force_login(national_reader)
    page = text(client.get(reverse("catalogue:list")))
    assert headings(page) == [
        "Fokusområde 1. Öka kunskap om inträffade vårdskador",
        "Fokusområde 2. Tillförlitliga och säkra system och processer",
        "Fokusområde 3. Säker vård här och nu",
        "Fokusområde 4. Stärka analys, lärande och utveckling",
        "Säkerhetskultur och övrigt",
    ]
    row = re.search(r'<tr id="matt-antibiotika-recept-1000">(.*?)</tr>', page).group(1)
    cells = re.findall(r"<td>([^<]*)</td>", row)
    assert cells[:4] == ["Process", "Per 1 000", "Lägre värde är bättre", "Varje kvartal"]
    assert "Strama" in cells[4]
    hse = re.search(r'<section class="group" id="ovrigt">(.*?)</section>', page).group(1)
    assert "Hållbart säkerhetsengagemang" in hse and "Grundförutsättning: En god säkerhetskultur" in hse
    assert 'href="/matt/katalog.yaml"' in page and 'href="/matt/katalog.csv"' in page
    assert "Importera mått" not in page  # a reader may not import


def test_filter_works_without_javascript_and_with_htmx(client, national_reader):
    client.force_login(national_reader)
    url = reverse("catalogue:list")
    page = text(client.get(url, {"fokusomrade": "1", "typ": "resultat"}))
    assert "<!doctype html>" in page.lower()
    assert re.findall(r'<tr id="matt-([^"]+)">', page) == ["trycksar-sjukhusforvarvade", "vri", "vardskador-vardtillfallen"]
    assert '<option value="1" selected>' in page
    # Within a group, titles are in Swedish alphabetical order (Å after Z) on every database.
    fa3 = text(client.get(url, {"fokusomrade": "3"}))
    assert re.findall(r'<tr id="matt-([^"]+)">', fa3) == [
        "antibiotika-recept-1000", "basala-hygienrutiner", "riskbedomning-70-24h", "atgard-24h-fallrisk",
        "atgard-24h-trycksar", "atgard-24h-undernaring"]
    partial = client.get(url, {"fokusomrade": "ingen"}, HTTP_HX_REQUEST="true")
    body = text(partial)
    assert body.startswith('<div id="katalog"') and "<html" not in body
    assert re.findall(r'<tr id="matt-([^"]+)">', body) == ["hse-index"]
    assert re.findall(r'<tr id="matt-', text(client.get(url, {"typ": "struktur"}))) == []


def test_detail_reads_like_the_indicator_handbook(client, national_reader):
    client.force_login(national_reader)
    page = text(client.get(reverse("catalogue:detail", args=["riskbedomning-70-24h"])))
    rows = dict(re.findall(r'<tr id="[^"]+"><th scope="row">([^<]*)</th><td>(.*?)</td></tr>', page))
    assert list(rows)[:9] == ["Definition", "Täljare", "Nämnare", "Exkluderingar", "Beräkning och måttenhet", "Datakälla",
                              "Mätfrekvens", "Syfte", "Tolkning"]
    m = Measure.objects.get(code="riskbedomning-70-24h")
    assert m.definition in rows["Definition"] and m.numerator_definition in rows["Täljare"]
    assert m.denominator_definition in rows["Nämnare"]
    assert rows["Exkluderingar"].count("<li>") == len(m.exclusions.splitlines()) == 3
    assert rows["Riktning"] == "Högre värde är bättre" and rows["Mätfrekvens"] == "Varje månad"
    assert rows["Typ"].startswith("Processmått")
    assert "Fokusområde 3. Säker vård här och nu" in rows["Fokusområde"]
    assert "Agera för säker vård – nationell handlingsplan för ökad patientsäkerhet 2025–2030" in rows["Fokusområde"]
    assert rows["Version och giltighet"] == "Version 1. Giltig från 2023-01-01, tills vidare."
    assert "summan av täljarna delad med summan av nämnarna × 100" in rows["Beräkning och måttenhet"]
    assert "Felkällor och begränsningar" in rows and rows["Andra versioner"] == "Inga."
    hse = text(client.get(reverse("catalogue:detail", args=["hse-index"])))
    assert "Inget fokusområde. Måttet hör till grundförutsättningen <strong>En god säkerhetskultur</strong>" in hse
    assert "Redovisas utan decimaler" in hse and "Vartannat år" in hse


def test_detail_of_versions(client, national_user):
    from lagesbild.catalogue import services

    vri = Measure.objects.get(code="vri")
    v2 = io.dump_yaml([io.spec_from_measure(vri)]).replace("version: 1", "version: 2\n    comparable_with: [1]")
    services.import_measures(v2.replace("Vårdrelaterade infektioner (VRI)", "VRI enligt ECDC").encode(), "v2.yaml",
                             actor=Actor.cli(national_user))
    client.force_login(national_user)
    latest = text(client.get(reverse("catalogue:detail", args=["vri"])))
    assert "<h1>VRI enligt ECDC</h1>" in latest and "Resultaten kan jämföras med version 1." in latest
    assert '<a href="/matt/vri/?version=1">Version 1</a>' in latest
    old = text(client.get(reverse("catalogue:detail", args=["vri"]), {"version": "1"}))
    assert "<h1>Vårdrelaterade infektioner (VRI)</h1>" in old and "Du läser en äldre version" in old
    assert client.get(reverse("catalogue:detail", args=["vri"]), {"version": "9"}).status_code == 404
    assert client.get(reverse("catalogue:detail", args=["finns-inte"])).status_code == 404
    # The list shows the latest version once.
    assert text(client.get(reverse("catalogue:list"))).count('<tr id="matt-vri">') == 1


def test_downloads_round_trip(client, national_reader):
    client.force_login(national_reader)
    y = client.get(reverse("catalogue:export_yaml"))
    assert y["Content-Type"].startswith("application/yaml") and "matt-katalog.yaml" in y["Content-Disposition"]
    c = client.get(reverse("catalogue:export_csv"))
    assert c.content.startswith(b"\xef\xbb\xbf") and "matt-katalog.csv" in c["Content-Disposition"]
    stored = [io.spec_from_measure(m) for m in Measure.objects.select_related("focus_area", "foundation").order_by("code", "version")]
    assert io.parse_yaml(y.content.decode(), "x.yaml") == stored
    assert io.parse_csv_table(io.read_table(c.content, "x.csv")) == stored


def test_reader_cannot_import(client, national_reader):
    client.force_login(national_reader)
    assert client.get(reverse("catalogue:import")).status_code == 403
    r = client.post(reverse("catalogue:import"), {"file": SimpleUploadedFile("k.yaml", b"measures: []")})
    assert r.status_code == 403 and not Import.objects.exists()


BAD = b"""measures:
  - code: ny
    title: Nytt
    measure_type: process
    unit: promille
    direction: higher
"""


def test_import_with_problems_answers_422_into_the_form(client, kalmar_user):
    client.force_login(kalmar_user)
    assert "Importera mått" in text(client.get(reverse("catalogue:list")))
    r = client.post(reverse("catalogue:import"), {"file": SimpleUploadedFile("ny.yaml", BAD)}, HTTP_HX_REQUEST="true")
    assert r.status_code == 422
    page = text(r)
    assert page.startswith('<div id="import">') and "Importen avvisades – inget sparades" in page
    assert "<td>ny.yaml</td><td>5</td><td>measures[0] (ny).unit</td><td>promille</td><td>okänd enhet" in page
    assert not Measure.objects.filter(code="ny").exists()
    # Without htmx the whole page comes back, with the same problems.
    full = client.post(reverse("catalogue:import"), {"file": SimpleUploadedFile("ny.yaml", BAD)})
    assert full.status_code == 422 and "<h1>Importera mått</h1>" in text(full) and "promille" in text(full)


def test_import_success_redirects(client, national_user):
    client.force_login(national_user)
    good = BAD.replace(b"promille", b"percent")
    r = client.post(reverse("catalogue:import"), {"file": SimpleUploadedFile("ny.yaml", good)}, HTTP_HX_REQUEST="true")
    assert r.status_code == 204 and r["HX-Redirect"] == reverse("catalogue:list")
    assert Measure.objects.get(code="ny").unit == "percent"
    r = client.post(reverse("catalogue:import"), {"file": SimpleUploadedFile("ny.yaml", good)}, follow=True)
    assert r.redirect_chain == [(reverse("catalogue:list"), 302)]
    assert "Filen ändrade ingenting" in text(r)


def test_a_measures_unit_is_called_mattenhet_and_tables_scroll(client, national_reader):
    client.force_login(national_reader)
    page = text(client.get(reverse("catalogue:list")))
    header = re.search(r"<thead>(.*?)</thead>", page).group(1)
    assert "Måttenhet" in header and ">Enhet<" not in header
    assert page.count('<div class="table-scroll"') == page.count("<table")
    detail = text(client.get(reverse("catalogue:detail", args=["vri"])))
    assert "Beräkning och måttenhet" in detail and "Beräkning och enhet" not in detail
    assert detail.count('<div class="table-scroll"') == detail.count("<table")


def test_after_a_refused_upload_the_page_asks_for_the_file_again(client, kalmar_user):
    client.force_login(kalmar_user)
    assert "Välj filen igen" not in text(client.get(reverse("catalogue:import"))).replace("välj filen igen", "Välj filen igen")
    for headers in ({"HTTP_HX_REQUEST": "true"}, {}):
        r = client.post(reverse("catalogue:import"), {"file": SimpleUploadedFile("ny.yaml", BAD)}, **headers)
        page = text(r)
        assert r.status_code == 422 and "Filen sparades inte." in page and "välj filen igen" in page
