"""`lagesbild data import --kind units|measures` as a real process against the test database."""

import pytest

from tests.surveys.test_cli import _database_url, cli_db

UNITS = "code;name;kind;parent_code;valid_from;valid_to\r\n08-SYS;Systemförvaltningen;förvaltning;08;;\r\n"
MEASURES = """measures:
  - code: cli-matt
    title: Ett mått från kommandoraden
    measure_type: process
    unit: percent
    direction: higher
"""


@pytest.fixture
def db_url(transactional_db):
    from django.conf import settings

    from lagesbild.catalogue.reference import ensure_reference_data

    ensure_reference_data()
    return _database_url(settings.DATABASES["default"])


@pytest.mark.parametrize("kind, name, content", [("units", "enheter.csv", UNITS), ("measures", "matt.yaml", MEASURES)])
def test_import_without_user_or_system_is_one_line_and_exit_2(db_url, tmp_path, kind, name, content):
    from lagesbild.ingest.models import Import

    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    r = cli_db(db_url, "data", "import", "--kind", kind, "--file", path)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines() == ["lagesbild: ange --user ANVÄNDARNAMN (vars behörighet prövas) eller --system"]
    assert not Import.objects.exists()


@pytest.mark.parametrize("kind, name, content, action", [
    ("units", "enheter.csv", UNITS, "org.import"),
    ("measures", "matt.yaml", MEASURES, "catalogue.import"),
])
def test_import_as_the_system_is_audited_as_the_system(db_url, tmp_path, kind, name, content, action):
    from lagesbild.ingest.models import Import
    from lagesbild.org.models import AuditEvent

    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    r = cli_db(db_url, "data", "import", "--kind", kind, "--file", path, "--system")
    assert r.returncode == 0, r.stderr
    assert "ok, 1 nya" in r.stdout
    record = Import.objects.get()
    assert (record.channel, record.uploaded_by, record.created) == ("system", None, 1)
    event = AuditEvent.objects.get(action=action)
    assert (event.channel, event.user, event.username, event.object_id) == ("system", None, "", str(record.pk))
    assert event.detail["created"] == 1
