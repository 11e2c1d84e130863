from importlib import import_module

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.exceptions import NotFound
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from . import docs, views

router = DefaultRouter()
router.APIRootView = docs.ApiRoot
router.register("surveys", views.SurveyViewSet, basename="survey")
# Each app registers its own endpoints.
for app in ("org", "catalogue", "measurements", "improvement", "patients", "incidents"):
    import_module(f"lagesbild.{app}.api").register(router)


class UnknownPath(APIView):
    """Any other path under /api/ (e.g. /api/v1/action-plans/abc/): the API's own JSON 404 for a
    signed-in caller, the usual refusal for anyone else."""

    schema = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound("Finns inte.")


urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.SwaggerUI.as_view(), name="swagger-ui"),
    path("redoc/", docs.Redoc.as_view(), name="redoc"),
    re_path(r"", UnknownPath.as_view()),
]
