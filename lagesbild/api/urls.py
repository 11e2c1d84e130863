from importlib import import_module

from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("surveys", views.SurveyViewSet, basename="survey")
# Each app registers its own endpoints.
for app in ("org", "catalogue", "measurements", "improvement"):
    import_module(f"lagesbild.{app}.api").register(router)

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Any other path under /api/ (e.g. /api/v1/action-plans/abc/) is the API's own JSON 404.
    re_path(r"", csrf_exempt(lambda request, *args, **kwargs: JsonResponse({"detail": "Finns inte."}, status=404))),
]
