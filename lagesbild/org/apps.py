from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "lagesbild.org"
    label = "org"
    verbose_name = "Organisation"
