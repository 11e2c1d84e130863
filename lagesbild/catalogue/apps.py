from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "lagesbild.catalogue"
    label = "catalogue"
    verbose_name = "Katalog"
