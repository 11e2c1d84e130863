"""Template context every page's shell needs: the import menu entry and the print footer."""

from django.db.models import Max
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from lagesbild.ingest.models import Import
from lagesbild.measurements import services as measurements

DATA_SOURCE = "Lägesbild: regionens mätningar och importerade jämförelsetal"


def _latest_import_date():
    latest = Import.objects.filter(outcome__in=[Import.Outcome.OK, Import.Outcome.UNCHANGED]).aggregate(
        at=Max("uploaded_at"))["at"]
    return timezone.localdate(latest) if latest else None


def shell(request):
    """Pages may set `data_as_of` and `data_source` themselves; these are the defaults for print."""
    user = getattr(request, "user", None)
    return {
        "may_import_observations": bool(user and user.is_authenticated and measurements.may_import(user)),
        "printed_on": timezone.localdate(),
        "data_as_of": SimpleLazyObject(_latest_import_date),
        "data_source": DATA_SOURCE,
    }
