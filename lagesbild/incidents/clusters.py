"""Recurring patterns in the incident descriptions: the explicit refit, the assignment of new
incidents to the stored topics, and the read for the patterns page (docs/clusters.md).

The arithmetic is ``calc.text_clusters`` (scrubbing, TF-IDF, NMF); this module stores its result.
A refit is an administrator's or a strategist's act (audited, one transaction); new incidents are
projected onto the current model's stored topic vectors, so a topic number keeps its meaning until
the next refit. A description blanked by the purge keeps its assignment; a refit cannot place it
again (the text is gone), so after a refit it has none.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncMonth

from lagesbild.calc import text_clusters as tc
from lagesbild.core.actor import Actor
from lagesbild.ingest.errors import InputError
from lagesbild.org import audit, permissions
from lagesbild.org.models import Membership, OrgUnit

from .models import Incident
from .topic_models import Topic, TopicAssignment, TopicModel

REFIT_ROLES = {Membership.Role.ADMIN, Membership.Role.STRATEGIST}
REFIT_ACTION = "incidents.topics.refit"
BATCH = 5000
MIN_K, MAX_K = 2, 60
EXAMPLES = 5
TOP_UNITS = 5

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


# ---------------------------------------------------------------------------------------------
# Write path


def _scope_unit() -> OrgUnit | None:
    """The lowest unit whose subtree holds every incident with a description: the refit changes
    the topics of all of them, so the actor needs a role there."""
    paths = list(Incident.objects.exclude(description="").values_list("unit__path", flat=True).distinct())
    if not paths:
        return None
    parts = [p.rstrip("/").split("/") for p in paths]
    common = []
    for level in zip(*parts):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    if not common:
        return None
    return OrgUnit.objects.filter(path="/".join(common) + "/").first()


def _descriptions(ids: Iterable[int] | None = None):
    query = Incident.objects.exclude(description="").order_by("pk")
    if ids is not None:
        query = query.filter(pk__in=list(ids))
    return query.values_list("pk", "description")


def _store(model_row: TopicModel, model: tc.Model, pairs: list[tuple[int, str]], progress: Progress,
           replace: bool) -> int:
    """Project ``pairs`` (incident id, description) onto ``model`` and write their assignments."""
    topics = {t.number: t.pk for t in Topic.objects.filter(model=model_row)}
    done = 0
    for start in range(0, len(pairs), BATCH):
        chunk = pairs[start:start + BATCH]
        assigned = tc.assign(model, [text for _, text in chunk])
        ids = [pk for pk, _ in chunk]
        if replace:
            TopicAssignment.objects.filter(model=model_row, incident_id__in=ids).delete()
        TopicAssignment.objects.bulk_create([
            TopicAssignment(model=model_row, incident_id=pk, topic_id=topics.get(a.topic) if a.topic else None,
                            weight=a.weight)
            for pk, a in zip(ids, assigned)
        ], batch_size=2000)
        done += len(chunk)
        progress("Tilldelar mönster", done, len(pairs))
    return done


def refit(*, actor: Actor, k: int = tc.DEFAULT_K, progress: Progress = _no_progress) -> TopicModel:
    """Fit new topics on every stored non-empty description, store them and every incident's
    assignment, and make them the current model. The earlier models' assignments are removed."""
    if not MIN_K <= k <= MAX_K:
        raise InputError.one("--k", f"antalet mönster ska vara {MIN_K}–{MAX_K}", value=str(k))
    permissions.require(actor, REFIT_ROLES, _scope_unit())
    pairs = list(_descriptions())
    if len(pairs) < max(k, 2 * MIN_K):
        raise InputError.one("beskrivningar", "för få avvikelser med beskrivning för att hitta mönster",
                             value=str(len(pairs)))
    progress("Hittar mönster", 0, 1)
    model = tc.fit([text for _, text in pairs], k)
    progress("Hittar mönster", 1, 1)
    with transaction.atomic():
        row = TopicModel.objects.create(
            created_by=actor.authenticated_user, created_by_name=actor.username, k=len(model.labels), texts=len(pairs),
            data=model.to_bytes())
        Topic.objects.bulk_create([
            Topic(model=row, number=i, label=label, top_words=words)
            for i, (label, words) in enumerate(zip(model.labels, model.top_words), start=1)
        ])
        TopicAssignment.objects.exclude(model=row).delete()
        _store(row, model, pairs, progress, replace=False)
        audit.record(actor, REFIT_ACTION, row, k=k, patterns=len(model.labels), texts=len(pairs),
                     other=TopicAssignment.objects.filter(model=row, topic__isnull=True).count())
    return row


def current() -> tuple[TopicModel, tc.Model] | None:
    row = TopicModel.current()
    if row is None:
        return None
    return row, tc.Model.from_bytes(bytes(row.data))


