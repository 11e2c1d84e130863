"""The API's own pages: Swagger UI and Redoc served by the app (drf-spectacular-sidecar) under the
strict Content-Security-Policy, and a Swedish root at /api/v1/.

Swagger UI's initialiser is fetched as a separate script (SpectacularSwaggerSplitView), and both
pages use templates without inline styles or scripts and without outside hosts (the stock Redoc
template loads Google Fonts)."""

from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.renderers import JSONRenderer, TemplateHTMLRenderer
from rest_framework.response import Response
from rest_framework.routers import APIRootView

from .schema import TAGS


class SwaggerUI(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    title = "Lägesbild API – Swagger UI"


class Redoc(SpectacularRedocView):
    template_name = "api/redoc.html"
    title = "Lägesbild API – Redoc"


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
        endpoints = [(key, url, *TAGS.get(key, (key, ""))) for key, url in response.data.items()]
        return Response({"endpoints": endpoints}, template_name="api/root.html")
