"""Load the demo region into the database through the real import services.

Order: units, targets, observations, the national reference series, then the analyses with
their actions and follow-ups, and an action plan with a division plan that inherits it.
Idempotent: the imports are upserts, analyses and plans already present are left alone, and
actions and follow-ups already present only get their dates placed again for today.

The dates follow today. The figures stay as published: 2025 is the latest complete data year
and the analyses are about 2025 whatever day the demo is loaded. The improvement work around
them is written as on STORY_DAY (mid-June 2026, when the 2025 analyses are a few months old):
every action's due date, completed date and follow-up date is moved by whole calendar months,
as many as lie between STORY_DAY's month and today's (a month's last day stays its last day).
So on any day most actions are open and not yet due, the same few (those due before the story's
month) are overdue by at most about three months, and the done ones were done in the past.
"""

from __future__ import annotations

import calendar
from datetime import date

import yaml
from django.utils import timezone

from lagesbild.calc.periods import Period
from lagesbild.catalogue.models import FocusArea, Measure
from lagesbild.core.actor import Actor
from lagesbild.improvement import services as improvement
from lagesbild.improvement.models import ActionPlan, Analysis
from lagesbild.incidents import clusters
from lagesbild.incidents import services as incident_services
from lagesbild.incidents.topic_models import TopicModel
from lagesbild.measurements import services as measurements
from lagesbild.org import services as org
from lagesbild.org.models import OrgUnit
from lagesbild.patients import keys
from lagesbild.patients import services as patient_services

from . import DATA_DIR, patients, series
from . import incidents as demo_incidents
from .core import REGION, organisation

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


# The day analyser.yaml's dates are written as of (see the module's docstring).
STORY_DAY = date(2026, 6, 15)


def load(admin, data_dir=DATA_DIR, today: date | None = None, patient_records: bool = True,
         incidents: bool = True, patterns: bool = True) -> list[str]:
    """Load the demo region; ``today`` (default: the local date) places the actions' dates.

    The four patient-record measures of 2024–2025 are computed from the demo's patient records
    (about 40 000 episodes through the patient import). ``patient_records=False`` loads the same
    figures as plain observations instead (journalmatt.csv), which takes a second instead of half a
    minute: for tests about other things than the records. ``incidents=False`` leaves out the
    incident and complaint exports (the 28-day measure then stays as observationer.csv has it);
    ``patterns=False`` skips finding the patterns in their descriptions (half a minute)."""
    lines = []
    shift = months_since_story(today or timezone.localdate())

    def read(name):
        return (data_dir / name).read_bytes()

    r = org.import_units(read("enheter.csv"), "enheter.csv", actor=Actor.system())
    lines.append(f"  Organisation: {r.outcome}, {len(r.created)} nya enheter")
    system = Actor.system()
    r = measurements.import_targets(read("mal.csv"), "mal.csv", actor=system)
    lines.append(f"  Mål: {r.outcome}, {r.created} nya")
    observations = read("observationer.csv")
    if incidents:  # the incidents' import derives these from the cases
        observations = demo_incidents.without_handling_cells(observations)
    r = measurements.import_observations(observations, "observationer.csv", actor=system)
    lines.append(f"  Observationer: {r.outcome}, {r.created} nya, {r.unchanged} oförändrade")
    if patient_records:
        lines.append(_patient_records(system))
    else:
        r = measurements.import_observations(read("journalmatt.csv"), "journalmatt.csv", actor=system)
        lines.append(f"  Mått ur journaldata, som observationer: {r.outcome}, {r.created} nya")
    if incidents:
        lines += _incidents(data_dir, system, patterns)
    r = measurements.import_observations(read("riket.csv"), "riket.csv", actor=system, reference=True)
    lines.append(f"  Jämförelsedata riket: {r.outcome}, {r.created} nya")
    lines.append(f"  Analyser: {_analyses(data_dir, shift)} nya")
    lines.append(f"  Handlingsplaner: {_plans()}")
    return lines


def _incidents(data_dir, actor: Actor, patterns: bool) -> list[str]:
    """The incident system's export and the four complaint channels' exports of 2024–2025, each
    through its own saved mapping; the incidents rewrite `avvikelser-28-dagar` for their months
    with the same figures, derived from the cases."""
    region = OrgUnit.objects.get(code=REGION)
    source = incident_services.save_source("avvikelser", demo_incidents.INCIDENT_MAPPING, actor=actor, owner=region)
    r = incident_services.import_export(demo_incidents.incident_export(data_dir), "avvikelser-2024-2025.csv",
                                        source=source, actor=actor)
    lines = [f"  Avvikelser: {r.outcome}, {r.created} nya, {r.unchanged} oförändrade"]
    for channel, spec in demo_incidents.COMPLAINTS.items():
        source = incident_services.save_source(channel, spec["mapping"], actor=actor, owner=region)
        r = incident_services.import_export(demo_incidents.complaint_export(channel), spec["file"], source=source,
                                            actor=actor)
        lines.append(f"  {source.name}: {r.outcome}, {r.created} nya, {r.unchanged} oförändrade")
    if patterns and TopicModel.current() is None:  # a refit renumbers the patterns: only the first time
        model = clusters.refit(actor=actor)
        lines.append(f"  Mönster i avvikelsernas fritext: {model.k} mönster")
    return lines


