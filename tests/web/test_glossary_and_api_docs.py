"""The glossary's anchors, the API documentation served by the app (no outside host) and the
Swedish API root."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# The anchors the other pages link to (the helpers' agreement), and a few more.
ANCHORS = ["fo", "nara", "uppnatt", "ej-uppnatt", "saknar-data", "procentenheter", "riket", "maattenhet", "n",
           "enhet", "exkluderad", "utvecklingsindikator", "vardskada", "grundforutsattning", "sammanraknat"]


def test_the_glossary_defines_every_agreed_anchor(client, kalmar_user):
    client.force_login(kalmar_user)
    r = client.get("/ordlista/")
    assert r.status_code == 200 and reverse("glossary") == "/ordlista/"
    page = r.content.decode()
    terms = dict(re.findall(r'<dt id="([^"]+)">(.*?)</dt>', page))
    for anchor in ANCHORS:
        assert anchor in terms, anchor
    assert terms["fo"] == "FO – fokusområde" and "Riket (publicerat)" in terms["riket"]
    assert page.count("<dt") == page.count("<dd>")  # every term has its definition
    # the action plan's focus areas and foundations, which FO refers to, in the plan's own order
    plan = page.split('id="plan-rubrik"')[1]
    assert "Agera för säker vård" in plan and plan.count("<li>") == 4 + 5


def test_the_glossary_needs_login(client):
    r = client.get("/ordlista/")
    assert r.status_code == 302 and r["Location"].startswith("/konto/login/")


def _hosts(html: str) -> set[str]:
    return set(re.findall(r"https?://([^/\s\"'<>]+)", html))


@pytest.mark.parametrize("name", ["swagger-ui", "redoc"])
def test_the_docs_are_served_without_an_outside_host(client, kalmar_user, name):
    client.force_login(kalmar_user)
    r = client.get(reverse(name))
    assert r.status_code == 200
    page = r.content.decode()
    assert _hosts(page) <= {"testserver"}, _hosts(page)
    assert "<style" not in page and " style=" not in page and not re.search(r"<script>|<script [^>]*>[^<]", page)
    assert "/static/drf_spectacular_sidecar/" in page
    assert reverse(name) in {"swagger-ui": "/api/docs/", "redoc": "/api/redoc/"}.values()
    for src in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page):
        assert client.get(src).status_code == 200, src  # every asset is there (the init script too)


def test_the_swagger_init_script_is_a_separate_request(client):
    r = client.get(reverse("swagger-ui") + "?script=")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in r.content.decode() and "/api/schema/" in r.content.decode()


def test_the_schema_is_swedish_where_we_write_it(client):
    schema = client.get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert schema["info"]["title"] == "Lägesbild API" and "patientsäkerhetsindikatorer" in schema["info"]["description"]
    tags = {t["name"]: t.get("description", "") for t in schema["tags"]}
    assert {"Enkäter", "Måttkatalog", "Organisation", "Mätvärden", "Mål"} <= set(tags)
    assert "v1" not in tags and all(tags.values())
    used = {t for item in schema["paths"].values() for op in item.values() for t in op["tags"]}
    assert used == set(tags)


def test_the_api_root_is_swedish_for_a_browser_and_json_for_a_client(client, kalmar_user):
    client.force_login(kalmar_user)
    page = client.get("/api/v1/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    html = page.content.decode()
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert "Lägesbild API, version 1" in html and "Måttkatalog" in html and "<th scope=\"row\">Åtgärder</th>" in html
    assert "<code>/api/v1/measures/</code>" in html and ">analyses<" not in html
    assert f'href="{reverse("swagger-ui")}"' in html and f'href="{reverse("redoc")}"' in html
    for english in ("Api Root", "The default basic root view", "DefaultRouter", "Log in", "HTTP 200 OK"):
        assert english not in html
    data = client.get("/api/v1/", HTTP_ACCEPT="application/json").json()
    assert data["measures"].endswith("/api/v1/measures/") and "surveys" in data
    assert client.get("/api/v1/").json() == data  # a client that accepts anything gets JSON
