"""Organisation pages, mounted at /organisation/. Fixed words come before unit codes."""

from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("sok/", views.search, name="search"),
    path("importera/", views.import_units, name="import"),
    path("omorganisera/", views.reorganise, name="reorganise"),
    path("<str:code>/", views.unit_detail, name="unit"),
    path("<str:code>/underenheter/", views.children, name="children"),
    path("<str:code>/andra/", views.unit_edit, name="edit"),
    path("<str:code>/ny/", views.unit_create, name="create"),
]
