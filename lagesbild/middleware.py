"""Request bounds and response headers that every page and API call shares.

- ``RequestBoundsMiddleware`` (first): an upload whose Content-Length exceeds the import bound
  (``ingest.limits.max_upload_bytes``) and a path or query string longer than any page needs are
  refused before anything reads the body, with the application's own error page (413, 414).
- ``HeadersMiddleware``: a Permissions-Policy on every response, and ``Cache-Control: no-store``
  on every response to a signed-in user and on every file download (exports), so neither a
  shared computer's browser cache nor a proxy keeps them.
"""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers, patch_cache_control

from lagesbild.ingest import limits

# Room for the multipart envelope and the form's other fields around the file itself.
MULTIPART_ALLOWANCE = 1024 * 1024
MAX_PATH = 1000
MAX_QUERY = 8000
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()" for feature in (
        "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer", "microphone",
        "midi", "payment", "publickey-credentials-get", "usb", "xr-spatial-tracking",
    )
)


def _refusal(request, status: int, template: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(render_to_string(template, {"message": message}, request=request), status=status)


class RequestBoundsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limits.max_upload_bytes() + MULTIPART_ALLOWANCE:
            return _refusal(request, 413, "413.html", f"Filen är för stor; högst {limits.max_upload_bytes() // limits.MB} "
                                                      "MB tas emot.")
        if len(request.path) > MAX_PATH or len(request.META.get("QUERY_STRING", "")) > MAX_QUERY:
            return _refusal(request, 414, "414.html", "Adressen är för lång. Korta ner sökningen och försök igen.")
        return self.get_response(request)


class HeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        is_download = response.get("Content-Disposition", "").startswith("attachment")
        if is_download or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response
