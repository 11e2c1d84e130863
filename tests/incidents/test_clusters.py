"""Stored patterns of the incident descriptions: the refit (permission, audit, one transaction), the
assignment of new incidents to the stored topics, the selector, and the page with its scope."""

import random
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from lagesbild.core.actor import Actor
from lagesbild.demo_region import incident_texts as demo
from lagesbild.incidents import clusters, services
from lagesbild.incidents.models import Incident, Topic, TopicAssignment, TopicModel
from lagesbild.ingest.errors import InputError
from lagesbild.org.models import AuditEvent, OrgUnit
from tests.conftest import _user
from tests.incidents.test_summary_cli import HEADER, MAPPING

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()
K = 8
SECRET_NAME = "Anna Svensson"


def _rows(rng, prefix, units, n, year=2025):
    rows, truth = [], {}
    for i in range(n):
        unit, kind = units[i % len(units)]
        pattern = demo.pattern_for(rng, kind)
        text = demo.description(rng, pattern).replace(";", ",")
        case = f"{prefix}-{i}"
        truth[case] = pattern
        day = date(year, 1, 1) + timedelta(days=rng.randrange(365))
        rows.append(f"{case};{day};{unit};Vårdprocess;;;Nej;{text}\n")
    return rows, truth


def _import(source, rows):
    data = (HEADER + "".join(rows)).encode("utf-8")
    return services.import_export(data, "export.csv", source=source, actor=SYSTEM, as_of=date(2026, 1, 5))


@pytest.fixture
def region(db):
    region = OrgUnit.objects.get(code="08")
    clinic = OrgUnit.objects.create(code="MED", name="Medicinkliniken", kind="verksamhet", parent=region)
    OrgUnit.objects.create(code="AVD1", name="Avdelning 1", kind="enhet", parent=clinic)
    OrgUnit.objects.create(code="PSY1", name="Psykiatri 1", kind="enhet", parent=clinic)
    OrgUnit.objects.create(code="HC1", name="Hälsocentralen 1", kind="enhet", parent=region)
    OrgUnit.objects.create(code="ANN1", name="Annan region enhet", kind="enhet", parent=OrgUnit.objects.get(code="01"))
    source = services.save_source("synergi", MAPPING, actor=SYSTEM)
    rng = random.Random(5)
    rows, truth = _rows(rng, "S", [("AVD1", "ward"), ("PSY1", "psych"), ("HC1", "hc"), ("ANN1", "other")], 900)
    # one description with personal data, and the case in the other region carries a pattern too
    rows.append(f"S-X;2025-06-01;AVD1;Vårdprocess;;;Nej;Patienten {SECRET_NAME} 19121212-1212 föll i natt "
                "på golvet vid toaletten.\n")
    truth["S-X"] = "fall-natt"
    _import(source, rows)
    return {"source": source, "truth": truth, "clinic": clinic}


def test_refit_needs_a_role_above_every_description_and_is_audited(region):
    # the descriptions span regions 08 and 01: a strategist of 08 may not renumber 01's patterns
    with pytest.raises(PermissionDenied):
        clusters.refit(actor=Actor.cli(_user("strateg", "08", "strategist")), k=K)
    with pytest.raises(PermissionDenied):
        clusters.refit(actor=Actor.cli(_user("chef", "SE", "manager")), k=K)
    assert not TopicModel.objects.exists() and not AuditEvent.objects.filter(action=clusters.REFIT_ACTION).exists()
    national = _user("nationell", "SE", "strategist")
    row = clusters.refit(actor=Actor.cli(national), k=K)
    assert row.k == row.topics.count() <= K and row.texts == Incident.objects.count() and row.created_by == national
    event = AuditEvent.objects.get(action=clusters.REFIT_ACTION)
    assert event.username == "nationell" and event.detail["k"] == K and event.detail["texts"] == row.texts
    assert SECRET_NAME not in str(event.detail)
    assert Topic.objects.filter(model=row).count() == K
    assert TopicAssignment.objects.filter(model=row).count() == Incident.objects.count()
    # the stored model holds no personal data
    assert b"svensson" not in bytes(row.data).lower() and "svensson" not in str(list(row.topics.values()))


def test_refit_refuses_a_bad_k(region):
    with pytest.raises(InputError):
        clusters.refit(actor=SYSTEM, k=1)


