"""Record who did or saw what. Details carry ids and counts, never personal data.

``record`` takes the :class:`~lagesbild.core.actor.Actor` a service was given; a view that
records what a user *saw* may pass its request, which becomes the request's actor.
"""

from __future__ import annotations

from lagesbild.core.actor import Actor

from .models import AuditEvent


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def as_actor(who) -> Actor:
    return who if isinstance(who, Actor) else Actor.from_request(who)


def record(who, action: str, obj: object = None, object_type: str = "", object_id: str = "", **detail) -> AuditEvent:
    """Append one event. ``who`` is an Actor or a request with a signed-in user."""
    actor = as_actor(who)
    if obj is not None:
        object_type = object_type or type(obj).__name__
        object_id = object_id or str(getattr(obj, "pk", "") or "")
    return AuditEvent.objects.create(
        user=actor.authenticated_user,
        username=actor.username,
        channel=actor.channel,
        action=action,
        object_type=object_type,
        object_id=object_id,
        path=actor.path,
        ip=actor.address,
        detail=detail,
    )



def import_hook(actor: Actor, action: str):
    """The import pipeline's audit hook: one event per import, ``action`` or ``action.refused``,
    with the pipeline's counts (never the file's content)."""
    return lambda suffix, rec, detail: record(actor, action + suffix, rec, **detail)
