"""Login rate limiting, password hashing, cookie and CSRF settings: tested, not assumed."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def attempt(client, username, password):
    return client.post("/konto/login/", {"username": username, "password": password}, REMOTE_ADDR="10.9.8.7")


def test_login_is_rate_limited(national_user):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        r = attempt(client, "analytiker", "fel-lösenord")
        assert r.status_code == 200 and "Fel användarnamn eller lösenord" in r.content.decode()
    r = attempt(client, "analytiker", "fel-lösenord")
    assert r.status_code == 429
    # Locked out even with the right password, from that address.
    r = attempt(client, "analytiker", PASSWORD)
    assert r.status_code == 429 and "För många inloggningsförsök" in r.content.decode()
    # Another address is not locked out for that user.
    r = client.post("/konto/login/", {"username": "analytiker", "password": PASSWORD}, REMOTE_ADDR="10.1.1.1")
    assert r.status_code == 302


def test_successful_login_resets_the_count(national_user):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "analytiker", "fel")
    assert attempt(client, "analytiker", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "analytiker", "fel").status_code == 200


def test_passwords_are_hashed_with_argon2(national_user):
    user = get_user_model().objects.get(username="analytiker")
    assert user.password.startswith("argon2$")
    assert PASSWORD not in user.password


def test_csrf_is_enforced_on_login_and_forms(national_user):
    client = Client(enforce_csrf_checks=True)
    r = client.post("/konto/login/", {"username": "analytiker", "password": PASSWORD})
    assert r.status_code == 403
    client.force_login(national_user)
    assert client.post("/enkater/importera/", {}).status_code == 403


def test_cookie_settings():
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax" and settings.CSRF_COOKIE_SAMESITE == "Lax"
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.X_FRAME_OPTIONS == "DENY"


def test_production_settings_are_secure(monkeypatch):
    """Without debug or test flags, cookies are secure and HTTPS is enforced."""
    import importlib

    import lagesbild.settings as s

    monkeypatch.delenv("LAGESBILD_DEBUG", raising=False)
    monkeypatch.delenv("LAGESBILD_TESTING", raising=False)
    monkeypatch.setenv("LAGESBILD_SECRET_KEY", "k7Qz-" * 10)  # 50 characters, 5 distinct
    monkeypatch.delenv("PYTEST_VERSION", raising=False)  # settings treat a pytest run as a test run
    try:
        prod = importlib.reload(s)
        assert prod.HTTPS and prod.SESSION_COOKIE_SECURE and prod.CSRF_COOKIE_SECURE
        assert prod.SECURE_HSTS_SECONDS >= 31536000 and prod.SECURE_SSL_REDIRECT
        assert not prod.DEBUG
    finally:
        monkeypatch.undo()
        importlib.reload(s)


def test_missing_secret_key_refuses_to_start(monkeypatch):
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import lagesbild.settings as s

    monkeypatch.delenv("LAGESBILD_DEBUG", raising=False)
    monkeypatch.delenv("LAGESBILD_TESTING", raising=False)
    monkeypatch.delenv("LAGESBILD_SECRET_KEY", raising=False)
    monkeypatch.delenv("PYTEST_VERSION", raising=False)
    try:
        with pytest.raises(ImproperlyConfigured):
            importlib.reload(s)
    finally:
        monkeypatch.undo()
        importlib.reload(s)


@override_settings(AXES_ENABLED=True)
def test_failed_logins_do_not_log_the_password(national_user, caplog):
    caplog.set_level("DEBUG")
    attempt(Client(), "analytiker", "hemligt-fel-lösen")
    assert "hemligt-fel-lösen" not in caplog.text
