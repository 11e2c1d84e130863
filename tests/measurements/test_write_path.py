"""The write path: services take the actor, check the permission, audit and run in the pipeline;
the views, the API and the command line only build the actor and call."""

from pathlib import Path

import pytest

from lagesbild.core.actor import Actor
from lagesbild.ingest.errors import InputError
from lagesbild.ingest.models import Import
from lagesbild.measurements import services
from lagesbild.measurements.models import Target
from lagesbild.org.models import AuditEvent
from tests.measurements.conftest import csv
from tests.measurements.test_api import api_for

pytestmark = pytest.mark.django_db

MEASUREMENTS = Path(__file__).resolve().parents[2] / "lagesbild" / "measurements"


def test_no_importer_writes_its_own_import_record():
    for path in MEASUREMENTS.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "Import.objects.create" not in text and "_refused" not in text, path.name
        assert "lagesbild.improvement" not in text, path.name


def test_an_import_is_audited_by_the_service_with_its_channel(tree, share, region_admin):
    r = services.import_observations(csv("t-andel;T-AVD1;2025-01;;;1;2;"), "a.csv", actor=Actor.cli(region_admin))
    e = AuditEvent.objects.get(action="observations.import")
    assert (e.channel, e.user, e.object_id) == ("cli", region_admin, str(r.record.pk))
    assert e.detail["created"] == 1 and r.record.channel == "cli" and r.record.uploaded_by == region_admin
    with pytest.raises(InputError):
        services.import_observations(csv("t-andel;T-AVD1;2025-13;;;1;2;"), "b.csv", actor=Actor.cli(region_admin))
    refused = AuditEvent.objects.get(action="observations.import.refused")
    assert refused.detail == {"problems": 1}
    assert Import.objects.get(pk=refused.object_id).outcome == "failed"


def test_the_system_actor_skips_the_scope_check_and_is_audited_as_system(tree, share, kalmar_user):
    outside = csv("t-andel;12;2025-01;;;1;2;")  # Region Skåne: outside Kalmar's scope
    with pytest.raises(InputError) as exc:
        services.import_observations(outside, "x.csv", actor=Actor.cli(kalmar_user))
    assert "behörighet" in exc.value.problems[0].message
    services.import_observations(outside, "x.csv", actor=Actor.system())
    e = AuditEvent.objects.get(action="observations.import")
    assert (e.channel, e.user, e.username) == ("system", None, "")


def test_targets_import_is_audited_and_scoped(tree, share, kalmar_user):
    data = b"measure;unit;comparator;value\r\nt-andel;T-MED;>=;90\r\n"
    r = services.import_targets(data, "mal.csv", actor=Actor.cli(kalmar_user))
    assert (r.outcome, r.created) == ("ok", 1)
    assert AuditEvent.objects.filter(action="targets.import", user=kalmar_user).count() == 1
    with pytest.raises(InputError):
        services.import_targets(b"measure;unit;comparator;value\r\nt-andel;12;>=;90\r\n", "mal.csv",
                                actor=Actor.cli(kalmar_user))
    assert AuditEvent.objects.filter(action="targets.import.refused").count() == 1


def test_target_services_check_the_role_and_audit(tree, share, kalmar_user, national_reader):
    from django.core.exceptions import PermissionDenied

    actor = Actor.cli(kalmar_user)
    t = services.create_target(actor=actor, measure=share, org_unit=tree["med"], comparator=">=", value=90)
    services.update_target(t, actor=actor, value=95)
    with pytest.raises(PermissionDenied):
        services.update_target(t, actor=Actor.cli(national_reader), value=10)
    services.delete_target(t, actor=actor)
    assert not Target.objects.exists()
    assert list(AuditEvent.objects.filter(action__startswith="target.").order_by("id")
                .values_list("action", flat=True)) == ["target.create", "target.update", "target.delete"]


def test_the_api_refuses_a_duplicate_target_key_with_400(tree, share, kalmar_user):
    """Issue 8, item 10."""
    api = api_for(kalmar_user)
    for valid_from in (None, "2025-01-01"):
        body = {"measure": "t-andel", "unit": "T-MED", "comparator": ">=", "value": "90", "valid_from": valid_from}
        assert api.post("/api/v1/targets/", body, format="json").status_code == 201
        r = api.post("/api/v1/targets/", dict(body, value="80"), format="json")
        assert r.status_code == 400, r.content
        assert r.json()["problems"][0]["column"] == "valid_from"
    assert Target.objects.count() == 2
    assert AuditEvent.objects.filter(action="target.create", channel="api").count() == 2


def test_the_database_refuses_a_duplicate_target_key_without_valid_from(tree, share):
    from django.db import IntegrityError, transaction

    Target.objects.create(measure=share, org_unit=tree["med"], comparator=">=", value=90)
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(measure=share, org_unit=tree["med"], comparator=">=", value=80)


