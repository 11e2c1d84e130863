from django.apps import AppConfig


class MeasurementsConfig(AppConfig):
    name = "lagesbild.measurements"
    label = "measurements"
    verbose_name = "Mätningar"
