"""The committed demo files for region 08 are reproducible and reproduce the berättelse's figures."""

import shutil
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
import yaml

from lagesbild.calc.periods import Period
from lagesbild.calc.ratio import rate
from lagesbild.demo_region import DATA_DIR
from lagesbild.demo_region.generate import OBSERVATION_HEADER, TARGET_HEADER, UNIT_HEADER, generate
from lagesbild.demo_region.measures import MEASURES
from lagesbild.demo_region.verify import sums, verify
from lagesbild.ingest.numbers import parse_decimal, parse_int
from lagesbild.ingest.readers import read_path

FILES = ["enheter.csv", "observationer.csv", "journalmatt.csv", "riket.csv", "mal.csv", "analyser.yaml"]

# The figures of Region Kalmar län's patientsäkerhetsberättelse 2025.
SEED_FIGURES = {
    ("riskbedomning-70-24h", 2025): "51.0",
    ("riskbedomning-70-24h", 2024): "38.0",
    ("atgard-24h-fallrisk", 2025): "92.0",
    ("atgard-24h-trycksar", 2025): "89.0",
    ("atgard-24h-undernaring", 2025): "88.0",
    ("trycksar-sjukhusforvarvade", 2025): "2.0",
    ("basala-hygienrutiner", 2025): "96.2",
    ("antibiotika-recept-1000", 2025): "269",
    ("utskrivningsklara-vardagar", 2025): "2.0",
    ("utskrivningsklara-vardagar", 2024): "1.6",
    ("hse-index", 2025): "76",
    ("hse-index", 2023): "76",
}


def records(name):
    table = read_path(DATA_DIR / name)
    return [(row, dict(zip(table.header, values))) for row, values in table.rows]


@pytest.fixture(scope="module")
def units():
    return {r["code"]: r for _, r in records("enheter.csv")}


@pytest.fixture(scope="module")
def observations():
    return records("observationer.csv") + records("journalmatt.csv")


def test_committed_files_equal_a_fresh_generation(tmp_path):
    paths = generate(tmp_path)
    assert sorted(paths) == sorted(FILES)
    assert sorted(p.name for p in DATA_DIR.iterdir() if p.is_file()) == sorted(FILES)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (DATA_DIR / name).read_bytes(), name


def test_region_totals_reproduce_the_berattelse():
    got = verify(DATA_DIR)
    for key, value in SEED_FIGURES.items():
        assert got[key] == Decimal(value), key
    totals = sums(DATA_DIR)
    # The published counts themselves, not only the rounded shares.
    assert totals[("riskbedomning-70-24h", 2025)].numerator == 7584
    assert totals[("riskbedomning-70-24h", 2025)].denominator == 14871
    assert totals[("atgard-24h-fallrisk", 2025)].denominator == 4769
    assert totals[("atgard-24h-trycksar", 2025)].denominator == 2006
    assert totals[("atgard-24h-undernaring", 2025)].denominator == 3686
    assert totals[("avvikelser-28-dagar", 2025)].denominator == 11411
    assert totals[("avvikelser-28-dagar", 2024)].denominator == 11450


def test_verify_notices_a_changed_count(tmp_path):
    for name in FILES:
        shutil.copy(DATA_DIR / name, tmp_path / name)
    path = tmp_path / "journalmatt.csv"  # riskbedömning 2024–2025: the records' figures as observations
    lines = path.read_bytes().split(b"\r\n")
    i = next(i for i, line in enumerate(lines) if line.startswith(b"riskbedomning-70-24h;") and b";2025-" in line)
    cells = lines[i].split(b";")
    cells[6] = str(parse_int(cells[6].decode()) + 40).encode()  # 40 more patients, none assessed
    lines[i] = b";".join(cells)
    path.write_bytes(b"\r\n".join(lines))
    assert verify(tmp_path)[("riskbedomning-70-24h", 2025)] == Decimal("50.9")


