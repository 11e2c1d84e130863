"""The demo region's observations, one function per measure, and the national series.

Each function builds cells (unit × period × sex) with a realistic shape — ward sizes, seasons,
trends, outliers, gaps — and ``core.fill`` turns them into integer rows whose yearly sums are
exactly the figures of the region's patientsäkerhetsberättelse 2025.
"""

from __future__ import annotations

from decimal import Decimal

from . import texts
from .core import (
    ADMISSIONS, AVV_SEASON, BEDS_OPEN, HYGIENE_SEASON, MONTHS, NATION, OVERBEL_SEASON, SHARE_70, UTLOK_SEASON,
    UTSKR_SEASON, YEARS, Cell, Group, Row, Unit, days_in, enheter_of, fill, gaps, month_of, months_since_start,
    noise, numerator_for, seeded_rng, unit_effect, year_of,
)
from .measures import MEASURES


# ---------------------------------------------------------------------------------------------
# The measures, one function each


def _ward_admissions(u: Unit, period: str) -> float:
    """Vårdtillfällen per month on a ward: beds × days × occupancy / length of stay."""
    return u.size * days_in(period) * 0.85 / 5.0 * ADMISSIONS[month_of(period) - 1]


def _riskbed_trend(period: str) -> float:
    t = months_since_start(period)
    if t < 12:
        return 0.26 + 0.005 * t
    if t < 24:
        return 0.33 + 0.008 * (t - 12)
    return 0.40 + 0.02 * (t - 24)  # the real-time view in Vårdöversikten lifts 2025


RISKBED_OUTLIERS = {
    "08-HSF-KIRK-AVD23": 0.45, "08-HSF-KIRV-AVD6": 0.6, "08-HSF-MEDK-AVD13": 1.45, "08-HSF-MEDO-AVD2": 1.35,
}
# year: (Σdenominator, value, Σnumerator). 2025 is the berättelse's 7 584 of all patients 70+ (51 %);
# the denominators of 2023–2024 are invented, and None lets the value decide the numerator.
RISKBED = {2023: (14512, Decimal("31.4"), None), 2024: (14688, Decimal("38.0"), None),
           2025: (14871, Decimal("51.0"), 7584)}


def riskbedomning(units: list[Unit]) -> list[Row]:
    wards = enheter_of(units, texts.WARD)
    rows = []
    for year in YEARS:
        cells = []
        for u in wards:
            missing = gaps("cosmic", u.code)
            effect = unit_effect(0.25, "riskbed", u.code) * RISKBED_OUTLIERS.get(u.code, 1.0)
            rng = seeded_rng("riskbed", u.code, year)
            for p in MONTHS:
                if year_of(p) != year or p in missing:
                    continue
                size = _ward_admissions(u, p) * SHARE_70[u.specialty]
                cells.append(Cell(u.code, p, size, _riskbed_trend(p) * effect * noise(0.12, rng)))
        den, value, num = RISKBED[year]
        rows += fill("riskbedomning-70-24h", Group(cells, value, den, num, (year,)))
    return rows


# measure: (share of assessed patients at risk, {year: (Σdenominator, value, Σnumerator)})
ATGARD = {
    "atgard-24h-fallrisk": (0.32, {2023: (4050, Decimal("78.2"), None), 2024: (4410, Decimal("84.6"), None),
                                   2025: (4769, Decimal("92.0"), 4387)}),
    "atgard-24h-trycksar": (0.135, {2023: (1720, Decimal("74.5"), None), 2024: (1880, Decimal("81.3"), None),
                                    2025: (2006, Decimal("89.0"), 1785)}),
    "atgard-24h-undernaring": (0.25, {2023: (3120, Decimal("72.8"), None), 2024: (3390, Decimal("79.7"), None),
                                      2025: (3686, Decimal("88.0"), 3244)}),
}


