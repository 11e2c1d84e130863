"""Property-based run of the whole API against its own OpenAPI schema (issue 8, item 6).

schemathesis reads /api/schema/ from the application, then calls every operation, every
method, with generated valid and invalid input, as a national strategist, over a database
that has an object behind every endpoint. Each response must be no server error, carry a
status code the schema documents, and have a body that conforms to the schema.
"""

import logging
from datetime import date

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

pytestmark = pytest.mark.django_db(transaction=False)

EXAMPLES_PER_OPERATION = 10
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _objects(user) -> dict[str, dict]:
    """One object behind every endpoint, in the strategist's scope (region 08); returns the path
    parameters that reach them, by the path's first segment."""
    from lagesbild.catalogue.models import Measure
    from lagesbild.improvement.models import Action, ActionPlan, Analysis, FollowUp, PlanActivity
    from lagesbild.measurements.models import Observation, Target
    from lagesbild.org.models import OrgUnit

    region = OrgUnit.objects.get(code="08")
    ward = OrgUnit.objects.create(code="F-AVD", name="Avdelning", kind="enhet", parent=region)
    m = Measure.objects.create(code="f-andel", title="Andel", measure_type="process", unit="percent",
                               direction="higher", decimals=1)
    obs = Observation.objects.create(measure=m, org_unit=ward, period_start=date(2025, 1, 1), numerator=3, denominator=4)
    target = Target.objects.create(measure=m, org_unit=region, comparator=">=", value=80)
    analysis = Analysis.objects.create(measure=m, org_unit=ward, period_start=date(2025, 1, 1), text="Analys",
                                       created_by=user)
    action = Action.objects.create(analysis=analysis, title="Åtgärd", owner_name="Ansvarig",
                                   due_date=date(2025, 6, 30))
    follow_up = FollowUp.objects.create(action=action, date=date(2025, 9, 1), effect="ja")
    plan = ActionPlan.objects.create(org_unit=region, year_from=2025, year_to=2026, title="Plan")
    activity = PlanActivity.objects.create(plan=plan, kind="obligatorisk", title="Aktivitet")
    ids = {"observations": obs, "targets": target, "analyses": analysis, "actions": action, "follow-ups": follow_up,
           "action-plans": plan, "plan-activities": activity}
    return {"surveys": {"key": "sos-2025"}, "org-units": {"code": "08"}, "measures": {"code": m.code},
            **{name: {"id": obj.pk} for name, obj in ids.items()}}


@pytest.fixture
def wsgi_app(settings):
    """The real WSGI application inside the test's transaction: like Django's test client, keep
    the request signals from closing the test's database connection. The thousands of expected
    4xx are not logged."""
    settings.ALLOWED_HOSTS = ["*"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    app = get_wsgi_application()
    logging.getLogger("django.request").setLevel(logging.ERROR)
    yield app
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    logging.getLogger("django.request").setLevel(logging.NOTSET)


@pytest.fixture
def api_schema(wsgi_app, national_user, demo_surveys):
    known = _objects(national_user)
    token = Token.objects.create(user=national_user).key
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app,
                                            headers={"Authorization": f"Token {token}"})
    schema.config.generation.update(max_examples=EXAMPLES_PER_OPERATION, deterministic=True, no_shrink=True)
    schema.token, schema.known = token, known
    return schema


SETTINGS = hypothesis.settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
                              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))


def test_every_operation_conforms_and_never_fails(api_schema):
    headers = {"Authorization": f"Token {api_schema.token}"}
    operations, calls, failures = [], [], {}
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations.append(operation.label)

        known = api_schema.known.get(operation.path.split("/")[3]) if "{" in operation.path else None
        strategies = [operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)]
        if known:  # and the existing object, so that its own responses are checked too
            strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=known))
        for strategy in strategies:

            @SETTINGS
            @hypothesis.given(case=strategy)
            def run(case):
                calls.append(operation.label)
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                run()
            except hypothesis.errors.Unsatisfiable:
                pass  # no invalid value exists for this operation's parameters (e.g. a free-text code)
            except (Exception, BaseExceptionGroup) as exc:  # every operation runs; all failures reported together
                failures.setdefault(operation.label, []).append(str(exc))
    print(f"schemathesis: {len(operations)} operations, {len(calls)} calls")
    assert len(operations) > 30
    assert not failures, "\n\n".join(f"{label}:\n" + "\n".join(texts) for label, texts in failures.items())
