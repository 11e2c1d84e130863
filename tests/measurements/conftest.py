import pytest

from lagesbild.catalogue.models import Measure
from lagesbild.org.models import OrgUnit


@pytest.fixture
def tree(db):
    """Region 08 › two förvaltningar › verksamheter › enheter."""
    r = OrgUnit.objects.get(code="08")
    mk = lambda code, kind, parent: OrgUnit.objects.create(code=code, name=code.replace("-", " "), kind=kind, parent=parent)  # noqa: E731
    hsf = mk("T-HSF", "forvaltning", r)
    pv = mk("T-PV", "forvaltning", r)
    med = mk("T-MED", "verksamhet", hsf)
    ort = mk("T-ORT", "verksamhet", hsf)
    return {
        "region": r, "hsf": hsf, "pv": pv, "med": med, "ort": ort,
        "avd1": mk("T-AVD1", "enhet", med), "avd2": mk("T-AVD2", "enhet", med),
        "avd3": mk("T-AVD3", "enhet", ort), "vc1": mk("T-VC1", "enhet", pv),
    }


@pytest.fixture
def share(db):
    return Measure.objects.create(code="t-andel", title="Testandel", measure_type="process", unit="percent",
                                  direction="higher", decimals=1)


@pytest.fixture
def per1000(db):
    return Measure.objects.create(code="t-per1000", title="Recept per 1 000", measure_type="process", unit="per_1000",
                                  direction="lower", decimals=0)


@pytest.fixture
def region_admin(db):
    from django.contrib.auth import get_user_model

    from lagesbild.org.models import Membership
    from tests.conftest import PASSWORD

    u = get_user_model().objects.create_user("regionadmin", password=PASSWORD)
    Membership.objects.create(user=u, org_unit=OrgUnit.objects.get(code="08"), role="admin")
    return u


def csv(*lines: str) -> bytes:
    return ("\r\n".join(["measure;unit;period;sex;age_band;numerator;denominator;status", *lines]) + "\r\n").encode("cp1252")
