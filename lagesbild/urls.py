from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from lagesbild import views

# Django's account pages, without password reset unless the server can send mail.
ACCOUNT = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
]
if settings.PASSWORD_RESET_ENABLED:
    ACCOUNT += [
        path("password_reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
        path("password_reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
        path("reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
        path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    ]

urlpatterns = [
    path("", views.start, name="start"),
    path("start/<slug:section>/", views.start_section, name="start_section"),
    path("ordlista/", views.glossary, name="glossary"),
    path("konto/", include(ACCOUNT)),
    path("enkater/", include("lagesbild.surveys.urls")),
    path("organisation/", include("lagesbild.org.urls")),
    path("matt/", include("lagesbild.catalogue.urls")),
    path("uppfoljning/", include("lagesbild.measurements.urls")),
    path("forbattring/", include("lagesbild.improvement.urls")),
    path("patienter/", include("lagesbild.patients.urls")),
    path("avvikelser/", include("lagesbild.incidents.urls")),
    path("api/", include("lagesbild.api.urls")),
    path("admin/", admin.site.urls),
]