def test_national_series():
    got = verify(DATA_DIR, "riket.csv")
    assert got[("utskrivningsklara-vardagar", 2025)] == Decimal("4.7")
    assert got[("utskrivningsklara-vardagar", 2024)] == Decimal("4.9")
    for measure in ("riskbedomning-70-24h", "trycksar-sjukhusforvarvade", "basala-hygienrutiner",
                    "antibiotika-recept-1000"):
        assert any(m == measure for m, _ in got), measure
    national = records("riket.csv")
    assert {r["unit"] for _, r in national} == {"SE"}
    # The utskrivningsklara series is monthly, and the region lies below the nation every month.
    monthly = {r["period"] for _, r in national if r["measure"] == "utskrivningsklara-vardagar"}
    assert len(monthly) == 36 and all(len(p) == 7 for p in monthly)
    region = {}
    for _, r in records("observationer.csv"):
        if r["measure"] == "utskrivningsklara-vardagar":
            n, d = region.get(r["period"], (0, 0))
            region[r["period"]] = (n + parse_int(r["numerator"]), d + parse_int(r["denominator"]))
    for _, r in national:
        if r["measure"] == "utskrivningsklara-vardagar":
            n, d = region[r["period"]]
            assert n * parse_int(r["denominator"]) < parse_int(r["numerator"]) * d, r["period"]


def test_files_are_written_like_swedish_excel():
    for name in ("enheter.csv", "observationer.csv", "riket.csv", "mal.csv"):
        data = (DATA_DIR / name).read_bytes()
        text = data.decode("cp1252")
        assert data.count(b"\r\n") == data.count(b"\n") and data.endswith(b"\r\n"), name
        assert ";" in text.splitlines()[0]
    with pytest.raises(UnicodeDecodeError):  # Windows-1252, not UTF-8: the names carry å, ä, ö
        (DATA_DIR / "enheter.csv").read_bytes().decode("utf-8")
    assert read_path(DATA_DIR / "enheter.csv").encoding == "cp1252"
    assert read_path(DATA_DIR / "enheter.csv").header == UNIT_HEADER
    assert read_path(DATA_DIR / "observationer.csv").header == OBSERVATION_HEADER
    assert read_path(DATA_DIR / "riket.csv").header == OBSERVATION_HEADER
    assert read_path(DATA_DIR / "mal.csv").header == TARGET_HEADER
    raw = (DATA_DIR / "observationer.csv").read_text(encoding="cp1252")
    spaced = [cell for line in raw.splitlines() for cell in line.split(";")[5:7] if " " in cell]
    assert len(spaced) > 100  # "1 234" as Excel shows it, for the importer to parse
    assert all(parse_int(cell) >= 1000 for cell in spaced)


def test_organisation(units):
    kinds = Counter(u["kind"] for u in units.values())
    assert kinds["forvaltning"] == 3
    assert 35 <= kinds["verksamhet"] <= 45
    assert 130 <= kinds["enhet"] <= 170
    assert set(kinds) == {"forvaltning", "verksamhet", "enhet"}
    assert {c for c, u in units.items() if u["kind"] == "forvaltning"} == {"08-HSF", "08-PV", "08-PSY"}
    parent_kind = {"forvaltning": None, "verksamhet": "forvaltning", "enhet": "verksamhet"}
    seen = {"08"}
    for code, u in units.items():
        assert all(ch.isalnum() or ch in "._-" for ch in code) and code.isascii(), code
        if u["kind"] == "forvaltning":
            assert u["parent_code"] == "08"
        else:
            assert units[u["parent_code"]]["kind"] == parent_kind[u["kind"]], code
        assert u["parent_code"] in seen, f"{code} comes before its parent"
        seen.add(code)
        assert (u["valid_from"], u["valid_to"]) == ("2020-01-01", "")
    assert len({u["name"] for u in units.values()}) == len(units)
    hc = [u for u in units.values() if u["name"].startswith("Hälsocentralen")]
    assert len(hc) == 38  # "22 av regionens 38 enheter inom hälsoval"


def test_observations_are_well_formed(units, observations):
    keys = Counter()
    for row, r in observations:
        assert r["measure"] in MEASURES, row
        kind = units[r["unit"]]["kind"]
        # Leaves are enheter; only the survey pools small enheter's answers on their verksamhet.
        assert kind == "enhet" or (kind == "verksamhet" and r["measure"] == "hse-index"), row
        period = Period.parse(r["period"])
        assert period.key == r["period"]
        assert date(2023, 1, 1) <= period.start <= date(2025, 12, 1)
        assert r["sex"] in ("", "K", "M") and r["age_band"] == ""
        assert r["status"] in ("final", "preliminary")
        n, d = parse_int(r["numerator"]), parse_int(r["denominator"])
        assert 0 <= n and 0 < d, row
        unit = MEASURES[r["measure"]].unit
        if unit == "percent":
            assert n <= d, row
        if unit == "index":
            assert n <= 100 * d, row
        keys[(r["measure"], r["unit"], r["period"], r["sex"], r["age_band"])] += 1
    assert not [k for k, c in keys.items() if c > 1]
    assert {k[0] for k in keys} == set(MEASURES)


