"""The control chart's settings of a measure and its rebases, written through the services:
permission, validation in Swedish, the audit event, nothing written on refusal."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from lagesbild.catalogue.models import Measure
from lagesbild.core.actor import Actor
from lagesbild.ingest.errors import InputError
from lagesbild.measurements import services
from lagesbild.measurements.models import Rebase, SpcSetting
from lagesbild.org.models import AuditEvent, OrgUnit
from tests.conftest import _user

pytestmark = pytest.mark.django_db


@pytest.fixture
def measure(db):
    return Measure.objects.create(code="t-spc", title="Riskbedömning (test)", measure_type="process", unit="percent",
                                  direction="higher", decimals=1, frequency="month")


@pytest.fixture
def ward(db):
    return OrgUnit.objects.create(code="08-AVD", name="Avdelning", kind="enhet", parent=OrgUnit.objects.get(code="08"))


def actor(username, code, role):
    return Actor(user=_user(username, code, role), channel="web", address="192.0.2.7", path="/test/")


# --- settings of the measure -----------------------------------------------------------------


def test_a_strategist_sets_fix_after_and_run_length_audited(measure):
    who = actor("strateg", "08", "strategist")
    services.set_spc_settings("t-spc", actor=who, fix_after=12, run_length=6)
    s = SpcSetting.objects.get(measure_code="t-spc")
    assert (s.fix_after, s.run_length, s.updated_by.username) == (12, 6, "strateg")
    event = AuditEvent.objects.get(action="spc.settings")
    assert (event.username, event.channel, event.ip, event.object_id) == ("strateg", "web", "192.0.2.7", str(s.pk))
    assert event.detail == {"measure": "t-spc", "fix_after": 12, "run_length": 6,
                            "was": {"fix_after": None, "run_length": 7}}

    services.set_spc_settings("t-spc", actor=who, fix_after=None, run_length=7)  # back to the defaults: the same row
    s = SpcSetting.objects.get(measure_code="t-spc")
    assert (s.fix_after, s.run_length, SpcSetting.objects.count()) == (None, 7, 1)
    assert AuditEvent.objects.filter(action="spc.settings").latest("pk").detail["was"] == {"fix_after": 12, "run_length": 6}


def test_the_settings_outlive_a_new_version_of_the_measure(measure):
    from lagesbild.calc.periods import Period
    from lagesbild.measurements import presenters

    services.set_spc_settings("t-spc", actor=Actor.system(), fix_after=8, run_length=6)
    v2 = Measure.objects.create(code="t-spc", title="Riskbedömning (version 2)", measure_type="process", unit="percent",
                                direction="higher", decimals=1, frequency="month", version=2, valid_from=date(2026, 1, 1))
    page = presenters.measure_page(OrgUnit.objects.get(code="08"), v2, Period.parse("2026-03"))
    assert page.m.pk == v2.pk != measure.pk
    assert page.spc_rules == presenters.SpcRules(fix_after=8, run=6)


@pytest.mark.parametrize("role", ["manager", "reader"])
def test_a_manager_or_reader_may_not_change_the_settings(measure, role):
    with pytest.raises(PermissionDenied):
        services.set_spc_settings("t-spc", actor=actor("someone", "08", role), fix_after=12, run_length=6)
    assert not SpcSetting.objects.exists()
    assert not AuditEvent.objects.filter(action="spc.settings").exists()


@pytest.mark.parametrize("fix_after,run_length,message", [
    (1, 7, "N ska vara minst 2"),
    (0, 7, "N ska vara minst 2"),
    (121, 7, "högst 120"),
    (None, 5, "en trend eller ett skift är 7 eller 6 punkter i följd"),
    (None, 8, "en trend eller ett skift är 7 eller 6 punkter i följd"),
])
def test_settings_outside_the_rules_are_refused_in_swedish(measure, fix_after, run_length, message):
    with pytest.raises(InputError) as exc:
        services.set_spc_settings("t-spc", actor=Actor.system(), fix_after=fix_after, run_length=run_length)
    assert message in str(exc.value)
    assert not SpcSetting.objects.exists()


def test_settings_of_an_unknown_measure_are_refused(measure):
    with pytest.raises(InputError, match="okänt mått"):
        services.set_spc_settings("finns-inte", actor=Actor.system(), fix_after=None, run_length=6)
    assert not SpcSetting.objects.exists()


# --- rebases ---------------------------------------------------------------------------------


def test_a_strategist_records_a_rebase_with_its_reason_audited_without_the_text(measure, ward):
    who = actor("strateg", "08", "strategist")
    r = services.record_rebase("t-spc", ward, date(2025, 3, 17), "  Ny rutin för   riskbedömning infördes ", actor=who)
    r.refresh_from_db()
    assert (r.measure_code, r.org_unit, r.month, r.reason, r.created_by.username) == (
        "t-spc", ward, date(2025, 3, 1), "Ny rutin för riskbedömning infördes", "strateg")
    event = AuditEvent.objects.get(action="spc.rebase.create")
    assert event.detail == {"measure": "t-spc", "unit": "08-AVD", "month": "2025-03"}
    assert "rutin" not in str(event.detail)  # the free text stays out of the log

    services.delete_rebase(r, actor=who)
    assert not Rebase.objects.exists()
    assert AuditEvent.objects.get(action="spc.rebase.delete").detail == {"measure": "t-spc", "unit": "08-AVD",
                                                                          "month": "2025-03"}


@pytest.mark.parametrize("role", ["manager", "reader"])
def test_a_manager_or_reader_may_not_rebase(measure, ward, role):
    with pytest.raises(PermissionDenied):
        services.record_rebase("t-spc", ward, date(2025, 3, 1), "Ny rutin", actor=actor("someone", "08", role))
    assert not Rebase.objects.exists()


def test_a_strategist_of_another_region_may_neither_rebase_nor_delete_here(measure, ward):
    other = actor("annan", "01", "strategist")
    with pytest.raises(PermissionDenied):
        services.record_rebase("t-spc", ward, date(2025, 3, 1), "Ny rutin", actor=other)
    r = services.record_rebase("t-spc", ward, date(2025, 3, 1), "Ny rutin", actor=Actor.system())
    with pytest.raises(PermissionDenied):
        services.delete_rebase(r, actor=other)
    assert Rebase.objects.filter(pk=r.pk).exists()
    assert not AuditEvent.objects.filter(action="spc.rebase.delete").exists()


def test_a_strategist_on_the_ward_itself_may_rebase_there(measure, ward):
    services.record_rebase("t-spc", ward, date(2025, 3, 1), "Ny rutin", actor=actor("avd", "08-AVD", "strategist"))
    assert Rebase.objects.count() == 1


@pytest.mark.parametrize("reason,message", [
    ("", "ange skälet till den nya baslinjen"),
    ("   \t ", "ange skälet till den nya baslinjen"),
    ("x" * 301, "skälet får vara högst 300 tecken"),
])
def test_a_rebase_needs_a_reason(measure, ward, reason, message):
    with pytest.raises(InputError) as exc:
        services.record_rebase("t-spc", ward, date(2025, 3, 1), reason, actor=Actor.system())
    assert message in str(exc.value)
    assert exc.value.problems[0].column == "skäl"
    assert not Rebase.objects.exists()


def test_a_rebase_in_a_month_that_has_not_begun_is_refused(measure, ward):
    today = timezone.localdate()
    next_month = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    with pytest.raises(InputError, match="en ny baslinje kan inte börja i en månad som inte har börjat"):
        services.record_rebase("t-spc", ward, next_month, "Ny rutin", actor=Actor.system())
    services.record_rebase("t-spc", ward, today, "Ny rutin", actor=Actor.system())  # this month is fine
    assert Rebase.objects.count() == 1


def test_a_second_rebase_in_the_same_month_and_unit_is_refused(measure, ward):
    services.record_rebase("t-spc", ward, date(2025, 3, 1), "Ny rutin", actor=Actor.system())
    with pytest.raises(InputError, match="det finns redan en ny baslinje för måttet och enheten den månaden"):
        services.record_rebase("t-spc", ward, date(2025, 3, 20), "Igen", actor=Actor.system())
    assert Rebase.objects.count() == 1


def test_a_rebase_of_an_unknown_measure_is_refused(ward):
    with pytest.raises(InputError, match="okänt mått"):
        services.record_rebase("finns-inte", ward, date(2025, 3, 1), "Ny rutin", actor=Actor.system())