def atgard(units: list[Unit]) -> list[Row]:
    wards = enheter_of(units, texts.WARD)
    rows = []
    for measure, (risk_share, years) in ATGARD.items():
        for year in YEARS:
            cells = []
            for u in wards:
                missing = gaps("cosmic", u.code)
                effect = unit_effect(0.05, measure, u.code)
                rng = seeded_rng(measure, u.code, year)
                for p in MONTHS:
                    if year_of(p) != year or p in missing:
                        continue
                    size = _ward_admissions(u, p) * SHARE_70[u.specialty] * risk_share
                    cells.append(Cell(u.code, p, size, effect * noise(0.05, rng)))
            den, value, num = years[year]
            rows += fill(measure, Group(cells, value, den, num, (year,)))
    return rows


# (year, month, sex): (Σnumerator, Σdenominator) of the point prevalence measurements.
# 2025 is the berättelse: 2,0 % spring and autumn; women 0,6 and 1,3 %; men 3,5 and 2,6 %.
TRYCKSAR = {
    (2023, 3, "K"): (3, 158), (2023, 3, "M"): (5, 146), (2023, 10, "K"): (3, 152), (2023, 10, "M"): (4, 150),
    (2024, 3, "K"): (2, 160), (2024, 3, "M"): (5, 148), (2024, 10, "K"): (2, 155), (2024, 10, "M"): (4, 151),
    (2025, 3, "K"): (1, 160), (2025, 3, "M"): (5, 142), (2025, 10, "K"): (2, 150), (2025, 10, "M"): (4, 153),
}
TRYCKSAR_RISK = {"ger": 1.8, "med": 1.3, "ort": 1.4, "aku": 1.0, "inf": 1.0, "onk": 1.1, "kir": 0.8, "gyn": 0.3,
                 "onh": 0.3}


def trycksar(units: list[Unit]) -> list[Row]:
    """Point prevalence in March and October, split by sex only (no rows for both sexes)."""
    wards = enheter_of(units, texts.WARD)
    rows = []
    for (year, month, sex), (num, den) in TRYCKSAR.items():
        period = f"{year}-{month:02d}"
        cells = [
            Cell(u.code, period, u.size * 0.6, TRYCKSAR_RISK[u.specialty] * unit_effect(0.4, "trycksar", u.code), sex)
            for u in wards
        ]
        rows += fill("trycksar-sjukhusforvarvade", Group(cells, None, den, num, (year, month, sex)))
    return rows


HYGIENE_VALUE = {2023: Decimal("81.4"), 2024: Decimal("95.1"), 2025: Decimal("96.2")}
HYGIENE_OUTLIERS = {"08-PSY-VPK-AVD72": 0.86, "08-HSF-AKUK-AKM": 0.92, "08-PV-HVN-MORLUNDA": 0.9,
                    "08-HSF-OGK-OP": 1.04}


def hygien(units: list[Unit]) -> list[Row]:
    """Local measurements 4–12 times a year; the method changed in 2024 (2023 is not comparable)."""
    measured = enheter_of(units, texts.WARD, texts.WARD_OTHER, texts.PSYCH, texts.OPEN, texts.HC)
    rows = []
    for year in YEARS:
        cells = []
        for u in measured:
            rng = seeded_rng("hygien", u.code, year)
            inpatient = u.care in (texts.WARD, texts.WARD_OTHER, texts.PSYCH)
            times = (8 + int(rng.random() * 5)) if inpatient else (4 + int(rng.random() * 3))
            months = sorted(sorted(range(1, 13), key=lambda m: (rng.random(), m))[:times])
            base = unit_effect(0.02 if year > 2023 else 0.05, "hygien", u.code) * HYGIENE_OUTLIERS.get(u.code, 1.0)
            if u.forvaltning == "08-PSY":
                base *= 0.97
            size = 12 + u.size / 2 if inpatient else 8 + min(u.size, 40) / 4 if u.care != texts.HC else 10
            for m in months:
                p = f"{year}-{m:02d}"
                cells.append(Cell(u.code, p, size * noise(0.3, rng), base * HYGIENE_SEASON[m - 1] * noise(0.02, rng)))
        rows += fill("basala-hygienrutiner", Group(cells, HYGIENE_VALUE[year], key=(year,)))
    return rows


