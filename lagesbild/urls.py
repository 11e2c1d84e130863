from django.contrib import admin
from django.urls import include, path

from lagesbild import views

urlpatterns = [
    path("", views.start, name="start"),
    path("konto/", include("django.contrib.auth.urls")),
    path("enkater/", include("lagesbild.surveys.urls")),
    path("api/", include("lagesbild.api.urls")),
    path("admin/", admin.site.urls),
]
