"""Template context every page's shell needs: the import menu entry and the print footer."""

from django.core.cache import cache
from django.db.models import Max
from django.db.models.signals import post_delete, post_save
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.functional import SimpleLazyObject

from lagesbild.ingest.models import Import
from lagesbild.measurements import services as measurements
from lagesbild.org import scope
from lagesbild.patients.selectors import PATIENT_ROLES

DATA_SOURCE = "Lägesbild: regionens mätningar och importerade jämförelsetal"
LATEST_IMPORT_KEY = "lagesbild:latest-import-date"
LATEST_IMPORT_TTL = 60  # seconds; saves in this process clear it at once, other processes within a minute
_NONE = "-"  # cached stand-in for "no import yet"


def _latest_import_date():
    cached = cache.get(LATEST_IMPORT_KEY)
    if cached is not None:
        return None if cached == _NONE else cached
    latest = Import.objects.filter(outcome__in=[Import.Outcome.OK, Import.Outcome.UNCHANGED]).aggregate(
        at=Max("uploaded_at"))["at"]
    day = timezone.localdate(latest) if latest else None
    cache.set(LATEST_IMPORT_KEY, day or _NONE, LATEST_IMPORT_TTL)
    return day


def _forget_latest_import(**kwargs):
    cache.delete(LATEST_IMPORT_KEY)


post_save.connect(_forget_latest_import, sender=Import, dispatch_uid="lagesbild-latest-import-save")
post_delete.connect(_forget_latest_import, sender=Import, dispatch_uid="lagesbild-latest-import-delete")


# The main menu: (URL name, label, is it the current page? given (app_name, url_name)).
MENU = [
    ("start", "Start", lambda app, name: name == "start"),
    ("measurements:home", "Uppföljning", lambda app, name: app == "measurements" and name != "import"),
    ("catalogue:list", "Mått", lambda app, name: app == "catalogue"),
    ("improvement:index", "Förbättringsarbete", lambda app, name: app == "improvement"),
    ("incidents:start", "Avvikelser", lambda app, name: app == "incidents"),
    ("org:tree", "Organisation", lambda app, name: app == "org"),
    ("surveys:list", "Utvecklingsindikatorer", lambda app, name: app == "surveys"),
    ("glossary", "Ordlista", lambda app, name: name == "glossary"),
    ("swagger-ui", "API", lambda app, name: name == "swagger-ui"),
]
PATIENTS_ITEM = ("patients:overview", "Realtid", lambda app, name: app == "patients")
IMPORT_ITEM = ("measurements:import", "Importera", lambda app, name: app == "measurements" and name == "import")
_menu_urls: dict = {}  # (script prefix, urlconf) -> {URL name: escaped path}; URLs do not change while running


def _urls() -> dict:
    key = (get_script_prefix(), get_urlconf())
    urls = _menu_urls.get(key)
    if urls is None:
        urls = {name: escape(reverse(name)) for name, _, _ in [*MENU, PATIENTS_ITEM, IMPORT_ITEM]}
        urls["logout"] = escape(reverse("logout"))
        _menu_urls[key] = urls
    return urls


def main_menu(request, may_import: bool, may_see_patients: bool = False) -> str:
    """The menu's list items as HTML, the current page marked; built here once rather than with
    nine {% url %} tags and conditions on every page."""
    match = getattr(request, "resolver_match", None)
    app, name = (match.app_name, match.url_name) if match else ("", "")
    urls = _urls()
    items = [*MENU, *([PATIENTS_ITEM] if may_see_patients else []), *([IMPORT_ITEM] if may_import else [])]
    current_mark = ' aria-current="page"'
    return mark_safe("".join(
        f'<li><a href="{urls[url_name]}"{current_mark if current(app, name) else ""}>{label}</a></li>'
        for url_name, label, current in items
    ))


def shell(request):
    """Pages may set `data_as_of` and `data_source` themselves; these are the defaults for print.

    The import menu entry reads the memberships the request has already loaded (scope.roots), and
    the latest import's date is cached briefly, so the shell adds no query to a page."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    may_import = signed_in and measurements.may_import(user)
    return {
        "may_import_observations": may_import,
        "main_menu": main_menu(request, may_import, signed_in and scope.has_role(user, PATIENT_ROLES)) if signed_in else "",
        "shell_urls": _urls(),
        "printed_on": timezone.localdate().isoformat(),  # Y-m-d
        "data_as_of": SimpleLazyObject(_latest_import_date),
        "data_source": DATA_SOURCE,
    }
