from django.urls import path

from . import cluster_views, source_views, views

app_name = "incidents"
urlpatterns = [
    path("", views.start, name="start"),
    path("kallor/", source_views.sources, name="sources"),
    path("kallor/ny/", source_views.edit_source, name="source_new"),
    path("kallor/<int:pk>/", source_views.edit_source, name="source_edit"),
    path("kallor/<int:pk>/importera/", source_views.import_source, name="source_import"),
    path("<str:code>/", views.summary, name="summary"),
    path("<str:code>/arenden/", views.cases, name="cases"),
    path("<str:code>/klagomal/", views.complaints, name="complaints"),
    path("<str:code>/klagomal/arenden/", views.complaint_cases, name="complaint_cases"),
    path("<str:code>/monster/", cluster_views.page, name="clusters"),
    path("<str:code>/monster/arenden/", cluster_views.cases, name="cluster_cases"),
    path("<str:code>/monster/rakna-om/", cluster_views.refit, name="clusters_refit"),
]
