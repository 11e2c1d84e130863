from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parent.parent / "lagesbild" / "surveys" / "demo"

# The national figures Socialstyrelsen published for 2025 (seed 000): (percent, numerator, n).
PUBLISHED_2025 = {
    "UI1": ("81.3", 13, 16),
    "UI2": ("75.0", 15, 20),
    "UI3": ("68.4", 13, 19),
    "UI4": ("20.0", 4, 20),
    "UI5": ("10.0", 2, 20),
    "UI6": ("15.0", 3, 20),
    "UI7": ("10.0", 2, 20),
    "UI8": ("94.1", 16, 17),
    "UI9": ("83.3", 10, 12),
}


@pytest.fixture
def demo_dir() -> Path:
    return DEMO


PASSWORD = "ett-langt-testlosenord-2025"


@pytest.fixture(autouse=True)
def fast_password_hashing(request, settings):
    """Argon2 is deliberately slow; tests that do not check hashing use a fast hasher.
    tests/security checks that the real settings hash with Argon2."""
    if "tests/security/" not in str(request.node.fspath).replace("\\", "/"):
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _user(username, code, role):
    from django.contrib.auth import get_user_model

    from lagesbild.org.models import Membership, OrgUnit

    user = get_user_model().objects.create_user(username, password=PASSWORD)
    Membership.objects.create(user=user, org_unit=OrgUnit.objects.get(code=code), role=role)
    return user


@pytest.fixture
def national_user(db):
    return _user("analytiker", "SE", "strategist")


@pytest.fixture
def national_reader(db):
    return _user("lasare", "SE", "reader")


@pytest.fixture
def kalmar_user(db):
    return _user("kalmar", "08", "strategist")


@pytest.fixture
def demo_surveys(db, national_user, demo_dir):
    from lagesbild.core.actor import Actor
    from lagesbild.surveys.services import import_survey

    out = {}
    for spec, resp in (("sos-2024.yaml", "sos-2024-svar.xlsx"), ("sos-2025.yaml", "sos-2025-svar.csv")):
        r = import_survey((demo_dir / spec).read_bytes(), spec, (demo_dir / resp).read_bytes(), resp,
                          actor=Actor.cli(national_user))
        out[r.survey.key] = r.survey
    return out