VRI_PPM = ("2023-04", Decimal("9.6"))
VRI_RISK = {"inf": 1.6, "onk": 1.4, "kir": 1.2, "ger": 1.1, "med": 1.0, "aku": 0.8, "ort": 0.9, "gyn": 0.6,
            "onh": 0.5, "iva": 2.5, "barn": 0.5}


def vri(units: list[Unit]) -> list[Row]:
    """The European point prevalence measurement in spring 2023, and nothing since.

    The national PPM of VRI ended in 2024 and the infection tool's data are too poor to follow
    VRI, so the region has no later figure ("saknar data" for 2024 and 2025).
    """
    period, value = VRI_PPM
    cells = [
        Cell(u.code, period, u.size * 0.85, VRI_RISK.get(u.specialty, 0.3) * unit_effect(0.3, "vri", u.code))
        for u in enheter_of(units, texts.WARD, texts.WARD_OTHER)
        if u.specialty != "gyn" or u.care == texts.WARD  # the PPM leaves out maternity care
    ]
    return fill("vri", Group(cells, value, key=(period,)))


VARDSKADOR_VALUE = {2023: Decimal("9.9"), 2024: Decimal("9.1"), 2025: Decimal("8.4")}


def vardskador(units: list[Unit]) -> list[Row]:
    """Markörbaserad journalgranskning: a sample of care episodes per ward and quarter."""
    wards = enheter_of(units, texts.WARD)
    rows = []
    for year in YEARS:
        cells = []
        for u in wards:
            rng = seeded_rng("mjg", u.code, year)
            effect = unit_effect(0.35, "mjg", u.code)
            for q in range(1, 5):
                if rng.random() < 0.15:
                    continue  # not sampled this quarter
                cells.append(Cell(u.code, f"{year}-Q{q}", (6 + u.size / 8) * noise(0.3, rng), effect))
        rows += fill("vardskador-vardtillfallen", Group(cells, VARDSKADOR_VALUE[year], key=(year,)))
    return rows


def _bed_days(u: Unit, period: str) -> float:
    """Disponibla vårdplatsdygn: beds × days, fewer in summer."""
    return u.size * days_in(period) * BEDS_OPEN[month_of(period) - 1]


def _care_days(u: Unit, period: str) -> float:
    """Vårddagar (occupied bed days)."""
    return _bed_days(u, period) * 0.9


UTSKR_VALUE = {2023: Decimal("1.9"), 2024: Decimal("1.6"), 2025: Decimal("2.0")}
UTSKR_RISK = {"med": 1.3, "ger": 1.6, "ort": 1.2, "kir": 0.8, "gyn": 0.2, "onk": 0.6, "inf": 0.7, "onh": 0.3,
              "aku": 1.0}


def utskrivningsklara(units: list[Unit]) -> list[Row]:
    wards = enheter_of(units, texts.WARD)
    rows = []
    for year in YEARS:
        cells = []
        for u in wards:
            effect = UTSKR_RISK[u.specialty] * unit_effect(0.3, "utskr", u.code)
            rng = seeded_rng("utskr", u.code, year)
            for p in MONTHS:
                if year_of(p) == year:
                    r = UTSKR_SEASON[month_of(p) - 1] * effect * noise(0.2, rng)
                    cells.append(Cell(u.code, p, _care_days(u, p), r))
        rows += fill("utskrivningsklara-vardagar", Group(cells, UTSKR_VALUE[year], key=(year,)))
    return rows


BEDS_VALUE = {
    "overbelaggningar-100": (OVERBEL_SEASON, {2023: Decimal("1.1"), 2024: Decimal("0.9"), 2025: Decimal("0.8")},
                             {"08-HSF-MEDK-AVD11": 2.5, "08-HSF-AKUK-AVA": 2.0, "08-PSY-VPK-AVD73": 1.8}),
    "utlokaliseringar-100": (UTLOK_SEASON, {2023: Decimal("0.6"), 2024: Decimal("0.5"), 2025: Decimal("0.5")},
                             {"08-HSF-MEDV-AVD3": 2.2, "08-HSF-ORTK-AVD31": 1.7}),
}
CARE_FACTOR = {texts.WARD: 1.0, texts.WARD_OTHER: 0.5, texts.PSYCH: 0.6}


