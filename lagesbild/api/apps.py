from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "lagesbild.api"
    label = "api"
    verbose_name = "API"
