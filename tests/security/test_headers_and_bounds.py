"""Response headers (CSP, Permissions-Policy, no-store), request bounds (413, 414) and the login
throttle per address, password reset without mail, and the secret key's strength."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "lagesbild" / "templates"


def test_every_response_has_a_strict_content_security_policy(client, national_user):
    for response in (client.get("/konto/login/"),):
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
    client.force_login(national_user)
    assert "default-src 'self'" in client.get("/organisation/")["Content-Security-Policy"]


def test_no_template_needs_an_inline_style_sheet_or_script():
    """CSP 'self' blocks <style> blocks and inline scripts, so none may be left in a template."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if "<style" in text or ("<script" in text and "<script src=" not in text):
            offenders.append(str(path.relative_to(TEMPLATES)))
    assert offenders == []


def test_no_template_uses_an_inline_event_handler():
    """CSP blocks onchange="…"; lagesbild/forms.js offers data-submit-on-change instead."""
    handlers = re.compile(r"\son[a-z]+=")
    offenders = [str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")
                 if handlers.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
    assert "data-submit-on-change" in (ROOT / "lagesbild" / "static" / "lagesbild" / "forms.js").read_text()


def test_htmx_needs_neither_inline_styles_nor_eval(client):
    page = client.get("/konto/login/").content.decode()
    assert '"includeIndicatorStyles":false' in page and '"allowEval":false' in page


def test_permissions_policy_on_every_response(client):
    assert "camera=()" in client.get("/konto/login/")["Permissions-Policy"]
    assert "geolocation=()" in client.get("/finns-inte/")["Permissions-Policy"]


def test_signed_in_pages_and_exports_are_not_stored(client, national_user):
    client.force_login(national_user)
    for url in ("/", "/organisation/", "/matt/", "/api/v1/org-units/?limit=1"):
        assert "no-store" in client.get(url)["Cache-Control"], url
    export = client.get("/matt/katalog.csv")
    assert export["Content-Disposition"].startswith("attachment")
    assert "no-store" in export["Cache-Control"]
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=national_user).key
    api = Client().get("/api/v1/measures/", HTTP_AUTHORIZATION=f"Token {token}")
    assert api.status_code == 200 and "no-store" in api["Cache-Control"]


def test_an_upload_over_the_bound_is_refused_before_it_is_read(client, national_user, monkeypatch):
    from lagesbild.ingest.models import Import

    monkeypatch.setenv("LAGESBILD_MAX_UPLOAD_MB", "1")
    client.force_login(national_user)
    body = b"x" * (3 * 1024 * 1024)
    r = client.post("/matt/importera/", body, content_type="application/octet-stream")
    assert r.status_code == 413
    page = r.content.decode()
    assert "<h1>För stor fil</h1>" in page and "högst 1 MB" in page and "Lägesbild" in page
    api = client.post("/api/v1/org-units/import/", body, content_type="application/octet-stream")
    assert api.status_code == 413 and "högst 1 MB" in api.json()["detail"]
    # Only the declared length is looked at: a request claiming more is refused the same way.
    claimed = client.post("/matt/importera/", b"", content_type="text/csv", CONTENT_LENGTH=str(50 * 1024 * 1024))
    assert claimed.status_code == 413
    assert not Import.objects.exists()
    monkeypatch.setenv("LAGESBILD_MAX_UPLOAD_MB", "5")
    assert client.post("/matt/importera/", body, content_type="application/octet-stream").status_code != 413


def test_an_over_long_address_gets_the_apps_own_page(client, national_user):
    client.force_login(national_user)
    r = client.get("/organisation/sok/", {"q": "x" * 20_000})
    assert r.status_code == 414
    assert "<h1>För lång adress</h1>" in r.content.decode()


def test_a_long_search_is_bounded_and_wraps(client, national_user):
    client.force_login(national_user)
    r = client.get("/organisation/sok/", {"q": "Ö" * 300 + "x" * 2700})
    assert r.status_code == 200
    page = r.content.decode()
    assert "Ö" * 100 in page and "Ö" * 101 not in page
    assert 'maxlength="100"' in page
    css = (ROOT / "lagesbild" / "static" / "lagesbild" / "lagesbild.css").read_text(encoding="utf-8")
    assert ".wrap" in css and "overflow-wrap:anywhere" in css
    assert 'class="wrap"' in page


def _fail(username: str, address: str = "10.7.7.7"):
    return Client().post("/konto/login/", {"username": username, "password": "fel-lösenord"}, REMOTE_ADDR=address)


def test_password_spraying_from_one_address_is_throttled(national_user):
    """Failures spread over many user names (fewer than the per-user limit each) lock the address."""
    per_user = settings.AXES_FAILURE_LIMIT - 1
    names = [f"gissning{i}" for i in range(settings.LAGESBILD_ADDRESS_FAILURE_LIMIT // per_user + 1)]
    statuses = [_fail(name).status_code for name in names for _ in range(per_user)]
    assert statuses[0] == 200 and statuses[-1] == 429
    assert statuses.index(429) == settings.LAGESBILD_ADDRESS_FAILURE_LIMIT - 1
    right = Client().post("/konto/login/", {"username": "analytiker", "password": PASSWORD}, REMOTE_ADDR="10.7.7.7")
    assert right.status_code == 429
    other = Client().post("/konto/login/", {"username": "analytiker", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 302


def test_password_reset_is_off_without_mail(client):
    assert not settings.EMAIL_HOST
    assert client.get("/konto/password_reset/").status_code == 404
    assert client.post("/konto/password_reset/", {"email": "a@example.se"}).status_code == 404
    assert "password_reset" not in client.get("/konto/login/").content.decode()


def _start(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("LAGESBILD_DEBUG", "LAGESBILD_TESTING", "PYTEST_VERSION", "LAGESBILD_SECRET_KEY",
                          "DJANGO_SETTINGS_MODULE")}
    clean.update(env, PYTHONPATH=str(ROOT))
    code = "import os; os.environ['DJANGO_SETTINGS_MODULE']='lagesbild.settings'; import django; django.setup()"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=clean, timeout=60)


@pytest.mark.parametrize("key", ["abcde", "x" * 64, "abcd" * 20])
def test_a_weak_secret_key_refuses_to_start(key):
    r = _start(LAGESBILD_SECRET_KEY=key)
    assert r.returncode != 0
    assert "LAGESBILD_SECRET_KEY is too weak" in r.stderr
    assert key not in r.stderr


def test_a_strong_secret_key_starts_and_debug_accepts_a_short_one():
    assert _start(LAGESBILD_SECRET_KEY="Vq3-f9!Lm2#pZr8@Tx5$Kw1%Hn7^Bd4&Gs6*Jc0(Ye)Ua+Oi=Q").returncode == 0
    assert _start(LAGESBILD_SECRET_KEY="short", LAGESBILD_DEBUG="1").returncode == 0
