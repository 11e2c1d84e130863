"""The national action plan's reference text, loaded by a data migration.

Agera för säker vård – nationell handlingsplan för ökad patientsäkerhet 2025–2030.
"""

PLAN = {
    "code": "agera-for-saker-vard-2025-2030",
    "title": "Agera för säker vård – nationell handlingsplan för ökad patientsäkerhet 2025–2030",
    "period_start": 2025,
    "period_end": 2030,
    "vision": "God och säker vård – överallt och alltid",
}

FOUNDATIONS = [
    (1, "Engagerad ledning och tydlig styrning"),
    (2, "En god säkerhetskultur"),
    (3, "Adekvat kunskap och kompetens"),
    (4, "Patienten som medskapare"),
]

FOCUS_AREAS = [
    (1, "Öka kunskap om inträffade vårdskador"),
    (2, "Tillförlitliga och säkra system och processer"),
    (3, "Säker vård här och nu"),
    (4, "Stärka analys, lärande och utveckling"),
    (5, "Öka riskmedvetenhet och beredskap"),
]


def load_framework(ActionPlan, Foundation, FocusArea) -> None:
    """Create the plan with its foundations and focus areas (historical or current models)."""
    plan = ActionPlan.objects.create(**PLAN)
    Foundation.objects.bulk_create([Foundation(plan=plan, number=n, name=name) for n, name in FOUNDATIONS])
    FocusArea.objects.bulk_create([FocusArea(plan=plan, number=n, name=name) for n, name in FOCUS_AREAS])
