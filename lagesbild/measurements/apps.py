from django.apps import AppConfig


class MeasurementsConfig(AppConfig):
    name = "lagesbild.measurements"
    label = "measurements"
    verbose_name = "Mätningar"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save, pre_save

        from lagesbild.org.signals import unit_moved

        from .models import Observation

        unit_moved.connect(_unit_moved, dispatch_uid="measurements.subtree_sums")
        # Imports write in bulk and refresh the sums themselves; a single row saved or deleted
        # through the ORM (the admin, a shell, a test) refreshes them here.
        pre_save.connect(_observation_saving, sender=Observation, dispatch_uid="measurements.observation_saving")
        post_save.connect(_observation_changed, sender=Observation, dispatch_uid="measurements.observation_saved")
        post_delete.connect(_observation_changed, sender=Observation, dispatch_uid="measurements.observation_deleted")


def _unit_moved(sender, unit, old_ancestor_ids, new_ancestor_ids, **kwargs) -> None:
    """The old and the new ancestors' sums change; the moved subtree's own sums do not."""
    from . import subtree_sums

    subtree_sums.refresh([], None, extra_ancestors=[*old_ancestor_ids, *new_ancestor_ids])


def _observation_saving(sender, instance, **kwargs) -> None:
    """Remember where a changed row was, in case its unit, measure or period changes."""
    instance._stored_key = (
        sender.objects.filter(pk=instance.pk).values_list("org_unit_id", "measure_id", "period_start", "granularity").first()
        if instance.pk else None
    )


def _observation_changed(sender, instance, **kwargs) -> None:
    from datetime import date

    from . import subtree_sums

    start = instance.period_start
    if isinstance(start, str):
        start = date.fromisoformat(start)
    subtree_sums.refresh([instance.org_unit_id], [(instance.measure_id, start, instance.granularity)])
    old = getattr(instance, "_stored_key", None)
    if old and old != (instance.org_unit_id, instance.measure_id, start, instance.granularity):
        subtree_sums.refresh([old[0]], [old[1:]])
