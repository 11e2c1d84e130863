from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "lagesbild.surveys"
    label = "surveys"
    verbose_name = "Enkäter"
