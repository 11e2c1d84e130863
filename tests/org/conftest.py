"""Fixtures for the organisation tests: administrators and the sample Kalmar file."""

from pathlib import Path

import pytest

from lagesbild.core.actor import Actor
from tests.conftest import _user

DATA = Path(__file__).resolve().parent / "data"
SAMPLE = DATA / "kalmar-enheter.csv"


@pytest.fixture
def kalmar_admin(db):
    """Administrator of Region Kalmar län (08) and everything below it."""
    return _user("kalmar-admin", "08", "admin")


@pytest.fixture
def skane_admin(db):
    """Administrator of Region Skåne (12)."""
    return _user("skane-admin", "12", "admin")


@pytest.fixture
def sample_bytes() -> bytes:
    return SAMPLE.read_bytes()


@pytest.fixture
def kalmar_units(kalmar_admin, sample_bytes):
    """The sample file imported by the Kalmar administrator."""
    from lagesbild.org.services import import_units

    return import_units(sample_bytes, SAMPLE.name, actor=Actor.cli(kalmar_admin))


@pytest.fixture
def skane_units(skane_admin):
    from lagesbild.org.services import import_units

    data = (
        "code;name;kind;parent_code;valid_from;valid_to\n"
        "12-SUS;Område Skånes universitetssjukhus;förvaltning;12;2015-01-01;\n"
        "12-SUS-MED;Medicinkliniken Lund;verksamhet;12-SUS;2015-01-01;\n"
    ).encode("utf-8")
    return import_units(data, "skane.csv", actor=Actor.cli(skane_admin))
