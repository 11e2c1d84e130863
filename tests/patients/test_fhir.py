"""FHIR R4 in: the same records as a Bundle, as NDJSON and as CSV give the same figures; problems
are located by the resource's path; the API takes a Bundle."""

from __future__ import annotations

import json

import pytest

from lagesbild.calc import localtime
from lagesbild.core.actor import Actor
from lagesbild.ingest.errors import InputError
from lagesbild.measurements.models import Observation
from lagesbild.org.models import OrgUnit
from lagesbild.patients import keys, services
from tests.patients import files

pytestmark = pytest.mark.django_db
KEY = keys.PseudonymKey("k1", b"a test key that is long enough to be used here")
AS_OF = localtime.parse(files.AS_OF)
SYSTEMS = ["urn:oid:1.2.752.129.2.1.3.1", "http://electronichealth.se/identifier/personnummer"]
COORDINATION = "urn:oid:1.2.752.129.2.1.3.3"


def _iso(text: str) -> str:
    return localtime.local(localtime.parse(text)).isoformat()


def resources() -> list[dict]:
    """files.EPISODES/ASSESSMENTS/ACTIONS as FHIR resources."""
    patients, out = {}, []
    for i, number in enumerate(files.IDENTITY_NUMBERS):
        system = COORDINATION if number == files.WOMAN_COORD else SYSTEMS[i % 2]
        patients[number] = f"p{i}"
        out.append({"resourceType": "Patient", "id": f"p{i}", "identifier": [{"system": system, "value": number}]})
    for eid, number, unit, admitted, discharged in files.EPISODES:
        enc = {"resourceType": "Encounter", "id": eid, "status": "finished" if discharged else "in-progress",
               "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP"},
               "subject": {"reference": f"Patient/{patients[number]}"},
               "period": {"start": _iso(admitted), **({"end": _iso(discharged)} if discharged else {})},
               "location": [{"location": {"reference": f"Location/{unit}"}}]}
        out.append(enc)
    for n, (eid, kind, at, risk) in enumerate(files.ASSESSMENTS):
        out.append({"resourceType": "RiskAssessment", "id": f"r{n}", "status": "final",
                    "subject": {"reference": "Patient/p0"}, "encounter": {"reference": f"Encounter/{eid}"},
                    "code": {"text": kind}, "occurrenceDateTime": _iso(at),
                    "prediction": [{"qualitativeRisk": {"coding": [{"code": "high" if risk.lower() == "ja" else "low"}]}}]})
    for n, (eid, kind, at) in enumerate(files.ACTIONS):
        out.append({"resourceType": "Procedure", "id": f"x{n}", "status": "completed",
                    "subject": {"reference": "Patient/p0"}, "encounter": {"reference": f"Encounter/{eid}"},
                    "code": {"coding": [{"display": kind}]}, "performedDateTime": _iso(at)})
    return out


def bundle(extra=()) -> bytes:
    entries = [{"resource": r} for r in resources()] + list(extra)
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}).encode()


@pytest.fixture
def wards(db):
    region = OrgUnit.objects.get(code="08")
    for code in ("AVD1", "AVD2"):
        OrgUnit.objects.create(code=code, name=code, kind="enhet", parent=region)


def _figures():
    return sorted(Observation.objects.values_list("measure__code", "org_unit__code", "period_start", "sex",
                                                  "numerator", "denominator"))


def test_a_bundle_ndjson_and_csv_give_the_same_figures(wards, tmp_path):
    services.import_fhir(bundle(), "export.json", actor=Actor.system(), key=KEY, as_of=AS_OF)
    from_bundle = _figures()
    assert from_bundle and sum(r[5] for r in from_bundle if r[0] == "riskbedomning-70-24h") == 4
    Observation.objects.all().delete()
    from lagesbild.patients.models import Episode
    Episode.objects.all().delete()
    ndjson = "\n".join(json.dumps(r) for r in resources()).encode()
    services.import_fhir(ndjson, "export.ndjson", actor=Actor.system(), key=KEY, as_of=AS_OF)
    assert _figures() == from_bundle
    Observation.objects.all().delete()
    Episode.objects.all().delete()
    paths = files.write_scenario(tmp_path)
    services.import_records({k: (p.read_bytes(), p.name) for k, p in paths.items()}, actor=Actor.system(), key=KEY,
                            as_of=AS_OF)
    assert _figures() == from_bundle


def test_problems_are_located_by_path_and_carry_no_identity_number(wards):
    bad = resources()
    bad[6]["period"]["start"] = "not a time"  # E1: invalid dateTime (the model refuses it)
    data = json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in bad]}).encode()
    with pytest.raises(InputError) as caught:
        services.import_fhir(data, "export.json", actor=Actor.system(), key=KEY, as_of=AS_OF)
    assert any("Bundle.entry[6].resource(Encounter/E1)" in (p.path or "") for p in caught.value.problems)
    # a valid resource whose content breaks a rule: an unknown kind, located by path and column
    bad = resources()
    bad[13]["code"] = {"text": "Hjärtsvikt"}
    data = json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in bad]}).encode()
    with pytest.raises(InputError) as caught:
        services.import_fhir(data, "export.json", actor=Actor.system(), key=KEY, as_of=AS_OF)
    problem = caught.value.problems[0]
    assert problem.path.startswith("Bundle.entry[13].resource(RiskAssessment/r0)") and problem.value == "Hjärtsvikt"
    text = " ".join(str(p) for p in caught.value.problems)
    assert not any(n in text for n in files.IDENTITY_NUMBERS)


def test_a_delete_entry_removes_the_episode(wards):
    from lagesbild.patients.models import Episode

    services.import_fhir(bundle(), "export.json", actor=Actor.system(), key=KEY, as_of=AS_OF)
    delete = json.dumps({"resourceType": "Bundle", "type": "transaction",
                         "entry": [{"request": {"method": "DELETE", "url": "Encounter/E7"}}]}).encode()
    result = services.import_fhir(delete, "delete.json", actor=Actor.system(), key=KEY, as_of=AS_OF)
    assert result.episodes["deleted"] == 1 and not Episode.objects.filter(episode="E7").exists()


def test_the_api_takes_a_bundle(wards, client, kalmar_user, monkeypatch):
    monkeypatch.setenv(keys.ENV, "api:" + "s" * 40)
    client.force_login(kalmar_user)
    r = client.post("/api/v1/patients/fhir/", data=bundle(), content_type="application/fhir+json")
    assert r.status_code == 201, r.content
    assert r.json()["episodes"]["created"] == 7
    bad = client.post("/api/v1/patients/fhir/", data=b"{", content_type="application/fhir+json")
    assert bad.status_code == 400 and bad.json()["problems"]
    empty = client.post("/api/v1/patients/fhir/", data=b"", content_type="application/fhir+json")
    assert empty.status_code == 400 and "saknar innehåll" in empty.json()["problems"][0]["message"]
    assert client.post("/api/v1/patients/fhir/").status_code == 400  # a form post, not FHIR: refused, not a 500
