"""Every URL pattern, enumerated: anonymous users get nothing, region users get only their region."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

# Concrete arguments for each named parameter, per URL pattern prefix.
ARGS = {"key": "sos-2025", "indicator": "UI1", "code": "08", "format": ".json", "pk": "1", "year": "2025", "month": "1"}
PUBLIC = {"konto/login/", "konto/logout/",
          # The OpenAPI schema and its two readers document the API and hold no data.
          "api/schema/", "api/docs/", "api/redoc/"}


def patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from patterns(p, route)
        elif isinstance(p, URLPattern):
            yield route


def concrete(route: str) -> str | None:
    import re

    if route.startswith("admin/") or "format" in route:
        return None  # Django's admin has its own staff check; format suffixes repeat their base route
    # DRF router routes are regular expressions: ^surveys/(?P<key>[^/.]+)/indicators/$
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: ARGS.get(m.group(1), "x"), route).replace("^", "").replace("$", "")
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: ARGS.get(m.group(1), "x"), path)
    return "/" + path


ROUTES = sorted({r for r in patterns() if concrete(r) and r not in PUBLIC})


def test_the_enumeration_found_the_survey_pages():
    assert "enkater/<str:key>/region/<str:code>/" in ROUTES and "/api/v1/surveys/sos-2025/indicators/" in [concrete(r) for r in ROUTES]
    assert len(ROUTES) >= 10


@pytest.mark.parametrize("route", ROUTES)
def test_anonymous_gets_nothing(route, demo_surveys):
    url = concrete(route)
    for method in ("get", "post"):
        r = getattr(APIClient(), method)(url)
        assert r.status_code in (302, 401, 403, 405), (method, url, r.status_code)
        if r.status_code == 302:
            assert r["Location"].startswith("/konto/login/")
        body = r.content.decode("utf-8", "replace")
        assert "Region Kalmar" not in body and "81,3" not in body


REGION_PRIVATE = {
    # Respondent-level data of other regions, and uploads: forbidden for a region user.
    "/enkater/sos-2025/region/01/": 403,
    "/enkater/sos-2025/export.xlsx": 403,
    "/enkater/importera/": 403,
    # Patient-level pages: a strategist of the region has no role that may see patient data.
    "/patienter/": 403,
    "/patienter/08/": 403,
    "/patienter/08/tabell/": 403,
    "/patienter/08/2025-1/": 403,
    # Another region's incidents and their cases (free text is personal data).
    "/avvikelser/01/": 403,
    "/avvikelser/01/arenden/": 403,
    "/avvikelser/01/monster/": 403,
}


@pytest.mark.parametrize("url,status", REGION_PRIVATE.items())
def test_region_user_cannot_read_or_change_another_regions_data(url, status, client, kalmar_user, demo_surveys):
    client.force_login(kalmar_user)
    assert client.get(url).status_code == status
    assert client.post(url).status_code in (403, 405)


def test_region_user_sees_no_other_region_rows_anywhere(client, kalmar_user, demo_surveys):
    client.force_login(kalmar_user)
    other = ["Region Stockholm", "Region Skåne", "Region Gotland", "Västra Götalandsregionen"]
    for route in ROUTES:
        url = concrete(route)
        r = client.get(url)
        body = r.content.decode("utf-8", "replace")
        for name in other:
            assert name not in body, (url, name)
