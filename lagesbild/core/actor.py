"""Who changes or sees something: a user (or the system), through which channel, from where.

Every service that changes state takes ``actor=``; views, the API and the command line only
build the actor and call the service. The actor is plain data, so the lowest layers (the import
pipeline) can record it without knowing about requests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

WEB, API, CLI, SYSTEM = "web", "api", "cli", "system"
CHANNELS = (WEB, API, CLI, SYSTEM)


@dataclass(frozen=True)
class Actor:
    user: Any = None            # a Django user; None only for the system actor
    channel: str = WEB
    address: Optional[str] = None
    path: str = ""              # the request path (never its query string)

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}")
        if self.user is None and self.channel != SYSTEM:
            raise ValueError("only the system actor acts without a user")

    @classmethod
    def from_request(cls, request) -> "Actor":
        """The signed-in user of a web or API request (the channel follows the path)."""
        path = getattr(request, "path", "") or ""
        channel = API if path.startswith("/api/") else WEB
        user = getattr(request, "user", None)
        if user is None or not getattr(user, "is_authenticated", False):
            raise ValueError("a request actor needs a signed-in user")
        return cls(user=user, channel=channel, address=request.META.get("REMOTE_ADDR") or None, path=path[:500])

    @classmethod
    def cli(cls, user) -> "Actor":
        return cls(user=user, channel=CLI)

    @classmethod
    def system(cls) -> "Actor":
        """Work done by the application itself (migrations, the demo loader, ``--system``)."""
        return cls(user=None, channel=SYSTEM)

    @property
    def is_system(self) -> bool:
        return self.user is None

    @property
    def username(self) -> str:
        return "" if self.user is None else self.user.get_username()

    @property
    def authenticated_user(self):
        """The user to store as a foreign key (None for the system)."""
        return self.user if self.user is not None and getattr(self.user, "is_authenticated", False) else None

    def __str__(self) -> str:
        return f"{self.username or 'systemet'} ({self.channel})"