TOO_LONG_AGE = "x" * 21
HUGE = 2 ** 63


@pytest.mark.parametrize("line,column", [
    (f"t-andel;T-AVD1;2025-01;;{TOO_LONG_AGE};1;2;", "age_band"),
    (f"t-andel;T-AVD1;2025-01;;;{HUGE};{HUGE};", "numerator"),
])
def test_command_line_and_upload_refuse_out_of_range_values(tree, share, region_admin, client, tmp_path, capsys,
                                                             line, column):
    """Issue 8, item 22: no traceback, exit 2, a refused import; the upload shows the located error."""
    from django.urls import reverse

    from lagesbild.cli import main

    path = tmp_path / "obs.csv"
    path.write_bytes(csv(line))
    assert main(["data", "import", "--kind", "observations", "--file", str(path), "--user", "regionadmin"]) == 2
    err = capsys.readouterr().err
    assert f"kolumn '{column}'" in err and "Traceback" not in err
    client.force_login(region_admin)
    with path.open("rb") as f:
        page = client.post(reverse("measurements:import"), {"kind": "observations", "file": f})
    assert page.status_code == 422 and column in page.content.decode()
    assert list(Import.objects.order_by("id").values_list("outcome", "channel")) == [("failed", "cli"), ("failed", "web")]
    assert AuditEvent.objects.filter(action="observations.import.refused").count() == 2


def test_command_line_imports_as_system(tree, share, tmp_path, capsys):
    from lagesbild.cli import main

    path = tmp_path / "obs.csv"
    path.write_bytes(csv("t-andel;T-AVD1;2025-01;;;1;2;"))
    assert main(["data", "import", "--kind", "observations", "--file", str(path), "--system"]) == 0
    assert AuditEvent.objects.get(action="observations.import").channel == "system"
    assert main(["data", "import", "--kind", "observations", "--file", str(path)]) == 2
    assert "--system" in capsys.readouterr().err


def test_a_total_row_and_split_rows_from_two_imports_are_refused(tree, share, region_admin):
    """Issue 8, item 20: the rule holds against the stored rows, located, naming them."""
    actor = Actor.cli(region_admin)
    services.import_observations(csv("t-andel;T-AVD1;2025-01;;;2;10;"), "total.csv", actor=actor)
    with pytest.raises(InputError) as exc:
        services.import_observations(csv("t-andel;T-AVD1;2025-01;K;;1;5;", "t-andel;T-AVD1;2025-01;M;;1;5;"),
                                     "kon.csv", actor=actor)
    p = exc.value.problems[0]
    assert (p.file, p.row, p.column) == ("kon.csv", 2, "period")
    assert "totalrad" in p.message and "total.csv" in p.message
    services.import_observations(csv("t-andel;T-AVD2;2025-01;K;;1;5;"), "kon2.csv", actor=actor)
    with pytest.raises(InputError) as exc:
        services.import_observations(csv("t-andel;T-AVD2;2025-01;;;2;10;"), "total2.csv", actor=actor)
    assert "uppdelad rad (kön K" in exc.value.problems[0].message and "kon2.csv" in exc.value.problems[0].message
    r = api_for(region_admin).get("/api/v1/values/", {"unit": "T-AVD1", "period": "2025-01", "measure": "t-andel"})
    assert (r.json()[0]["numerator"], r.json()[0]["denominator"]) == (2, 10)


@pytest.mark.parametrize("period", ["9998-12", "9999-12", "0001-01"])
def test_periods_out_of_range_are_refused_clearly(tree, share, region_admin, kalmar_user, period):
    """Issue 8, item 23: in an import (located) and in the API."""
    with pytest.raises(InputError) as exc:
        services.import_observations(csv(f"t-andel;T-AVD1;{period};;;1;2;"), "x.csv", actor=Actor.cli(region_admin))
    (p,) = exc.value.problems
    assert (p.column, p.value) == ("period", period) and "1990–2100" in p.message
    r = api_for(kalmar_user).get("/api/v1/values/", {"unit": "08", "period": period})
    assert r.status_code == 400 and "1990–2100" in r.content.decode()


def test_a_page_asked_for_a_period_out_of_range_says_why(client, tree, share, kalmar_user):
    """Issue 8, item 23: a 400 with the reason, not a bare 'page not found'."""
    from django.urls import reverse

    client.force_login(kalmar_user)
    for url in (reverse("measurements:dashboard", args=["08"]), reverse("measurements:dashboard_xlsx", args=["08"]),
                reverse("measurements:measure", args=["08", "t-andel"])):
        r = client.get(url + "?period=9999-12")
        assert r.status_code == 400 and "1990–2100" in r.content.decode(), url
