from importlib import import_module

from django.urls import include, path
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
]
