"""Record who did or saw what. Details carry ids and counts, never personal data."""

from __future__ import annotations

from .models import AuditEvent


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def record(request, action: str, obj: object = None, object_type: str = "", object_id: str = "", **detail) -> AuditEvent:
    user = getattr(request, "user", None) if request is not None else None
    if obj is not None:
        object_type = object_type or type(obj).__name__
        object_id = object_id or str(getattr(obj, "pk", "") or "")
    return AuditEvent.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        username=user.get_username() if user is not None and user.is_authenticated else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        path=(request.path[:500] if request is not None else ""),
        ip=client_ip(request) if request is not None else None,
        detail=detail,
    )


def record_as(user, action: str, object_type: str = "", object_id: str = "", **detail) -> AuditEvent:
    """For work done outside a request (command line)."""
    return AuditEvent.objects.create(
        user=user if user is not None else None,
        username=user.get_username() if user is not None else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )
