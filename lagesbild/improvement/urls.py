"""Improvement pages under /forbattring/. Fixed words come before the measure/unit/period route."""

from django.urls import path

from . import views

app_name = "improvement"
CYCLE = "<str:measure_code>/<str:unit_code>/<str:period_key>/"

urlpatterns = [
    path("", views.index, name="index"),
    path("forsenade/", views.overdue, name="overdue"),
    path("luckor/", views.gap_view, name="gaps"),
    path("planer/", views.plans, name="plans"),
    path("planer/ny/", views.plan_create, name="plan_create"),
    path("planer/<int:pk>/", views.plan_detail, name="plan"),
    path("planer/<int:pk>/aktiviteter/", views.activity_add, name="activity_add"),
    path("planer/<int:pk>/forvaltningsplan/", views.plan_inherit, name="plan_inherit"),
    path("atgard/<int:pk>/status/", views.action_status, name="action_status"),
    path("atgard/<int:pk>/uppfoljning/", views.add_follow_up, name="follow_up_add"),
    path(CYCLE, views.cycle, name="cycle"),
    path(CYCLE + "analys/", views.save_analysis, name="analysis_save"),
    path(CYCLE + "atgarder/", views.add_action, name="action_add"),
]
