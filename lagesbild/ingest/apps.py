from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "lagesbild.ingest"
    label = "ingest"
    verbose_name = "Import"
