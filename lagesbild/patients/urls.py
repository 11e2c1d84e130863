from django.urls import path

from . import views

app_name = "patients"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("<str:code>/", views.ward, name="ward"),
    path("<str:code>/tabell/", views.ward_table, name="ward_table"),
    path("<str:code>/<int:year>-<int:month>/", views.month, name="month"),
]