def beds(units: list[Unit]) -> list[Row]:
    """Överbeläggningar and utlokaliseringar per 100 disponibla vårdplatser (somatic and psychiatric)."""
    inpatient = enheter_of(units, texts.WARD, texts.WARD_OTHER, texts.PSYCH)
    rows = []
    for measure, (season, values, outliers) in BEDS_VALUE.items():
        for year in YEARS:
            cells = []
            for u in inpatient:
                effect = CARE_FACTOR[u.care] * unit_effect(0.4, measure, u.code) * outliers.get(u.code, 1.0)
                rng = seeded_rng(measure, u.code, year)
                for p in MONTHS:
                    if year_of(p) == year:
                        r = season[month_of(p) - 1] * effect * noise(0.4, rng)
                        cells.append(Cell(u.code, p, _bed_days(u, p), r))
            rows += fill(measure, Group(cells, values[year], key=(year,)))
    return rows


def _staff(u: Unit) -> float:
    if u.care in (texts.WARD, texts.WARD_OTHER, texts.PSYCH):
        return u.size * 1.8
    if u.care == texts.HC:
        return u.size / 350
    return u.size


HSE_VALUE = {2023: Decimal("75.8"), 2025: Decimal("76.3")}
HSE_OUTLIERS = {"08-HSF-MEDK-AVD11": 0.85, "08-PV-HVS-TORSAS": 1.12, "08-PSY-VPK-AVD73": 0.88,
                "08-HSF-AKUK-AKM": 0.9}


def hse(units: list[Unit]) -> list[Row]:
    """The biennial staff and safety survey, autumn 2023 and autumn 2025.

    An enhet with fewer than five respondents is not reported on its own (anonymity); its
    answers are pooled into one observation on its verksamhet, so they still count above it.
    """
    rows = []
    for year, value in HSE_VALUE.items():
        cells: dict[str, Cell] = {}
        for u in enheter_of(units):
            rng = seeded_rng("hse", u.code, year)
            respondents = _staff(u) * (0.55 + 0.3 * rng.random())
            level = unit_effect(0.05, "hse", u.code) * HSE_OUTLIERS.get(u.code, 1.0)
            if u.forvaltning == "08-PSY":
                level *= 0.96
            elif u.forvaltning == "08-PV":
                level *= 1.02
            code = u.code if respondents >= 5 else u.parent
            cell = cells.setdefault(code, Cell(code, f"{year}-10", 0.0, 0.0))
            # Pool: respondents add up, the level is their weighted mean.
            cell.rate = (cell.rate * cell.size + level * respondents) / (cell.size + respondents)
            cell.size += respondents
        rows += fill("hse-index", Group(list(cells.values()), value, key=(year,)))
    return rows


# Σdenominator = avvikelser reported in the region's system (11 411 in 2025, 0,34 % fewer than 2024).
AVVIKELSER = {2023: (11218, Decimal("78.4")), 2024: (11450, Decimal("80.9")), 2025: (11411, Decimal("82.6"))}


def _avvikelser_weight(u: Unit) -> float:
    if u.care == texts.WARD:
        return u.size * 1.0
    if u.care == texts.WARD_OTHER:
        return u.size * 0.8
    if u.care == texts.PSYCH:
        return u.size * 1.2
    if u.care == texts.HC:
        return u.size / 900
    return u.size * 0.35


def avvikelser(units: list[Unit]) -> list[Row]:
    rows = []
    for year in YEARS:
        cells = []
        for u in enheter_of(units):
            weight = _avvikelser_weight(u) * unit_effect(0.3, "avv", u.code)
            level = unit_effect(0.06, "avv28", u.code)
            if u.forvaltning == "08-PSY":
                level *= 0.9  # psychiatry investigates more events in its analysis group
            elif u.forvaltning == "08-PV":
                level *= 1.05
            rng = seeded_rng("avv", u.code, year)
            for p in MONTHS:
                if year_of(p) == year:
                    cells.append(Cell(u.code, p, weight * AVV_SEASON[month_of(p) - 1] * noise(0.5, rng),
                                      level * noise(0.05, rng)))
        den, value = AVVIKELSER[year]
        rows += fill("avvikelser-28-dagar", Group(cells, value, den, key=(year,)))
    return rows


