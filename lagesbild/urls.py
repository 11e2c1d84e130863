from django.contrib import admin
from django.urls import include, path

from lagesbild import views

urlpatterns = [
    path("", views.start, name="start"),
    path("konto/", include("django.contrib.auth.urls")),
    path("enkater/", include("lagesbild.surveys.urls")),
    path("organisation/", include("lagesbild.org.urls")),
    path("matt/", include("lagesbild.catalogue.urls")),
    path("uppfoljning/", include("lagesbild.measurements.urls")),
    path("forbattring/", include("lagesbild.improvement.urls")),
    path("api/", include("lagesbild.api.urls")),
    path("admin/", admin.site.urls),
]
