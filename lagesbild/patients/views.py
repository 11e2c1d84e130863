"""Patient-level pages: the real-time ward view and the overview across wards.

Only users with a role that may see patient data on the ward (selectors.PATIENT_ROLES) see them,
and every view is written to the audit log: the page when it is opened, and its self-updating
table at most once per AUDIT_POLL_EVERY per user and ward.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from lagesbild.org import audit
from lagesbild.org.models import AuditEvent, OrgUnit

from . import selectors

WARD_VIEW = "patients.ward.view"
OVERVIEW = "patients.overview.view"
AUDIT_POLL_EVERY = timedelta(minutes=15)


def _poll_seconds() -> int:
    return int(getattr(settings, "LAGESBILD_WARD_POLL_SECONDS", 30))


def _ward(request, code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise Http404("Okänd enhet.")
    if not selectors.may_see_patients(request.user, unit):
        raise PermissionDenied("Din roll får inte se patientuppgifter på den här enheten.")
    return unit


@login_required
@require_GET
def overview(request):
    if not selectors.patient_roots(request.user):
        raise PermissionDenied("Din roll får inte se patientuppgifter.")
    now = timezone.now()
    wards = selectors.overview(request.user, now)
    audit.record(request, OVERVIEW, None, wards=len(wards))
    return render(request, "patients/overview.html", {"wards": wards, "now": now, "soon_hours": 4})


def _ward_context(unit: OrgUnit) -> dict:
    now = timezone.now()
    today, month = selectors.shares(unit, now)
    return {"unit": unit, "now": now, "patients": selectors.ward_patients(unit, now), "today": today, "month": month,
            "poll": _poll_seconds()}


@login_required
@require_GET
def ward(request, code):
    unit = _ward(request, code)
    audit.record(request, WARD_VIEW, unit)
    return render(request, "patients/ward.html", _ward_context(unit))


@login_required
@require_GET
def ward_table(request, code):
    """The ward's table alone, fetched by the page every few seconds (htmx)."""
    unit = _ward(request, code)
    recent = AuditEvent.objects.filter(user=request.user, action=WARD_VIEW, object_id=str(unit.pk),
                                       at__gte=timezone.now() - AUDIT_POLL_EVERY).exists()
    if not recent:
        audit.record(request, WARD_VIEW, unit, poll=True)
    return render(request, "patients/_ward_table.html", _ward_context(unit))


@login_required
@require_GET
def month(request, code, year: int, month: int):
    """A ward-month's patient-record measures and the episodes outside each numerator, and why."""
    unit = _ward(request, code)
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise Http404("Okänd månad.")
    from datetime import date

    start = date(year, month, 1)
    audit.record(request, "patients.month.view", unit, month=f"{year}-{month:02d}")
    return render(request, "patients/month.html", {"unit": unit, "month": start,
                                                   "measures": selectors.month_failures(unit, start, timezone.now())})
