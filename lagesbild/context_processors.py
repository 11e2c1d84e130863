"""Template context every page's shell needs: the import menu entry and the print footer."""

from django.core.cache import cache
from django.db.models import Max
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from lagesbild.ingest.models import Import
from lagesbild.measurements import services as measurements

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


def shell(request):
    """Pages may set `data_as_of` and `data_source` themselves; these are the defaults for print.

    The import menu entry reads the memberships the request has already loaded (scope.roots), and
    the latest import's date is cached briefly, so the shell adds no query to a page."""
    user = getattr(request, "user", None)
    return {
        "may_import_observations": bool(user and user.is_authenticated and measurements.may_import(user)),
        "printed_on": timezone.localdate(),
        "data_as_of": SimpleLazyObject(_latest_import_date),
        "data_source": DATA_SOURCE,
    }
