"""The measure handbook under /matt/."""

from django.urls import path

from . import views

app_name = "catalogue"
urlpatterns = [
    path("", views.measure_list, name="list"),
    path("importera/", views.measure_import, name="import"),
    path("katalog.yaml", views.export_yaml, name="export_yaml"),
    path("katalog.csv", views.export_csv, name="export_csv"),
    path("<slug:code>/", views.measure_detail, name="detail"),
]