def _topic_of(row, truth):
    """The stored topic number of each planted pattern (the topic holding most of its cases)."""
    from collections import Counter

    by_case = dict(TopicAssignment.objects.filter(model=row).values_list("incident__case", "topic__number"))
    out = {}
    for p in demo.PATTERNS:
        out[p] = Counter(by_case[c] for c, t in truth.items() if t == p and c in by_case).most_common(1)[0][0]
    return out, by_case


def test_ids_are_stable_and_new_incidents_go_to_the_stored_topics(region):
    row = clusters.refit(actor=SYSTEM, k=K)
    topic_of, before = _topic_of(row, region["truth"])
    # a second assignment run changes nothing
    assert clusters.assign_new() == 0
    assert clusters.assign_new(Incident.objects.values_list("pk", flat=True)) == Incident.objects.count()
    assert dict(TopicAssignment.objects.filter(model=row).values_list("incident__case", "topic__number")) == before
    # new incidents of the patterns go to the stored topics
    rows, truth = _rows(random.Random(77), "N", [("AVD1", "ward"), ("HC1", "hc")], 120)
    _import(region["source"], rows)
    new_ids = list(Incident.objects.filter(case__startswith="N-").values_list("pk", flat=True))
    # the import assigned them to the stored topics (services.import_export calls assign_new)
    assert TopicAssignment.objects.filter(model=row, incident_id__in=new_ids).count() == len(new_ids)
    assert clusters.assign_new() == 0
    after = dict(TopicAssignment.objects.filter(model=row).values_list("incident__case", "topic__number"))
    assert {c: after[c] for c in before} == before  # the old ones keep their topic
    hits = [after[c] == topic_of[p] for c, p in truth.items() if p is not None]
    assert sum(hits) / len(hits) >= 0.8
    assert TopicModel.objects.count() == 1  # no refit happened


def test_a_changed_description_is_reassigned_and_a_purged_one_keeps_its_topic(region):
    row = clusters.refit(actor=SYSTEM, k=K)
    _, before = _topic_of(row, region["truth"])
    case = next(c for c, p in region["truth"].items() if p == "remiss")
    remiss_topic = before[case]
    fall_case = next(c for c, p in region["truth"].items() if p == "fall-natt")
    text = Incident.objects.get(case=fall_case).description
    # the import updates the remiss case in place with the fall text: it is reassigned
    _import(region["source"], [f"{case};2025-03-01;AVD1;Vårdprocess;;;Nej;{text}\n"])
    changed = Incident.objects.get(case=case)
    assert clusters.assign_new([changed.pk]) == 1
    assert TopicAssignment.objects.get(model=row, incident=changed).topic.number == before[fall_case] != remiss_topic
    # the purge blanks the descriptions; every assignment stays, and the examples skip blanks
    Incident.objects.filter(case__in=[fall_case]).update(description="")
    assert clusters.assign_new() == 0
    assert TopicAssignment.objects.filter(model=row, incident__case=fall_case).exists()
    found = clusters.clusters_for(OrgUnit.objects.get(code="08"), date(2025, 1, 1), date(2025, 12, 31), examples=500)
    shown = {i.case for c in found.clusters for i in c.examples}
    assert fall_case not in shown and shown
    sizes = {c.number: c.size for c in found.clusters}
    assert sum(sizes.values()) == found.total == Incident.objects.filter(unit__path__startswith="SE/08/").count()


def test_the_selector_counts_within_the_subtree_by_month_and_unit(region):
    row = clusters.refit(actor=SYSTEM, k=K)
    clinic = region["clinic"]
    found = clusters.clusters_for(clinic, date(2025, 1, 1), date(2025, 12, 31))
    assert found.model == row and len(found.months) == 12
    in_clinic = Incident.objects.filter(unit__path__startswith=clinic.path)
    assert found.total == in_clinic.count()
    for c in found.clusters:
        assert sum(c.months) == c.size
        assert {u.code for u, _ in c.units} <= {"AVD1", "PSY1"}
        assert all(i.unit.code in ("AVD1", "PSY1") and i.description for i in c.examples)
        assert len(c.examples) <= clusters.EXAMPLES
        expected = TopicAssignment.objects.filter(model=row, incident__in=in_clinic,
                                                  topic__number=c.number if c.number else None)
        if c.number is None:
            expected = TopicAssignment.objects.filter(model=row, incident__in=in_clinic, topic__isnull=True)
        assert c.size == expected.count()
    assert [c.size for c in found.clusters if c.number] == sorted((c.size for c in found.clusters if c.number),
                                                                  reverse=True)
    # the planted pattern of psychiatry is concentrated there
    topic_of, _ = _topic_of(row, region["truth"])
    psych = next(c for c in found.clusters if c.number == topic_of["avvikit-psyk"])
    assert psych.units[0][0].code == "PSY1"
    # a half year counts only its months
    half = clusters.clusters_for(clinic, date(2025, 1, 1), date(2025, 6, 30))
    assert len(half.months) == 6 and half.total == in_clinic.filter(reported__lte=date(2025, 6, 30)).count()


