"""The API's own pages: Swagger UI and Redoc served by the app (drf-spectacular-sidecar) under the
strict Content-Security-Policy, and a Swedish root at /api/v1/.

Swagger UI's initialiser is fetched as a separate script (SpectacularSwaggerSplitView), and both
pages use templates without inline styles or scripts and without outside hosts (the stock Redoc
template loads Google Fonts). Redoc writes its styles into <style> elements (styled-components):
its page alone allows style elements that carry the request's nonce, which Redoc is given by
a static init script; scripts stay 'self' only."""

from urllib.parse import urlsplit

from csp.constants import NONCE
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.renderers import JSONRenderer, TemplateHTMLRenderer
from rest_framework.response import Response
from rest_framework.routers import APIRootView

from .schema import TAGS


class _DocsPolicy:
    """The two documentation pages draw their icons (select arrows, toggles, copy buttons) from
    data: images in their style sheets: those pages alone also allow images from data: addresses,
    which cannot reach another host. Scripts stay 'self' only."""

    csp_update = {"img-src": ["data:"]}

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response._csp_update = self.csp_update  # read by django-csp's middleware
        return response


class SwaggerUI(_DocsPolicy, SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    title = "Lägesbild API – Swagger UI"


# The two <style> elements the Redoc bundle writes as it loads, before it has the nonce (an empty
# one and its scrollbar styles), allowed by their hashes. A new bundle with other styles fails
# tests/browser/test_start_and_docs_in_browser.py, which watches for violations.
REDOC_STYLE_HASHES = ["'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
                      "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='"]


class Redoc(_DocsPolicy, SpectacularRedocView):
    template_name = "api/redoc.html"
    title = "Lägesbild API – Redoc"
    csp_update = {**_DocsPolicy.csp_update, "style-src": [NONCE, *REDOC_STYLE_HASHES]}


class ApiRoot(APIRootView):
    """Lägesbildens API, version 1: en länk per resurs. Dokumentationen finns i Swagger UI och Redoc."""

    # JSON for API clients (and Accept: */*), a Swedish page for a browser instead of DRF's own.
    renderer_classes = [JSONRenderer, TemplateHTMLRenderer]

    def get_view_name(self):
        return "Lägesbild API"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if request.accepted_renderer.format != "html":
            return response
        endpoints = [(urlsplit(url).path, url, *TAGS.get(key, (key, ""))) for key, url in response.data.items()]
        return Response({"endpoints": endpoints}, template_name="api/root.html")
