"""Signals other apps listen to, so the organisation does not depend on them."""

from django.dispatch import Signal

# Sent inside the transaction of ``services.move_unit`` once the subtree's paths are rewritten,
# with ``unit`` (the moved unit, reloaded), ``old_ancestor_ids`` and ``new_ancestor_ids``.
unit_moved = Signal()
