from django.urls import path

from . import funnel_web, views

app_name = "measurements"
urlpatterns = [
    path("", views.home, name="home"),
    path("importera/", views.import_data, name="import"),
    path("<str:code>/", views.dashboard, name="dashboard"),
    path("<str:code>/karta/", views.heatmap, name="heatmap"),
    path("<str:code>/export.xlsx", views.dashboard_xlsx, name="dashboard_xlsx"),
    path("<str:code>/matt/<slug:measure>/", views.measure_detail, name="measure"),
    path("<str:code>/matt/<slug:measure>/tratt/", funnel_web.funnel, name="funnel"),
    path("<str:code>/matt/<slug:measure>/styrdiagram/installningar/", views.spc_settings, name="spc_settings"),
    path("<str:code>/matt/<slug:measure>/styrdiagram/baslinje/", views.rebase_add, name="rebase_add"),
    path("<str:code>/matt/<slug:measure>/styrdiagram/baslinje/<int:pk>/ta-bort/", views.rebase_delete,
         name="rebase_delete"),
]
