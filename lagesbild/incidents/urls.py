from django.urls import path

from . import views

app_name = "incidents"
urlpatterns = [
    path("", views.start, name="start"),
    path("<str:code>/", views.summary, name="summary"),
    path("<str:code>/arenden/", views.cases, name="cases"),
    path("<str:code>/klagomal/", views.complaints, name="complaints"),
    path("<str:code>/klagomal/arenden/", views.complaint_cases, name="complaint_cases"),
]