def test_measures_report_at_their_natural_units_and_periods(units, observations):
    by_measure = {}
    for _, r in observations:
        by_measure.setdefault(r["measure"], set()).add((r["unit"], r["period"], r["sex"]))
    antibiotics = by_measure["antibiotika-recept-1000"]
    assert {p for _, p, _ in antibiotics} == {"2023", "2024", "2025"}
    assert all(units[u]["name"].startswith("Hälsocentralen") for u, _, _ in antibiotics)
    assert len({u for u, _, _ in antibiotics}) == 38
    assert {p for _, p, _ in by_measure["hse-index"]} == {"2023-10", "2025-10"}
    assert len({u for u, _, _ in by_measure["hse-index"]}) > 130
    pooled = {u for u, _, _ in by_measure["hse-index"] if units[u]["kind"] == "verksamhet"}
    assert pooled and all(u.startswith("08-") for u in pooled)
    assert {p[5:] for _, p, _ in by_measure["vardskador-vardtillfallen"]} == {"Q1", "Q2", "Q3", "Q4"}
    # VRI: the European PPM of spring 2023 and nothing since, as in the berättelse.
    assert {p for _, p, _ in by_measure["vri"]} == {"2023-04"}
    pressure = by_measure["trycksar-sjukhusforvarvade"]
    assert {s for _, _, s in pressure} == {"K", "M"}  # only sex-split rows, so nothing is counted twice
    assert {p[5:] for _, p, _ in pressure} == {"03", "10"}
    wards = {u for u, _, _ in by_measure["riskbedomning-70-24h"]}
    assert all(units[u]["parent_code"].startswith("08-HSF-") for u in wards)
    assert not any("BB" in u or "NEO" in u or "IVA" in u for u in wards)


def test_data_gaps_and_variation(observations):
    months = {}
    rates = {}
    for _, r in observations:
        if r["measure"] == "riskbedomning-70-24h":
            months.setdefault(r["unit"], set()).add(r["period"])
            if r["period"].startswith("2025"):
                n, d = rates.get(r["unit"], (0, 0))
                rates[r["unit"]] = (n + parse_int(r["numerator"]), d + parse_int(r["denominator"]))
    assert sum(1 for m in months.values() if len(m) < 36) >= 2
    assert "2024-10" not in months["08-HSF-MEDO-AVD2"]
    shares = [rate(n, d, "percent") for n, d in rates.values()]
    assert min(shares) < 25 and max(shares) > 80  # some wards far off the region's 51 %


def test_pressure_ulcers_by_sex_and_season(observations):
    got = {}
    for _, r in observations:
        if r["measure"] == "trycksar-sjukhusforvarvade" and r["period"].startswith("2025"):
            for key in ((r["period"], r["sex"]), (r["period"], "")):
                n, d = got.get(key, (0, 0))
                got[key] = (n + parse_int(r["numerator"]), d + parse_int(r["denominator"]))
    shown = {k: rate(n, d, "percent") for k, (n, d) in got.items()}
    assert shown == {
        ("2025-03", "K"): Decimal("0.6"), ("2025-03", "M"): Decimal("3.5"), ("2025-03", ""): Decimal("2.0"),
        ("2025-10", "K"): Decimal("1.3"), ("2025-10", "M"): Decimal("2.6"), ("2025-10", ""): Decimal("2.0"),
    }


def test_targets(units):
    targets = records("mal.csv")
    by = {}
    for row, t in targets:
        assert t["measure"] in MEASURES, row
        assert t["unit"] == "08" or units[t["unit"]]["kind"] == "forvaltning", row
        assert t["comparator"] in (">=", ">", "<=", "<")
        parse_decimal(t["value"]), parse_decimal(t["warning_band"])
        date.fromisoformat(t["valid_from"])
        by.setdefault((t["measure"], t["unit"]), []).append(t)
    assert (by[("riskbedomning-70-24h", "08")][0]["comparator"], by[("riskbedomning-70-24h", "08")][0]["value"]) \
        == (">=", "90")
    assert [(t["comparator"], t["value"]) for t in by[("trycksar-sjukhusforvarvade", "08")]] == [("<", "2")]
    assert [(t["comparator"], t["value"]) for t in by[("basala-hygienrutiner", "08")]] == [(">=", "100")]
    assert [(t["comparator"], t["value"]) for t in by[("hse-index", "08")]] == [(">", "80")]
    assert [(t["comparator"], t["value"]) for t in by[("vri", "08")]] == [("<", "7")]
    antibiotics = {t["valid_from"]: t["value"] for t in by[("antibiotika-recept-1000", "08")]}
    assert antibiotics["2025-01-01"] == "250"
    assert parse_decimal(by[("trycksar-sjukhusforvarvade", "08")][0]["warning_band"]) == Decimal("0.5")
    overrides = [k for k in by if k[1] != "08"]
    assert ("basala-hygienrutiner", "08-PSY") in overrides and len(overrides) >= 2
    assert {m for m, _ in by} >= {"riskbedomning-70-24h", "atgard-24h-fallrisk", "atgard-24h-trycksar",
                                  "atgard-24h-undernaring", "utskrivningsklara-vardagar", "avvikelser-28-dagar"}


