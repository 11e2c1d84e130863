"""The request logs: a refusal is one line without a traceback; no query string and no personal
identity number reaches them (a search or a mistyped address may carry one)."""

import logging
from types import SimpleNamespace

import pytest
from django.core.servers.basehttp import WSGIRequestHandler

pytestmark = pytest.mark.django_db
FORMAT = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")


def lines(caplog, logger: str) -> list[str]:
    return [FORMAT.format(r) for r in caplog.records if r.name == logger]


def test_a_refused_page_is_one_log_line_without_traceback(client, kalmar_user, caplog):
    from lagesbild.org.models import OrgUnit

    OrgUnit.objects.create(code="12-X", name="Skånsk förvaltning", kind="forvaltning",
                           parent=OrgUnit.objects.get(code="12"))
    client.force_login(kalmar_user)
    caplog.set_level(logging.WARNING, logger="django.request")
    assert client.get("/organisation/12-X/").status_code == 403
    [line] = lines(caplog, "django.request")
    assert "\n" not in line and "Traceback" not in line
    assert "Forbidden (Permission denied): /organisation/12-X/" in line
    assert "kalmar" not in line  # no user name


def test_a_404_path_with_an_identity_number_is_masked(client, national_user, caplog):
    client.force_login(national_user)
    caplog.set_level(logging.WARNING, logger="django.request")
    for path in ("/organisation/191212121212/", "/organisation/19121212-1212/", "/sok/121212-1212/"):
        assert client.get(path + "?q=201212121212").status_code == 404
    text = "\n".join(lines(caplog, "django.request"))
    assert "Not Found: /organisation/[nummer]/" in text
    for number in ("191212121212", "19121212-1212", "121212-1212", "201212121212", "1212"):
        assert number not in text


def test_the_server_log_has_no_query_string(caplog):
    """The development server's access log line, as runserver writes it."""
    caplog.set_level(logging.INFO, logger="django.server")
    handler = SimpleNamespace(request=None, log_date_time_string=lambda: "01/Dec/2026 21:00:00")
    WSGIRequestHandler.log_message(handler, '"%s" %s %s', "GET /organisation/sok/?q=19121212-1212 HTTP/1.1", "200", "512")
    WSGIRequestHandler.log_message(handler, '"%s" %s %s', "GET /organisation/191212121212/ HTTP/1.1", "404", "80")
    assert [r.getMessage() for r in caplog.records if r.name == "django.server"] == [
        '"GET /organisation/sok/ HTTP/1.1" 200 512',
        '"GET /organisation/[nummer]/ HTTP/1.1" 404 80',
    ]


def test_login_failures_and_lockouts_log_neither_user_name_nor_address(national_user, caplog):
    from django.conf import settings
    from django.test import Client

    caplog.set_level(logging.DEBUG)
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        Client().post("/konto/login/", {"username": "analytiker", "password": "fel"}, REMOTE_ADDR="10.55.66.77")
    assert "AXES" in caplog.text  # the lines are there, without who or from where
    assert "analytiker" not in caplog.text and "10.55.66.77" not in caplog.text
