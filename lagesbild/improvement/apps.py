from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    name = "lagesbild.improvement"
    label = "improvement"
    verbose_name = "Förbättringsarbete"