# The demo's pseudonym key when LAGESBILD_PSEUDONYM_KEY is not set (`make demo` sets its own):
# the demo's identity numbers are synthetic, and the key says so in its id.
DEMO_KEY = keys.PseudonymKey("demo", b"lagesbild-demo-key-for-synthetic-identity-numbers-only")


def _patient_records(actor: Actor) -> str:
    """The ward-months of the four patient-record measures of 2024–2025, as records through the
    patient import: the dashboards' figures for them are computed from these episodes."""
    units = organisation()
    data = patients.files(series.riskbedomning(units) + series.atgard(units))
    names = dict(zip(("episodes", "assessments", "actions"), patients.HEADERS))
    try:
        key = keys.from_environment()
    except keys.KeyMissing:
        key = DEMO_KEY
    note = " (pseudonymer med demonyckeln: personnumren är påhittade)" if key.key_id == DEMO_KEY.key_id else ""
    r = patient_services.import_records({name: (data[file], file) for name, file in names.items()}, actor=actor, key=key)
    ep, obs = r.episodes, r.observations
    return (f"  Patientdata: {r.outcome}, {ep['created']} nya vårdtillfällen, {ep['unchanged']} oförändrade; "
            f"{obs['created']} nya mätvärden härledda ur journaldata{note}")


def _measure(code: str) -> Measure:
    return Measure.objects.filter(code=code).order_by("-version").first()


def months_since_story(today: date) -> int:
    """Whole calendar months from STORY_DAY's month to ``today``'s (negative before it)."""
    return (today.year - STORY_DAY.year) * 12 + today.month - STORY_DAY.month


def shift_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months; a month's last day stays the last day, and a
    day the target month lacks (31 in a 30-day month) becomes its last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    at_end = day.day == calendar.monthrange(day.year, day.month)[1]
    return date(year, month + 1, last if at_end else min(day.day, last))


def _analyses(data_dir, shift: int) -> int:
    """Record the analyses not yet present; place every demo action's dates (again) for today."""
    doc = yaml.safe_load((data_dir / "analyser.yaml").read_text(encoding="utf-8"))
    created, system = 0, Actor.system()
    for a in doc["analyses"]:
        measure, unit, period = _measure(a["measure"]), OrgUnit.objects.get(code=a["unit"]), Period.parse(str(a["period"]))
        analysis = Analysis.objects.filter(measure=measure, org_unit=unit, period_start=period.start,
                                           granularity=period.granularity).first()
        if analysis is None:
            analysis = improvement.record_analysis(measure, unit, period, a["analysis"], actor=system)
            created += 1
        periods = (str(a.get("previous", {}).get("period", "")), str(a["period"]))
        for act in a.get("actions", []):
            action = _place_action(analysis, act, shift, system)
            for f in act.get("follow_ups", []):
                _place_follow_up(action, f, shift, periods, system)
    return created


def _place_action(analysis: Analysis, act: dict, shift: int, actor: Actor):
    """Add the demo action, or move an earlier load's action to today's dates (its status,
    which a user may have changed in the demo, is kept)."""
    due = shift_months(_date(act["due"]), shift)
    status = STATUS[act["status"]]
    completed_on = due if status == "klar" else None
    action = analysis.actions.filter(title=act["title"]).first()
    if action is None:
        action = improvement.add_action(analysis, act["title"], act["owner_role"], due,
                                        description=act.get("description", ""), actor=actor)
        if status != action.status:
            improvement.set_action_status(action, status, completed_on, actor=actor)
    elif action.due_date != due:
        improvement.update_action(action, due_date=due, completed_on=completed_on, actor=actor)
    return action


def _place_follow_up(action, f: dict, shift: int, periods: tuple[str, str], actor: Actor) -> None:
    """Add the demo follow-up, or move an earlier load's to today's dates. The demo's follow-ups
    take their values from the measured figures, which do not move."""
    on = shift_months(_date(f["date"]), shift)
    follow_up = action.follow_ups.filter(comment=f["text"]).first()
    if follow_up is None:
        improvement.add_follow_up(action, EFFECT[f["effect"]], on=on, comment=f["text"], period_before=periods[0],
                                  period_after=periods[1], actor=actor)
    elif follow_up.date != on:
        improvement.update_follow_up(follow_up, follow_up.effect, on, follow_up.comment, periods[0],
                                     period_after=periods[1], actor=actor)


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
