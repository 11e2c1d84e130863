"""Words for the ward view's cells: what is done, what is due and by when (Swedish, local time)."""

from __future__ import annotations

from datetime import datetime, timedelta

from lagesbild.calc import localtime
from lagesbild.calc import ward_status as ws

ICONS = {ws.DONE: "✓", ws.DUE: "○", ws.OVERDUE: "!"}


def _clock(moment: datetime, now: datetime) -> str:
    local, today = localtime.local(moment), localtime.local_date(now)
    return local.strftime("%H:%M") if local.date() == today else local.strftime("%d/%m %H:%M")


def duration(delta: timedelta) -> str:
    minutes = int(abs(delta).total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def kind_text(k: ws.KindStatus, now: datetime) -> str:
    """One cell: e.g. "✓ Bedömd 08:15, ingen risk", "○ Risk funnen – åtgärd senast 14:30 (3 h 20 min kvar)"."""
    icon = ICONS[k.state]
    if k.state == ws.DONE:
        if not k.risk:
            return f"{icon} Bedömd {_clock(k.assessed_at, now)}, ingen risk"
        late = "" if k.within_24h else " (efter 24 h)"
        return f"{icon} Risk, åtgärd påbörjad {_clock(k.action_at, now)}{late}"
    what = "Bedömning" if k.assessed_at is None else "Risk funnen – åtgärd"
    if k.state == ws.OVERDUE:
        return f"{icon} {what} försenad {duration(now - k.deadline)} (gräns {_clock(k.deadline, now)})"
    return f"{icon} {what} senast {_clock(k.deadline, now)} ({duration(k.deadline - now)} kvar)"


def cells(status: ws.PatientStatus, now: datetime) -> list[tuple[str, str]]:
    return [(k.state, kind_text(k, now)) for k in status.kinds]
