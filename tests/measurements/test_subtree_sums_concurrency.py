"""Two imports under the same ancestors at the same time: the second waits for the first's sums."""

import threading
import time

import pytest
from django.db import connection, transaction

from lagesbild.core.actor import Actor
from lagesbild.measurements import services, subtree_sums
from tests.measurements.conftest import csv

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def refdata(transactional_db):
    from lagesbild.catalogue.reference import ensure_reference_data

    ensure_reference_data()


def test_concurrent_imports_leave_exact_sums(refdata, tree, share, region_admin):
    imported, errors = threading.Event(), []

    def first():
        try:
            with transaction.atomic():
                services.import_observations(csv("t-andel;T-AVD1;2025-01;;;1;2;"), "a.csv", actor=Actor.cli(region_admin))
                imported.set()
                time.sleep(0.5)  # still uncommitted while the second import runs
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
            imported.set()
        finally:
            connection.close()

    def second():
        try:
            imported.wait(10)
            services.import_observations(csv("t-andel;T-AVD2;2025-01;;;3;4;"), "b.csv", actor=Actor.cli(region_admin))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert subtree_sums.verify() == []
    from lagesbild.calc.periods import Period
    from lagesbild.measurements import selectors

    jan = Period.parse("2025-01")
    s = selectors.sums_by_period(tree["region"], [share], jan, jan)[share.id][jan]
    assert (s.numerator, s.denominator, s.rows) == (4, 6, 2)


def test_a_second_import_is_told_that_one_is_running(refdata, tree, share, region_admin, monkeypatch):
    """Issue 8, item 28: another connection holds the sums' lock (a killed import's backend); the
    import waits a bounded time, then gets a clear message and a refused import on record."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has one writer and its own busy timeout")
    from lagesbild.ingest.errors import InputError
    from lagesbild.ingest.models import Import

    monkeypatch.setattr(subtree_sums, "LOCK_WAIT_SECONDS", 0.5)
    held, release = threading.Event(), threading.Event()

    def holder():
        try:
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [subtree_sums.LOCK_KEY])
                held.set()
                release.wait(20)
        finally:
            connection.close()

    t = threading.Thread(target=holder)
    t.start()
    try:
        assert held.wait(10)
        started = time.monotonic()
        with pytest.raises(InputError) as exc:
            services.import_observations(csv("t-andel;T-AVD1;2025-01;;;1;2;"), "a.csv", actor=Actor.cli(region_admin))
        assert time.monotonic() - started < 5
        assert exc.value.problems[0].message == "en import pågår redan – försök igen om en stund"
        assert Import.objects.get(file_name="a.csv").outcome == "failed"
    finally:
        release.set()
        t.join(30)
    services.import_observations(csv("t-andel;T-AVD1;2025-01;;;1;2;"), "a.csv", actor=Actor.cli(region_admin))
    assert subtree_sums.verify() == []
