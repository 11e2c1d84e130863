"""The real-time ward view and the overview: who may see them, what they show, what is audited."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from lagesbild.calc import localtime
from lagesbild.core.actor import Actor
from lagesbild.org.models import AuditEvent, OrgUnit
from lagesbild.patients import keys, services
from tests.conftest import _user
from tests.patients import files

pytestmark = pytest.mark.django_db
KEY = keys.PseudonymKey("k1", b"a test key that is long enough to be used here")


def _stamp(moment):
    return localtime.local(moment).isoformat(timespec="minutes")


@pytest.fixture
def ward(db, tmp_path):
    """Ward AVD1 (under Medicinkliniken under region 08) with three patients admitted now: P1 3 h ago
    with nothing done (due), P2 30 h ago with nothing done (overdue), P3 moved here from AVD2."""
    region = OrgUnit.objects.get(code="08")
    clinic = OrgUnit.objects.create(code="MED", name="Medicinkliniken", kind="verksamhet", parent=region)
    avd1 = OrgUnit.objects.create(code="AVD1", name="Avdelning 1", kind="enhet", parent=clinic)
    OrgUnit.objects.create(code="AVD2", name="Avdelning 2", kind="enhet", parent=clinic)
    now = timezone.now()
    episodes = [
        ["P1", files.WOMAN_75, "AVD1", _stamp(now - timedelta(hours=3)), "", "Sal 1:1"],
        ["P2", files.MAN_80, "AVD1", _stamp(now - timedelta(hours=30)), "", "Sal 1:2"],
        ["P3", files.WOMAN_69, "AVD2", _stamp(now - timedelta(hours=5)), "", "Sal 9:1"],
        ["GONE", files.MAN_70, "AVD1", _stamp(now - timedelta(hours=50)), _stamp(now - timedelta(hours=2)), "Sal 1:3"],
    ]
    path = files.write_csv(tmp_path / "ep.csv", [*files.EPISODE_HEADER, "säng"], episodes)
    moves = files.write_csv(tmp_path / "flytt.csv", ["episode", "unit", "moved_at", "bed"],
                            [["P3", "AVD1", _stamp(now - timedelta(hours=1)), "Sal 2:4"]])
    services.import_records({"episodes": (path.read_bytes(), path.name), "movements": (moves.read_bytes(), moves.name)},
                            actor=Actor.system(), key=KEY)
    return avd1


def _get(client, user, name, *args):
    client.force_login(user)
    return client.get(reverse(name, args=args))


def test_care_staff_see_the_patients_on_the_ward_most_urgent_first(client, ward):
    nurse = _user("skoterska", "AVD1", "care")
    page = _get(client, nurse, "patients:ward", "AVD1").content.decode()
    assert page.index("P2") < page.index("P1")  # overdue before due
    assert "Sal 2:4" in page and "P3" in page  # moved here: shown with the bed it has now
    assert "GONE" not in page  # discharged
    assert "Bedömning försenad" in page and "Bedömning senast" in page
    assert "70–79" in page and "Kvinna" in page
    for number in files.IDENTITY_NUMBERS:
        assert number not in page and number.replace("-", "") not in page
    assert AuditEvent.objects.filter(user=nurse, action="patients.ward.view", object_id=str(ward.pk)).count() == 1
    assert _get(client, nurse, "patients:ward", "AVD2").status_code == 403  # a role on AVD1 is not one on AVD2

def test_who_may_not_see_patient_data(client, ward):
    for username, unit, role in (("lasare", "08", "reader"), ("strateg", "08", "strategist"),
                                 ("annan", "AVD2", "care")):
        user = _user(username, unit, role)
        assert _get(client, user, "patients:ward", "AVD1").status_code == 403, username
        assert _get(client, user, "patients:ward_table", "AVD1").status_code == 403, username
    assert _get(client, _user("lasare2", "08", "reader"), "patients:overview").status_code == 403
    assert not AuditEvent.objects.filter(action="patients.ward.view").exists()


def test_the_manager_of_the_clinic_sees_the_overview_and_the_menu_entry(client, ward):
    chef = _user("chef-med", "MED", "manager")
    page = _get(client, chef, "patients:overview").content.decode()
    assert "Avdelning 1" in page and reverse("patients:ward", args=["AVD1"]) in page
    row = page.split("Avdelning 1")[1].split("</tr>")[0]
    assert '<td class="num">3</td>' in row  # P1, P2 and the moved-in P3
    assert "Realtid" in page
    reader = _user("lasare3", "08", "reader")
    assert "Realtid" not in _get(client, reader, "start").content.decode()


def test_the_self_updating_table_is_audited_once_per_quarter_hour(client, ward, monkeypatch):
    from lagesbild.patients import views

    nurse = _user("skoterska2", "AVD1", "care")
    client.force_login(nurse)
    for _ in range(3):
        table = client.get(reverse("patients:ward_table", args=["AVD1"]))
        assert table.status_code == 200 and "<html" not in table.content.decode()
    assert AuditEvent.objects.filter(user=nurse, action="patients.ward.view").count() == 1
    monkeypatch.setattr(views, "AUDIT_POLL_EVERY", timedelta(0))  # as if a quarter of an hour had passed
    client.get(reverse("patients:ward_table", args=["AVD1"]))
    assert AuditEvent.objects.filter(user=nurse, action="patients.ward.view").count() == 2


def test_the_month_drill_down_lists_the_episodes_outside_the_numerator_and_why(client, tmp_path):
    """files.EPISODES on AVD1 in January 2025: E1 made it, E2's trycksår assessment came 24 h + 1 min
    after admission and undernäring never came."""
    region = OrgUnit.objects.get(code="08")
    OrgUnit.objects.create(code="AVD1", name="Avdelning 1", kind="enhet", parent=region)
    OrgUnit.objects.create(code="AVD2", name="Avdelning 2", kind="enhet", parent=region)
    paths = files.write_scenario(tmp_path)
    services.import_records({k: (p.read_bytes(), p.name) for k, p in paths.items()}, actor=Actor.system(), key=KEY,
                            as_of=localtime.parse(files.AS_OF))
    nurse = _user("skoterska3", "AVD1", "care")
    page = _get(client, nurse, "patients:month", "AVD1", 2025, 1).content.decode()
    section = page.split("riskbedomning-70-24h: 1 av 2")[1].split("</section>")[0]
    assert "E2" in section and "Trycksår: efter tidsgränsen" in section and "Undernäring: saknas" in section
    assert "E1" not in section
    assert AuditEvent.objects.filter(user=nurse, action="patients.month.view").count() == 1
    assert _get(client, _user("lasare4", "08", "reader"), "patients:month", "AVD1", 2025, 1).status_code == 403
