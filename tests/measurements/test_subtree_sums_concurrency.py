"""Two imports under the same ancestors at the same time: the second waits for the first's sums."""

import threading
import time

import pytest
from django.db import connection, transaction

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
                services.import_observations(csv("t-andel;T-AVD1;2025-01;;;1;2;"), "a.csv", region_admin)
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
            services.import_observations(csv("t-andel;T-AVD2;2025-01;;;3;4;"), "b.csv", region_admin)
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
