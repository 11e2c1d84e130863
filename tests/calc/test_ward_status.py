"""What a ward still has to do per patient and kind, and the order of urgency."""

from datetime import datetime, timedelta, timezone

from lagesbild.calc import ward_status as ws
from lagesbild.calc.patient_measures import Action, Assessment, Episode

T = datetime(2025, 3, 10, 8, 0, tzinfo=timezone.utc)
H = timedelta(hours=1)


def _episode(eid="E1", admitted=T):
    return Episode(eid, "AVD", admitted, None, 80, "K")


def test_nothing_done_is_due_until_24_hours_then_overdue():
    e = _episode()
    due = ws.kind_status(e, "fall", [], [], T + 23 * H)
    assert (due.state, due.deadline, due.left(T + 23 * H)) == (ws.DUE, T + 24 * H, H)
    assert ws.kind_status(e, "fall", [], [], T + 24 * H).state == ws.DUE  # the deadline itself still counts
    assert ws.kind_status(e, "fall", [], [], T + 24 * H + timedelta(seconds=1)).state == ws.OVERDUE


def test_an_assessment_before_admission_does_not_count():
    e = _episode()
    before = Assessment("E1", "fall", T - H, False)
    assert ws.kind_status(e, "fall", [before], [], T + H).state == ws.DUE


def test_no_risk_is_done_and_a_risk_needs_an_action_within_24_hours_of_the_finding():
    e = _episode()
    no_risk = ws.kind_status(e, "fall", [Assessment("E1", "fall", T + 2 * H, False)], [], T + 3 * H)
    assert (no_risk.state, no_risk.within_24h, no_risk.deadline) == (ws.DONE, True, None)
    risk = [Assessment("E1", "fall", T + 2 * H, False), Assessment("E1", "fall", T + 5 * H, True)]
    waiting = ws.kind_status(e, "fall", risk, [], T + 6 * H)
    assert (waiting.state, waiting.deadline, waiting.risk) == (ws.DUE, T + 29 * H, True)
    assert ws.kind_status(e, "fall", risk, [], T + 30 * H).state == ws.OVERDUE
    acted = ws.kind_status(e, "fall", risk, [Action("E1", "fall", T + 4 * H), Action("E1", "fall", T + 7 * H)], T + 8 * H)
    assert (acted.state, acted.action_at, acted.within_24h) == (ws.DONE, T + 7 * H, True)  # the earlier one precedes t0
    late = ws.kind_status(e, "fall", risk, [Action("E1", "fall", T + 40 * H)], T + 41 * H)
    assert (late.state, late.within_24h) == (ws.DONE, False)


def test_the_ward_is_sorted_overdue_first_then_by_the_nearest_deadline():
    now = T + 30 * H
    old = _episode("OLD", T)  # admitted 30 h ago, nothing done: overdue
    soon = _episode("SOON", T + 8 * H)  # deadline in 2 h
    later = _episode("LATER", T + 20 * H)  # deadline in 14 h
    done = _episode("DONE", T + 10 * H)
    finished = [Assessment("DONE", k, T + 11 * H, False) for k in ("fall", "trycksar", "undernaring")]
    order = [s.episode.id for s in ws.ward([later, done, soon, old], finished, [], now)]
    assert order == ["OLD", "SOON", "LATER", "DONE"]


def test_age_bands():
    assert [ws.age_band(a) for a in (69, 70, 79, 80, 89, 90, 104)] == ["under 70", "70–79", "70–79", "80–89",
                                                                          "80–89", "90+", "90+"]