def assign_new(incident_ids: Iterable[int] | None = None, *, progress: Progress = _no_progress) -> int:
    """Assign incidents to the current model's stored topics: the given ones (an import's created and
    updated cases; a changed description moves), or, for ``None``, every incident without an
    assignment under it. Blank descriptions are left alone (a purged one keeps its assignment). Nothing is done
    before the first refit. Returns how many incidents were (re)assigned. Derived data, like the
    import that calls it: no audit event of its own."""
    found = current()
    if found is None:
        return 0
    row, model = found
    query = Incident.objects.exclude(description="")
    if incident_ids is not None:
        ids = list(incident_ids)
        if not ids:
            return 0
        query = query.filter(pk__in=ids)
    if incident_ids is None:
        stale = query.exclude(topic_assignments__model=row).values_list("pk", flat=True)
    else:  # the import's created and updated cases: (re)assign them all
        stale = query.values_list("pk", flat=True)
    wanted = sorted(set(stale))
    if not wanted:
        return 0
    with transaction.atomic():
        pairs = []
        for start in range(0, len(wanted), BATCH):
            pairs.extend(_descriptions(wanted[start:start + BATCH]))
        return _store(row, model, pairs, progress, replace=True)


# ---------------------------------------------------------------------------------------------
# Read path


@dataclass
class Cluster:
    number: int | None  # None: "övrigt"
    label: str
    top_words: list[str]
    size: int
    months: list[int]  # counts per month of the period, first month first
    units: list[tuple[OrgUnit, int]]  # the units with most incidents of the cluster
    examples: list[Incident] = field(default_factory=list)


@dataclass
class Clusters:
    model: TopicModel | None
    first: date
    last: date
    months: list[date]
    total: int  # incidents of the subtree and period with an assignment
    unassigned: int  # incidents of the subtree and period without one (blank, or after the latest refit)
    clusters: list[Cluster]


def _months(first: date, last: date) -> list[date]:
    out, d = [], date(first.year, first.month, 1)
    while d <= last:
        out.append(d)
        d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return out


def _month_key(value) -> date:
    return date(value.year, value.month, 1)


def clusters_for(unit: OrgUnit, first: date, last: date, *, examples: int = EXAMPLES) -> Clusters:
    """Per topic of the current model: the incidents registered in [first, last] in the unit's subtree,
    by month, the units with most of them, and up to ``examples`` recent cases with a description.
    Largest first, "övrigt" last. The examples are free text: the caller audits showing them."""
    months = _months(first, last)
    incidents = Incident.objects.filter(unit__path__startswith=unit.path, reported__gte=first, reported__lte=last)
    row = TopicModel.current()
    if row is None:
        return Clusters(None, first, last, months, 0, incidents.count(), [])
    assigned = TopicAssignment.objects.filter(model=row, incident__in=incidents)
    sizes = dict(assigned.order_by().values("topic").annotate(n=Count("pk")).values_list("topic", "n"))
    by_month: dict[int | None, Counter] = defaultdict(Counter)
    for topic, month, n in (assigned.order_by().annotate(month=TruncMonth("incident__reported"))
                            .values("topic", "month")
                            .annotate(n=Count("pk")).values_list("topic", "month", "n")):
        by_month[topic][_month_key(month)] += n
    by_unit: dict[int | None, list[tuple[int, int]]] = defaultdict(list)
    for topic, unit_id, n in (assigned.values("topic", "incident__unit").annotate(n=Count("pk"))
                              .order_by("-n", "incident__unit").values_list("topic", "incident__unit", "n")):
        by_unit[topic].append((unit_id, n))
    unit_ids = {u for rows in by_unit.values() for u, _ in rows[:TOP_UNITS]}
    units = OrgUnit.objects.in_bulk(unit_ids)
    topics = {t.pk: t for t in Topic.objects.filter(model=row)}
    out = []
    for topic_id, size in sorted(sizes.items(), key=lambda kv: (kv[0] is None, -kv[1], kv[0] or 0)):
        topic = topics.get(topic_id)
        shown = (assigned.filter(topic_id=topic_id).exclude(incident__description="")
                 .select_related("incident__unit", "incident__source")
                 .order_by("-incident__reported", "-incident__pk")[:examples])
        out.append(Cluster(
            number=topic.number if topic else None,
            label=topic.label if topic else tc.OTHER_LABEL,
            top_words=list(topic.top_words) if topic else [],
            size=size,
            months=[by_month[topic_id].get(m, 0) for m in months],
            units=[(units[u], n) for u, n in by_unit[topic_id][:TOP_UNITS]],
            examples=[a.incident for a in shown],
        ))
    total = sum(sizes.values())
    return Clusters(row, first, last, months, total, incidents.count() - total, out)