def test_analyses():
    doc = yaml.safe_load((DATA_DIR / "analyser.yaml").read_text(encoding="utf-8"))
    assert doc["region"] == "08" and doc["period"] == "2025"
    analyses = {a["measure"]: a for a in doc["analyses"]}
    assert set(analyses) >= {"riskbedomning-70-24h", "trycksar-sjukhusforvarvade", "basala-hygienrutiner",
                             "antibiotika-recept-1000", "hse-index"}
    assert analyses["riskbedomning-70-24h"]["value"] == "51.0"
    assert analyses["riskbedomning-70-24h"]["previous"] == {"period": "2024", "value": "38.0"}
    assert analyses["hse-index"]["previous"] == {"period": "2023", "value": "76"}
    assert "269" in analyses["antibiotika-recept-1000"]["analysis"]
    assert analyses["vri"]["value"] is None and analyses["vri"]["previous"] == {"period": "2023", "value": "9.6"}
    today = date(2026, 11, 23)
    actions = [act for a in analyses.values() for act in a["actions"]]
    for a in analyses.values():
        assert a["unit"] == "08" and a["analysis"] and a["actions"]
        assert isinstance(a["date"], date)
    for act in actions:
        assert act["status"] in ("planned", "in_progress", "done")
        assert isinstance(act["due"], date) and act["title"] and act["owner_role"]
        for f in act["follow_ups"]:
            assert f["effect"] in ("yes", "partly", "no", "not_yet") and isinstance(f["date"], date)
    overdue = [a for a in actions if a["status"] != "done" and a["due"] < today]
    assert len(overdue) >= 3
    assert any(a["status"] == "done" for a in actions)
    assert any(a["due"] > today for a in actions)
    assert sum(len(a["follow_ups"]) for a in actions) >= 5


def test_measures_agree_with_the_starter_catalogue():
    path = DATA_DIR.parents[1] / "catalogue" / "data" / "startkatalog.yaml"
    catalogue = {m["code"]: m for m in yaml.safe_load(path.read_text(encoding="utf-8"))["measures"]}
    for code, spec in MEASURES.items():
        entry = catalogue[code]
        assert (entry["unit"], entry["decimals"], entry["direction"], entry["frequency"]) == (
            spec.unit, spec.decimals, spec.direction, spec.frequency), code


def test_observation_file_is_small():
    assert (DATA_DIR / "observationer.csv").stat().st_size < 10_000_000


@pytest.mark.django_db
def test_units_load_under_the_region_in_the_database(units, observations):
    from lagesbild.org.models import OrgUnit

    by_code = {"08": OrgUnit.objects.get(code="08")}
    for code, u in units.items():  # the file lists parents first
        by_code[code] = OrgUnit.objects.create(
            code=code, name=u["name"], kind=u["kind"], parent=by_code[u["parent_code"]],
            valid_from=date.fromisoformat(u["valid_from"]),
        )
    assert OrgUnit.objects.filter(path__startswith="SE/08/").exclude(code="08").count() == len(units) == 193
    ward = OrgUnit.objects.get(code="08-HSF-MEDK-AVD12")
    assert ward.path == "SE/08/08-HSF/08-HSF-MEDK/08-HSF-MEDK-AVD12/"
    assert ward.name == "Avd 12 Medicin" and ward.depth == 4
    leaves = {r["unit"] for _, r in observations}
    assert OrgUnit.objects.filter(code__in=leaves).count() == len(leaves)
    assert OrgUnit.objects.filter(code__in=leaves, kind="enhet").count() == 151
    assert OrgUnit.objects.filter(path__startswith="SE/08/08-PV/", name__startswith="Hälsocentralen").count() == 38