def test_the_page_is_scoped_and_audited(client, region):
    clusters.refit(actor=SYSTEM, k=K)
    client.force_login(_user("chef", "PSY1", "manager"))
    page = client.get("/avvikelser/PSY1/monster/?ar=2025").content.decode()
    assert "Mönster i avvikelserna 2025" in page and "Räkna om mönstren" not in page
    shown = set(Incident.objects.filter(unit__code="PSY1").values_list("case", flat=True))
    others = set(Incident.objects.exclude(unit__code="PSY1").values_list("case", flat=True))
    import re

    cases = set(re.findall(r'<th scope="row">(S-\w+)</th>', page))
    assert cases and cases <= shown and not cases & others
    assert "<svg" in page and "Antal per månad" in page
    event = AuditEvent.objects.get(action="incidents.topics.view")
    assert event.object_id == str(OrgUnit.objects.get(code="PSY1").pk) and event.detail["examples"] == len(cases)
    # another unit, the clinic above, another region: no patterns, no examples
    for code in ("AVD1", "MED", "ANN1", "01"):
        r = client.get(f"/avvikelser/{code}/monster/?ar=2025")
        assert r.status_code in (403, 404), code
        assert b"S-" not in r.content
    assert client.get("/avvikelser/AVD1/monster/arenden/?ar=2025&monster=1").status_code == 403
    # the pattern's cases, audited
    listed = client.get("/avvikelser/PSY1/monster/arenden/?ar=2025&monster=1")
    assert listed.status_code == 200
    assert set(re.findall(r'<th scope="row">(S-\w+)</th>', listed.content.decode())) <= shown
    assert AuditEvent.objects.filter(action="incidents.topics.cases.view").count() == 1
    # a manager may not refit
    assert client.post("/avvikelser/PSY1/monster/rakna-om/", {"k": "6"}).status_code == 403
    assert TopicModel.objects.count() == 1


def test_the_refit_button(client, region):
    client.force_login(_user("nationell", "SE", "strategist"))
    page = client.get("/avvikelser/08/monster/?ar=2025").content.decode()
    assert "Inga mönster är beräknade ännu" in page and "Räkna om mönstren" in page
    r = client.post("/avvikelser/08/monster/rakna-om/", {"k": "6", "ar": "2025"})
    assert r.status_code == 302 and r.url == "/avvikelser/08/monster/?ar=2025"
    assert TopicModel.current().k <= 6 and AuditEvent.objects.get(action=clusters.REFIT_ACTION).detail["k"] == 6
    assert AuditEvent.objects.filter(action=clusters.REFIT_ACTION, channel="web").count() == 1
    page = client.get(r.url).content.decode()
    assert "Mönstren är omräknade: 6 mönster" in page and "6 mönster beräknade" in page
    assert "Enheter med flest" in page and "Exempel" in page


def test_the_command_line_refits_only_when_asked_and_assigns_the_rest(region, capsys):
    from lagesbild.cli import main

    assert main(["incidents", "clusters", "--assign"]) == 0  # before any refit: nothing to assign to
    assert "0 avvikelser" in capsys.readouterr().out and not TopicModel.objects.exists()
    assert main(["incidents", "clusters", "--refit", "--k", str(K), "--system"]) == 0
    row = TopicModel.current()
    assert 2 <= row.k <= K and row.k == row.topics.count() and "nya nummer" in capsys.readouterr().out
    assert TopicAssignment.objects.filter(model=row).count() == Incident.objects.exclude(description="").count()
    TopicAssignment.objects.filter(incident__case="S-1").delete()
    assert main(["incidents", "clusters", "--assign"]) == 0
    assert "1 avvikelser" in capsys.readouterr().out and TopicModel.objects.count() == 1
