"""The shell every page shares: the menu, the import entry for those allowed to import, the print
footer's defaults and the error page."""

import re

import pytest
from django.template import loader

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode("utf-8"))


def menu(response) -> list[str]:
    nav = re.search(r'<nav id="huvudmeny".*?</nav>', response.content.decode("utf-8"), re.S).group(0)
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav)


def test_the_menu_offers_import_only_to_those_allowed_to_import(client, kalmar_user, national_reader):
    client.force_login(kalmar_user)
    assert menu(client.get("/enkater/")) == ["Start", "Uppföljning", "Mått", "Förbättringsarbete", "Avvikelser", "Organisation",
                                             "Utvecklingsindikatorer", "Ordlista", "API", "Importera"]
    client.force_login(national_reader)
    assert "Importera" not in menu(client.get("/enkater/"))


def test_the_print_footer_has_the_print_date_the_data_date_and_the_source(client, national_user, demo_surveys):
    from django.utils import timezone

    client.force_login(national_user)
    footer = re.search(r'<div class="print-footer">(.*?)</div>', text(client.get("/enkater/"))).group(1)
    today = timezone.localdate()
    assert f"Utskrivet {today:%Y-%m-%d}" in footer
    assert "Data per " in footer and "Källa: Lägesbild" in footer  # the latest import's date, the default source


def test_the_server_error_page_renders_without_a_request():
    html = loader.get_template("500.html").render()
    assert "Något gick fel" in html and "huvudmeny" not in html
