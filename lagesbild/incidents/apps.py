from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "lagesbild.incidents"
    label = "incidents"
    verbose_name = "Avvikelser och klagomål"
