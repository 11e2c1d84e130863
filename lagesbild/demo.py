"""Demo data for `make demo`: the surveys, and users who can log in."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from lagesbild.core.actor import Actor
from lagesbild.org.models import Membership, OrgUnit
from lagesbild.org.services import set_membership
from lagesbild.surveys.services import import_survey

DEMO_DIR = Path(__file__).parent / "surveys" / "demo"
DEMO_PASSWORD = "demo-lagesbild-2025"
SURVEYS = [("sos-2024.yaml", "sos-2024-svar.xlsx"), ("sos-2025.yaml", "sos-2025-svar.csv")]
USERS = [
    # username, full name, unit code, role
    ("analytiker", "Nationell analytiker", "SE", Membership.Role.STRATEGIST),
    ("kalmar", "Patientsäkerhetsstrateg, Region Kalmar län", "08", Membership.Role.STRATEGIST),
    ("regionadmin", "Systemförvaltare, Region Kalmar län", "08", Membership.Role.ADMIN),
]
# Created after the demo region's units exist: a manager of one verksamhet.
LATE_USERS = [
    ("chef", "Verksamhetschef, Medicinkliniken Kalmar", "08-HSF-MEDK", Membership.Role.MANAGER),
]


def _users(users=USERS) -> list[str]:
    User = get_user_model()
    lines = []
    for username, full_name, code, role in users:
        if not OrgUnit.objects.filter(code=code).exists():
            continue
        first, _, last = full_name.partition(", ")
        user, _ = User.objects.get_or_create(username=username, defaults={"first_name": first, "last_name": last})
        user.set_password(DEMO_PASSWORD)
        user.save()
        set_membership(user, OrgUnit.objects.get(code=code), role, actor=Actor.system())
        lines.append(f"  {username:<11} / {DEMO_PASSWORD}   ({full_name})")
    return lines


def load_demo(today=None, patient_records: bool = True, incidents: bool = True, patterns: bool = True) -> list[str]:
    """Load the demo; idempotent, so `make demo` can run again and again. The actions' dates
    follow ``today`` (default: the local date; see lagesbild.demo_region.load); without
    ``patient_records`` the records' measures are loaded as plain observations (faster, for tests);
    without ``incidents`` the incident and complaint exports are left out and without ``patterns``
    their descriptions' patterns are not sought (faster, for tests)."""
    with transaction.atomic():
        users = _users()
        out = []
        for spec_name, resp_name in SURVEYS:
            spec, resp = DEMO_DIR / spec_name, DEMO_DIR / resp_name
            result = import_survey(spec.read_bytes(), spec.name, resp.read_bytes(), resp.name, actor=Actor.system())
            out.append(f"  {result.survey.title}: {result.respondents} svarande ({result.outcome})")
        from lagesbild.demo_region.load import load as load_region

        out += load_region(get_user_model().objects.get(username="regionadmin"), today=today,
                           patient_records=patient_records, incidents=incidents, patterns=patterns)
        users += _users(LATE_USERS)
    return ["Demodata laddad:", *out, "Logga in på http://127.0.0.1:8000/ som:", *users]