ANTIBIOTIKA_VALUE = {2023: Decimal("281"), 2024: Decimal("275"), 2025: Decimal("269")}
ANTIBIOTIKA_OUTLIERS = {"08-PV-HVS-BORGHOLM": 1.25, "08-PV-HVS-LOTTORP": 1.2, "08-PV-HVS-CENTRUM": 0.85,
                        "08-PV-HVN-SODRAVI": 1.18}


def antibiotika(units: list[Unit]) -> list[Row]:
    """One observation per hälsocentral and year: prescriptions over listed inhabitants."""
    rows = []
    for year in YEARS:
        cells = []
        for u in enheter_of(units, texts.HC):
            listed = u.size * (1 + 0.004 * (year - YEARS[0])) * noise(0.02, seeded_rng("listed", u.code, year))
            effect = unit_effect(0.1, "antibiotika", u.code) * ANTIBIOTIKA_OUTLIERS.get(u.code, 1.0)
            cells.append(Cell(u.code, str(year), listed, effect))
        rows += fill("antibiotika-recept-1000", Group(cells, ANTIBIOTIKA_VALUE[year], key=(year,)))
    return rows


def observations(units: list[Unit]) -> list[Row]:
    rows = []
    for make in (riskbedomning, atgard, trycksar, hygien, vri, vardskador, utskrivningsklara, beds, hse,
                 avvikelser, antibiotika):
        rows += make(units)
    order = {code: i for i, code in enumerate(MEASURES)}
    return sorted(rows, key=lambda r: (order[r.measure], r.unit, r.period, r.sex))


# ---------------------------------------------------------------------------------------------
# The nation, for comparison (illustrative except where the berättelse gives a figure)

NATIONAL_BEDS = 19600
NATIONAL = {
    # measure: {year: value}, season, size per month
    "utskrivningsklara-vardagar": ({2023: "5.2", 2024: "4.9", 2025: "4.7"}, UTSKR_SEASON),
    "riskbedomning-70-24h": ({2023: "34.0", 2024: "39.0", 2025: "44.0"}, None),
    "overbelaggningar-100": ({2023: "3.4", 2024: "3.2", 2025: "3.0"}, OVERBEL_SEASON),
    "utlokaliseringar-100": ({2023: "1.8", 2024: "1.7", 2025: "1.6"}, UTLOK_SEASON),
}
# Point measurements: SKR ended its national PPMs in 2024, so there is no national 2025 figure.
NATIONAL_POINTS = {
    "trycksar-sjukhusforvarvade": {"2023-03": (9800, "3.6"), "2023-10": (10100, "3.5"), "2024-03": (9600, "3.4")},
    "basala-hygienrutiner": {"2023-03": (31000, "74.6"), "2024-03": (29500, "75.3")},
    "antibiotika-recept-1000": {"2023": (10551707, "268"), "2024": (10587710, "263"), "2025": (10612000, "258")},
}


def national() -> list[Row]:
    rows = []
    for measure, (values, season) in NATIONAL.items():
        for year in YEARS:
            cells = []
            rng = seeded_rng("national", measure, year)
            for p in MONTHS:
                if year_of(p) != year:
                    continue
                m = month_of(p)
                if measure == "riskbedomning-70-24h":
                    size, r = 52000 * ADMISSIONS[m - 1], 1.0 + 0.01 * (m - 6)
                else:
                    size, r = NATIONAL_BEDS * days_in(p) * BEDS_OPEN[m - 1], season[m - 1]
                cells.append(Cell(NATION, p, size, r * noise(0.03, rng)))
            rows += fill(measure, Group(cells, Decimal(values[year]), key=("SE", year)))
    for measure, points in NATIONAL_POINTS.items():
        for period, (den, value) in points.items():
            n = numerator_for(measure, Decimal(value), den)
            rows.append(Row(measure, NATION, period, "", n, den, "final"))
    order = {code: i for i, code in enumerate(MEASURES)}
    return sorted(rows, key=lambda r: (order[r.measure], r.period))

