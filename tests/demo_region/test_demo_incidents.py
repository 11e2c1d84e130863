"""The demo's incidents and complaints reproduce Region Kalmar län's patientsäkerhetsberättelse 2025
(seed 004): through the pure analytics on the exports, through the database after the real import,
and on the pages."""

import csv
import io
import re
from collections import Counter
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from lagesbild.calc import complaint_stats, incident_stats
from lagesbild.demo_region import DATA_DIR
from lagesbild.demo_region import incidents as demo
from lagesbild.incidents import complaint_export, export

AS_OF = date(2026, 12, 1)


def whole_percent(numerator: int, denominator: int) -> int:
    """The report's figures are whole per cent."""
    return int((Decimal(100 * numerator) / denominator).quantize(Decimal(1), ROUND_HALF_UP))


def check_incidents(f: dict) -> None:
    assert (f["incidents"], f["previous_year"], f["change_percent"]) == (11411, 11450, "-0.34")
    assert [t["type"] for t in f["types"][:3]] == ["Administrativa rutiner", "Vårdprocess – diagnostik",
                                                   "Vårdprocess – behandling"]
    assert [c["cause"] for c in f["causes"][:3]] == ["Orsak ej klarlagd/utredd", "Procedurer, rutiner, riktlinjer",
                                                     "Kommunikation, information"]
    assert f["causes"][0]["percent"] == "42.0"
    assert f["lex_maria"] == 42


def check_complaints(s: dict, previous_lex_maria=None) -> dict:
    ch = {c["channel"]: c for c in s["channels"]}
    assert (ch["vardenhet"]["count"], ch["ivo"]["count"], ch["patientnamnd"]["count"], ch["lof"]["count"]) == (
        409, 42, 1006, 462)
    assert [c["category"] for c in ch["vardenhet"]["categories"][:3]] == ["Vård och behandling", "Kommunikation",
                                                                          "Övrigt"]
    assert [c["category"] for c in ch["ivo"]["categories"][:3]] == ["Vård och behandling", "Diagnosticering",
                                                                    "Bemötande"]
    pn = ch["patientnamnd"]
    assert [c["category"] for c in pn["categories"][:3]] == ["Undersökning/bedömning", "Resultat", "Bemötande"]
    assert pn["previous_year"] == 958 and whole_percent(1006 - 958, 958) == 5 and pn["change_percent"] == "5.01"
    assert whole_percent(pn["sex"]["K"]["numerator"], 1006) == 56
    assert whole_percent(pn["sex"]["M"]["numerator"], 1006) == 43
    assert whole_percent(pn["forwarded"]["numerator"], 1006) == 70
    assert pn["action_taken"]["denominator"] == pn["forwarded"]["numerator"]
    assert whole_percent(pn["action_taken"]["numerator"], pn["action_taken"]["denominator"]) == 40
    assert ch["lof"]["previous_year"] > 462  # "har sjunkit under 2025 marginellt"
    return ch


def test_the_exports_give_the_reports_figures_through_the_pure_analytics():
    mapping = export.parse_mapping(demo.INCIDENT_MAPPING, "avvikelser.yaml")
    incidents = export.read(demo.incident_export(DATA_DIR), "avvikelser.csv", mapping)
    f = incident_stats.summary(incidents, 2025, AS_OF)
    check_incidents(f)
    assert incident_stats.summary(incidents, 2024, AS_OF)["lex_maria"] == 44
    complaints = []
    for channel, spec in demo.COMPLAINTS.items():
        m = complaint_export.parse_mapping(spec["mapping"], f"{channel}.yaml")
        complaints += [c for _, c, _ in complaint_export.read_rows(demo.complaint_export(channel), spec["file"], m)]
    check_complaints(complaint_stats.summary(complaints, 2025))
    # Vuxenpsykiatrin: 100 -> 118 at the patientnämnd, +18 %; every förvaltning rises.
    pn = [c for c in complaints if c.channel == "patientnamnd"]
    by = Counter((c.unit.startswith(demo.VUXENPSYKIATRI), c.received.year) for c in pn)
    assert (by[(True, 2025)], by[(True, 2024)]) == (118, 100)
    for prefix in ("08-HSF", "08-PV", "08-PSY"):
        years = Counter(c.received.year for c in pn if c.unit.startswith(prefix + "-"))
        assert years[2025] > years[2024], prefix
        rise = incident_stats.change_percent(years[2025], years[2024])
        assert Decimal(rise) < 18, prefix


