"""Login throttling: django-axes' lockout per (user name, address), plus one per address.

Axes counts failures per user name and address; spreading guesses over many user names from
one address (password spraying) never reaches that limit. This handler also locks out an address
whose failures over all user names within the cool-off time reach ``LAGESBILD_ADDRESS_FAILURE_LIMIT``
(higher than the per-user limit, so a few colleagues behind one gateway who mistype are not locked
out together).
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.attempts import get_cool_off_threshold
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


class AddressThrottlingHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        if self.address_failures(request) >= settings.LAGESBILD_ADDRESS_FAILURE_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures

    @staticmethod
    def address_failures(request) -> int:
        address = getattr(request, "axes_ip_address", None)
        if not address:
            return 0
        attempts = AccessAttempt.objects.filter(ip_address=address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0

