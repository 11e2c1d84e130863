from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    name = "lagesbild.improvement"
    label = "improvement"
    verbose_name = "Förbättringsarbete"

    def ready(self) -> None:
        # The dashboards show the improvement work beside each measure without importing this
        # app: it registers its summaries with the measurements app (layers stay one-way).
        from lagesbild.measurements import annotations

        from .selectors import summaries_for

        annotations.register(summaries_for)
