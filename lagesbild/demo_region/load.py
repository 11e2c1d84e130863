"""Load the demo region into the database through the real import services.

Order: units, targets, observations, the national reference series, then the analyses with
their actions and follow-ups, and an action plan with a division plan that inherits it.
Idempotent: the imports are upserts, and analyses and plans already present are left alone.
"""

from __future__ import annotations

from datetime import date

import yaml

from lagesbild.calc.periods import Period
from lagesbild.catalogue.models import FocusArea, Measure
from lagesbild.core.actor import Actor
from lagesbild.improvement import services as improvement
from lagesbild.improvement.models import ActionPlan, Analysis
from lagesbild.measurements import services as measurements
from lagesbild.org import services as org
from lagesbild.org.models import OrgUnit

from . import DATA_DIR

STATUS = {"planned": "planerad", "in_progress": "pagar", "done": "klar", "cancelled": "avbruten"}
EFFECT = {"yes": "ja", "partly": "delvis", "no": "nej", "not_yet": "for_tidigt"}

# The region plan, after seed 002: per focus area, obligatory and recommended activities with
# indicator, target and data source.
PLAN_ACTIVITIES = [
    (1, "obligatorisk", "Markörbaserad journalgranskning på alla sjukhus", "vardskador-vardtillfallen",
     "Andelen vårdtillfällen med vårdskada ska minska", "Markörbaserad journalgranskning (MJG)"),
    (1, "rekommenderad", "Punktprevalensmätning av trycksår två gånger per år", "trycksar-sjukhusforvarvade",
     "Under 2 procent sjukhusförvärvade trycksår", "PPM trycksår"),
    (2, "obligatorisk", "Avvikelser handläggs och återkopplas inom 28 dagar", "avvikelser-28-dagar",
     "Minst 80 procent inom 28 dagar", "Synergi"),
    (3, "obligatorisk", "Riskbedömning av patienter 70 år och äldre inom 24 timmar", "riskbedomning-70-24h",
     "Minst 90 procent får alla tre riskbedömningar inom 24 timmar", "Cosmic, Vårdöversikten"),
    (3, "obligatorisk", "Följsamhet till basala hygienrutiner och klädregler", "basala-hygienrutiner",
     "100 procent följsamhet", "Lokala mätningar av BHK"),
    (3, "rekommenderad", "Strama-arbete för minskad antibiotikaförskrivning", "antibiotika-recept-1000",
     "Högst 250 recept per 1 000 invånare och år", "Läkemedelsstatistik"),
    (4, "rekommenderad", "Gemensamma patientsäkerhetsforum med länets kommuner", None,
     "Forum minst fyra gånger per år", "Protokoll"),
    (5, "obligatorisk", "Riskanalys inför större förändringar med metoden ViRA", None,
     "Riskanalys före varje större förändring", "Ledningssystemet"),
]


def load(admin, data_dir=DATA_DIR) -> list[str]:
    lines = []

    def read(name):
        return (data_dir / name).read_bytes()

    r = org.import_units(read("enheter.csv"), "enheter.csv", actor=Actor.system())
    lines.append(f"  Organisation: {r.outcome}, {len(r.created)} nya enheter")
    system = Actor.system()
    r = measurements.import_targets(read("mal.csv"), "mal.csv", actor=system)
    lines.append(f"  Mål: {r.outcome}, {r.created} nya")
    r = measurements.import_observations(read("observationer.csv"), "observationer.csv", actor=system)
    lines.append(f"  Observationer: {r.outcome}, {r.created} nya, {r.unchanged} oförändrade")
    r = measurements.import_observations(read("riket.csv"), "riket.csv", actor=system, reference=True)
    lines.append(f"  Jämförelsedata riket: {r.outcome}, {r.created} nya")
    lines.append(f"  Analyser: {_analyses(data_dir)} nya")
    lines.append(f"  Handlingsplaner: {_plans()}")
    return lines


def _measure(code: str) -> Measure:
    return Measure.objects.filter(code=code).order_by("-version").first()


def _analyses(data_dir) -> int:
    doc = yaml.safe_load((data_dir / "analyser.yaml").read_text(encoding="utf-8"))
    created, system = 0, Actor.system()
    for a in doc["analyses"]:
        measure, unit, period = _measure(a["measure"]), OrgUnit.objects.get(code=a["unit"]), Period.parse(str(a["period"]))
        if Analysis.objects.filter(measure=measure, org_unit=unit, period_start=period.start,
                                   granularity=period.granularity).exists():
            continue
        analysis = improvement.record_analysis(measure, unit, period, a["analysis"], actor=system)
        created += 1
        for act in a.get("actions", []):
            action = improvement.add_action(analysis, act["title"], act["owner_role"], _date(act["due"]),
                                            description=act.get("description", ""), actor=system)
            status = STATUS[act["status"]]
            if status != action.status:
                improvement.set_action_status(action, status, _date(act["due"]) if status == "klar" else None,
                                              actor=system)
            for f in act.get("follow_ups", []):
                improvement.add_follow_up(action, EFFECT[f["effect"]], on=_date(f["date"]), comment=f["text"],
                                          period_before=str(a.get("previous", {}).get("period", "")),
                                          period_after=str(a["period"]), actor=system)
    return created


def _date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _plans() -> str:
    region = OrgUnit.objects.get(code="08")
    if ActionPlan.objects.filter(org_unit=region).exists():
        return "fanns redan"
    system = Actor.system()
    plan = improvement.create_plan(region, 2025, 2030, "Handlingsplan för ökad patientsäkerhet 2025–2030", actor=system)
    areas = {fa.number: fa for fa in FocusArea.objects.all()}
    for number, kind, title, code, target, source in PLAN_ACTIVITIES:
        improvement.add_activity(plan, kind, title, focus_area=areas[number],
                                 indicator=_measure(code) if code else None, target_text=target, data_source=source,
                                 responsible="Chefläkare" if kind == "obligatorisk" else "Patientsäkerhetssamordnare",
                                 actor=system)
    divisions = list(OrgUnit.objects.filter(parent=region, kind=OrgUnit.Kind.FORVALTNING).order_by("code"))
    # Two of three förvaltningar have their own plan: the gap view shows the third.
    for division in divisions[:2]:
        child = improvement.inherit_plan(division, plan, actor=system)
        improvement.add_activity(child, "lokal", f"Patientsäkerhetsronder varje månad – {division.name}",
                                 focus_area=areas[4], target_text="Tolv ronder per år", data_source="Protokoll",
                                 responsible="Förvaltningens chefläkare", actor=system)
    return f"regionens plan och {min(2, len(divisions))} förvaltningsplaner"
