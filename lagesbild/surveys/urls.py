from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    path("", views.survey_list, name="list"),
    path("importera/", views.survey_upload, name="upload"),
    path("<str:key>/", views.survey_results, name="results"),
    path("<str:key>/export.xlsx", views.survey_xlsx, name="xlsx"),
    path("<str:key>/export.pptx", views.survey_pptx, name="pptx"),
    path("<str:key>/indikator/<str:indicator>/", views.indicator_detail, name="indicator"),
    path("<str:key>/region/<str:code>/", views.region_detail, name="region"),
]