def test_the_exports_are_what_swedish_excel_writes_and_the_same_every_time():
    data = demo.incident_export(DATA_DIR)
    assert data.startswith(b"\xef\xbb\xbf") and b";" in data.split(b"\r\n", 1)[0]
    assert data == demo.incident_export(DATA_DIR)
    # The incidents of a unit and month are the 28-day cells of observationer.csv, exactly.
    cells = demo.handling_cells(DATA_DIR)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))[1:]
    counted = Counter((r[4], r[1][:7]) for r in rows)
    assert counted == Counter({k: den for k, (_, den) in cells.items() if den})


@pytest.mark.django_db
def test_the_demo_in_the_database_reproduces_the_report_on_the_pages(client, tmp_path):
    from django.contrib.auth import get_user_model

    from lagesbild.core.actor import Actor
    from lagesbild.demo_region.load import load
    from lagesbild.incidents import selectors, services
    from lagesbild.incidents.models import Source
    from lagesbild.measurements.models import Observation
    from lagesbild.org.models import Membership, OrgUnit

    admin = get_user_model().objects.create_user("demoadmin")
    load(admin, patient_records=False, patterns=False)
    region = OrgUnit.objects.get(code="08")
    Membership.objects.create(user=admin, org_unit=region, role="strategist")
    check_incidents(selectors.summary(region, 2025, AS_OF))
    ch = check_complaints(selectors.complaint_summary(region, 2025))
    assert ch["lof"]["previous_year"] == 470

    # The 28-day measure derived from the cases equals the demo's observations, cell by cell.
    derived = {(o.org_unit.code, o.period_start.strftime("%Y-%m")): (o.numerator, o.denominator)
               for o in Observation.objects.filter(measure__code="avvikelser-28-dagar", sex="",
                                                   period_start__year__in=(2024, 2025)).select_related("org_unit")}
    assert derived == demo.handling_cells(DATA_DIR)
    assert set(Observation.objects.filter(measure__code="avvikelser-28-dagar", period_start__year__in=(2024, 2025))
               .values_list("source_import__kind", flat=True)) == {"incidents"}  # derived, with provenance

    # Vuxenpsykiatrin at the patientnämnd, from the per-unit rows under psychiatry.
    rows = {r.unit.code: r for r in selectors.by_child(OrgUnit.objects.get(code="08-PSY"), 2025, "patientnamnd")}
    vp = [rows[c] for c in demo.VUXENPSYKIATRI]
    assert (sum(r.count for r in vp), sum(r.previous_year for r in vp)) == (118, 100)

    # Importing the same export again changes nothing.
    source = Source.objects.get(name="Avvikelsesystemet Region Kalmar län")
    again = services.import_export(demo.incident_export(DATA_DIR), "avvikelser-2024-2025.csv", source=source,
                                   actor=Actor.system())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 22861)

    client.force_login(admin)
    page = text(client.get("/avvikelser/08/?ar=2025"))
    for shown in ("11\u00a0411", "11\u00a0450", "\u22120,34\u00a0%", "Administrativa rutiner", "Orsak ej klarlagd/utredd",
                  "42,0\u00a0%", "Löf-ärenden"):
        assert shown in page, shown
    assert re.search(r"Lex Maria</th><td class=\"num\"><a [^>]+>42</a>", page)
    assert re.search(r"Löf-ärenden[^<]*</th><td class=\"num\"><a [^>]+>462</a>", page)
    page = text(client.get("/avvikelser/08/klagomal/?ar=2025"))
    for shown in ("1\u00a0006", "5,01\u00a0%", "409", "Vård och behandling", "Undersökning/bedömning", "70,0\u00a0%",
                  "Kvinnor <a"):
        assert shown in page, shown
    assert "40,1\u00a0%" in page  # 282 of 704 forwarded: "åtgärder vidtagits i 40 procent"
    cases = text(client.get("/avvikelser/08/klagomal/arenden/?ar=2025&kanal=patientnamnd&atgard=1"))
    assert "282 ärenden" in cases

    # The Excel export: live formulas that recalculate to the report's figures.
    import openpyxl

    from tests.reports.test_survey_xlsx import recalculated

    path = tmp_path / "avvikelser.xlsx"
    path.write_bytes(client.get("/avvikelser/08/?ar=2025&format=xlsx").content)
    values = recalculated(path, tmp_path)
    book = openpyxl.load_workbook(path)
    change = next(r for r in book["Översikt"].iter_rows() if r[0].value == "Avvikelser 2025 mot 2024")
    assert (change[1].value, change[2].value) == (11411, 11450) and values[("ÖVERSIKT", change[3].coordinate)] == -0.34
    cause = next(r for r in book["Orsaker"].iter_rows() if r[0].value == "Orsak ej klarlagd/utredd")
    assert values[("ORSAKER", cause[3].coordinate)] == 42.0


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode("utf-8")
