"""The four measures from plain records, on hand-built edge cases (DESIGN.md, patient-level)."""

from datetime import datetime, timedelta

import pytest

from lagesbild.calc.localtime import parse
from lagesbild.calc.patient_measures import (
    ACTION, ADMISSION, ASSESSMENT, FALL, KINDS, LATE, MISSING, RISK_FINDING, STANDARD_MEASURES, TRYCKSAR,
    UNDERNARING, Action, Assessment, Episode, Measure, Miss, Population, evaluate, kind_code,
)

RISK70 = "riskbedomning-70-24h"
FALLRISK, PRESSURE, NUTRITION = "atgard-24h-fallrisk", "atgard-24h-trycksar", "atgard-24h-undernaring"
AS_OF = "2025-06-01 00:00"
IN = "2025-01-10 08:00"  # a winter admission


def at(text: str, **delta) -> datetime:
    return parse(text) + timedelta(**delta)


def episode(eid="E1", admitted=IN, discharged=None, age=75, sex="K", unit="AVD1"):
    return Episode(eid, unit, parse(admitted), parse(discharged) if discharged else None, age, sex)


def all_three(eid="E1", when=None, **delta):
    return [Assessment(eid, kind, when or at(IN, **delta), False) for kind in KINDS]


def run(episodes, assessments=(), actions=(), as_of=AS_OF, measures=STANDARD_MEASURES):
    return {(r.measure, r.unit, r.period): r for r in evaluate(episodes, assessments, actions, parse(as_of), measures)}


def counts(episodes, assessments=(), actions=(), as_of=AS_OF, measure=RISK70):
    found = [r for key, r in run(episodes, assessments, actions, as_of).items() if key[0] == measure]
    return (sum(r.numerator for r in found), sum(r.denominator for r in found))


# --- riskbedomning-70-24h ---------------------------------------------------------------------

def test_all_three_at_exactly_24_hours_count():
    assert counts([episode()], all_three(hours=24)) == (1, 1)


def test_24_hours_and_one_minute_or_one_second_is_late():
    for late in ({"hours": 24, "minutes": 1}, {"hours": 24, "seconds": 1}):
        found = all_three(hours=1)[:2] + [Assessment("E1", UNDERNARING, at(IN, **late), False)]
        r = run([episode()], found)[(RISK70, "AVD1", "2025-01")]
        assert (r.numerator, r.denominator) == (0, 1)
        assert r.failures[0].episode == "E1" and r.failures[0].misses == (Miss(UNDERNARING, LATE),)


def test_at_admission_counts_and_before_admission_does_not():
    assert counts([episode()], all_three(hours=0)) == (1, 1)
    before = all_three(hours=2)[1:] + [Assessment("E1", FALL, at(IN, minutes=-1), False)]
    r = run([episode()], before)[(RISK70, "AVD1", "2025-01")]
    assert (r.numerator, r.denominator) == (0, 1)
    assert r.failures[0].misses == (Miss(FALL, MISSING),)


def test_the_risk_value_does_not_matter_for_the_assessment_measure():
    found = [Assessment("E1", k, at(IN, hours=3), r) for k, r in zip(KINDS, (True, False, "Ja"))]
    assert counts([episode()], found) == (1, 1)


def test_an_episode_missing_everything_lists_each_kind():
    r = run([episode()])[(RISK70, "AVD1", "2025-01")]
    assert r.failures[0].misses == tuple(Miss(k, MISSING) for k in KINDS)
    assert r.episodes == ("E1",)


def test_age_70_is_in_69_is_out():
    assert counts([episode("A", age=70), episode("B", age=69)]) == (0, 1)


def test_discharged_within_24_hours_is_out_at_exactly_24_hours_in():
    out = episode("A", discharged="2025-01-11 07:59")
    stays = episode("B", discharged="2025-01-11 08:00")
    r = run([out, stays], all_three("A", hours=1) + all_three("B", hours=1))[(RISK70, "AVD1", "2025-01")]
    assert (r.numerator, r.denominator, r.episodes) == (1, 1, ("B",))


def test_still_admitted_the_first_24_hours_must_lie_before_as_of():
    e = episode(admitted="2025-05-31 00:00")
    assert counts([e], all_three(when=at("2025-05-31 01:00")), as_of="2025-05-31 23:59") == (0, 0)
    assert counts([e], all_three(when=at("2025-05-31 01:00")), as_of="2025-06-01 00:00") == (1, 1)  # equality: in
    assert counts([e], as_of="2025-06-01 00:00") == (0, 1)
    assert counts([episode(admitted="2025-06-02 00:00")]) == (0, 0)  # admitted after as_of


def test_the_autumn_night_is_elapsed_time():
    # Admitted 02:30 on the autumn night (first occurrence, 00:30 UTC). 24 h later is 01:30 local.
    e = episode(admitted="2025-10-26 02:30")
    ok = all_three(when=at("2025-10-27 01:30"))
    late = all_three(when=at("2025-10-27 02:30"))  # 23 h by the wall clock but 25 h elapsed
    assert counts([e], ok, as_of="2025-12-01 00:00") == (1, 1)
    assert counts([e], late, as_of="2025-12-01 00:00") == (0, 1)


def test_the_spring_night_is_elapsed_time():
    # Admitted 03:00 the day before the spring night; 24 h later is 04:00 local on 30 March.
    e = episode(admitted="2025-03-29 03:00")
    assert counts([e], all_three(when=at("2025-03-30 04:00"))) == (1, 1)
    assert counts([e], all_three(when=at("2025-03-30 04:00:01"))) == (0, 1)


def test_a_readmission_is_an_episode_of_its_own():
    first = episode("A", admitted="2025-02-01 10:00", discharged="2025-02-05 10:00")
    second = episode("B", admitted="2025-02-20 10:00")
    r = run([first, second], all_three("A", when=at("2025-02-01 11:00")))[(RISK70, "AVD1", "2025-02")]
    assert (r.numerator, r.denominator) == (1, 2)
    assert [f.episode for f in r.failures] == ["B"]


# --- the action measures ------------------------------------------------------------------------

def test_t0_is_the_earliest_risk_finding_a_no_before_it_is_ignored():
    found = [Assessment("E1", FALL, at(IN, hours=1), "Nej"), Assessment("E1", FALL, at(IN, hours=10), "Ja"),
             Assessment("E1", FALL, at(IN, hours=20), "Ja")]
    on_time = [Action("E1", FALL, at(IN, hours=34))]  # t0 + 24 h exactly
    assert counts([episode()], found, on_time, measure=FALLRISK) == (1, 1)
    late = [Action("E1", FALL, at(IN, hours=34, minutes=1))]
    r = run([episode()], found, late)[(FALLRISK, "AVD1", "2025-01")]
    assert (r.numerator, r.denominator, r.failures[0].misses) == (0, 1, (Miss(FALL, LATE),))


def test_an_action_before_t0_does_not_count():
    found = [Assessment("E1", FALL, at(IN, hours=10), True)]
    assert counts([episode()], found, [Action("E1", FALL, at(IN, hours=9))], measure=FALLRISK) == (0, 1)
    assert counts([episode()], found, [Action("E1", FALL, at(IN, hours=10))], measure=FALLRISK) == (1, 1)


def test_an_action_of_another_kind_does_not_count():
    found = [Assessment("E1", TRYCKSAR, at(IN, hours=1), True)]
    assert counts([episode()], found, [Action("E1", FALL, at(IN, hours=2))], measure=PRESSURE) == (0, 1)
    assert counts([episode()], found, [Action("E1", TRYCKSAR, at(IN, hours=2))], measure=PRESSURE) == (1, 1)


def test_no_risk_found_means_no_denominator():
    found = [Assessment("E1", UNDERNARING, at(IN, hours=1), False)]
    assert counts([episode()], found, measure=NUTRITION) == (0, 0)
    assert (NUTRITION, "AVD1", "2025-01") not in run([episode()], found)


def test_a_risk_found_before_admission_is_not_t0():
    found = [Assessment("E1", FALL, at(IN, hours=-2), True), Assessment("E1", FALL, at(IN, hours=5), True)]
    # t0 is +5 h, so an action at +1 h is before t0 and one at +29 h within.
    assert counts([episode()], found, [Action("E1", FALL, at(IN, hours=1))], measure=FALLRISK) == (0, 1)
    assert counts([episode()], found, [Action("E1", FALL, at(IN, hours=29))], measure=FALLRISK) == (1, 1)


def test_t0_plus_24_hours_must_lie_before_the_discharge():
    found = [Assessment("E1", FALL, at(IN, hours=30), True)]
    acted = [Action("E1", FALL, at(IN, hours=31))]
    assert counts([episode(discharged="2025-01-12 13:59")], found, acted, measure=FALLRISK) == (0, 0)
    assert counts([episode(discharged="2025-01-12 14:00")], found, acted, measure=FALLRISK) == (1, 1)  # equal: in
    # the episode stays in the base population of the assessment measure
    assert counts([episode(discharged="2025-01-12 13:59")], found, acted)[1] == 1


def test_t0_plus_24_hours_must_lie_before_as_of():
    e = episode(admitted="2025-05-30 08:00")
    found = [Assessment("E1", FALL, at("2025-05-31 01:00"), True)]
    assert counts([e], found, as_of="2025-06-01 00:59", measure=FALLRISK) == (0, 0)
    assert counts([e], found, as_of="2025-06-01 01:00", measure=FALLRISK) == (0, 1)


def test_a_risk_found_after_discharge_or_as_of_is_not_t0():
    e = episode(discharged="2025-01-20 08:00")
    found = [Assessment("E1", FALL, at("2025-01-20 09:00"), True)]
    assert counts([e], found, as_of="2025-12-01 00:00", measure=FALLRISK) == (0, 0)
    still = episode()
    later = [Assessment("E1", FALL, at("2025-05-31 12:00"), True), Assessment("E1", FALL, at("2025-06-01 12:00"), True)]
    assert counts([still], later, as_of="2025-06-01 11:00", measure=FALLRISK) == (0, 0)


def test_the_action_measures_need_the_base_population():
    found = [Assessment("E1", FALL, at(IN, hours=1), True)]
    acted = [Action("E1", FALL, at(IN, hours=2))]
    assert counts([episode(age=69)], found, acted, measure=FALLRISK) == (0, 0)
    assert counts([episode(age=70)], found, acted, measure=FALLRISK) == (1, 1)


# --- grouping and output --------------------------------------------------------------------------

def test_by_sex_always_has_both_keys():
    found = all_three("A", hours=1)
    r = run([episode("A", sex="M"), episode("B", sex="M")], found)[(RISK70, "AVD1", "2025-01")]
    assert r.by_sex == {"K": (0, 0), "M": (1, 2)}
    assert r.as_json()["by_sex"] == {"K": [0, 0], "M": [1, 2]}
    r = run([episode("A", sex="K"), episode("B", sex="M"), episode("C", sex="K")],
            found + all_three("C", hours=2))[(RISK70, "AVD1", "2025-01")]
    assert r.by_sex == {"K": (2, 2), "M": (0, 1)}


def test_month_of_admission_is_local():
    jan = episode("A", admitted="2025-01-31T23:30")  # 22:30 UTC
    feb = episode("B", admitted="2025-01-31T23:30:00Z")  # 00:30 on 1 February in Stockholm
    assert sorted(k for k in run([jan, feb]) if k[0] == RISK70) == [(RISK70, "AVD1", "2025-01"),
                                                                    (RISK70, "AVD1", "2025-02")]
    r = run([jan, feb])[(RISK70, "AVD1", "2025-01")]
    assert r.episodes == ("A",)


def test_the_order_is_measure_then_unit_then_period():
    eps = [episode("1", unit="B", admitted="2025-02-01 08:00"), episode("2", unit="A", admitted="2025-03-01 08:00"),
           episode("3", unit="A", admitted="2025-01-05 08:00"), episode("4", unit="B", admitted="2025-01-01 08:00")]
    found = [Assessment(e.id, FALL, e.admitted_at + timedelta(hours=1), True) for e in eps[:3]]
    keys = [(r.measure, r.unit, r.period) for r in evaluate(eps, found, [], parse(AS_OF))]
    assert keys == [(RISK70, "A", "2025-01"), (RISK70, "A", "2025-03"), (RISK70, "B", "2025-01"),
                    (RISK70, "B", "2025-02"), (FALLRISK, "A", "2025-01"), (FALLRISK, "A", "2025-03"),
                    (FALLRISK, "B", "2025-02")]


def test_only_rows_with_a_denominator():
    assert run([episode(age=50)]) == {}


def test_as_json_has_only_the_contract_fields():
    r = next(iter(run([episode()]).values()))
    assert set(r.as_json()) == {"measure", "unit", "period", "numerator", "denominator", "by_sex"}


def test_duplicate_assessments_count_once():
    assert counts([episode()], all_three(hours=1) * 2) == (1, 1)


# --- measures as data ---------------------------------------------------------------------------

def test_a_fifth_measure_is_data():
    age65 = Measure("riskbedomning-65-24h", ADMISSION, ASSESSMENT, KINDS, Population(min_age=65))
    fall48 = Measure("atgard-48h-fallrisk", RISK_FINDING, ACTION, (FALL,), window_hours=48)
    eps = [episode("A", age=66), episode("B", age=80)]
    found = all_three("A", hours=2) + [Assessment("B", FALL, at(IN, hours=1), True)]
    acted = [Action("B", FALL, at(IN, hours=40))]
    rows = run(eps, found, acted, measures=(age65, fall48))
    assert (rows[("riskbedomning-65-24h", "AVD1", "2025-01")].numerator,
            rows[("riskbedomning-65-24h", "AVD1", "2025-01")].denominator) == (1, 2)
    assert rows[("atgard-48h-fallrisk", "AVD1", "2025-01")].numerator == 1
    assert counts(eps, found, acted, measure=FALLRISK) == (0, 1)


@pytest.mark.parametrize("kwargs", [
    dict(anchor="discharge"), dict(evidence="note"), dict(kinds=()), dict(kinds=("fall", "hud")),
    dict(kinds=(FALL, FALL)), dict(anchor=RISK_FINDING, evidence=ACTION), dict(window_hours=0),
])
def test_a_malformed_measure_is_refused(kwargs):
    base = dict(code="x", anchor=ADMISSION, evidence=ASSESSMENT, kinds=KINDS)
    with pytest.raises(ValueError):
        Measure(**{**base, **kwargs})


def test_measure_codes_must_be_distinct():
    with pytest.raises(ValueError):
        evaluate([], [], [], parse(AS_OF), STANDARD_MEASURES[:1] * 2)


def test_the_standard_measures_in_contract_order():
    assert [m.code for m in STANDARD_MEASURES] == [RISK70, FALLRISK, PRESSURE, NUTRITION]


# --- records ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,code", [("fall", FALL), ("Fallrisk", FALL), ("FALLRISK", FALL), ("Trycksår", TRYCKSAR),
                                       ("trycksar", TRYCKSAR), ("UNDERNÄRING", UNDERNARING), (" undernaring ", UNDERNARING),
                                       ("hud", None), ("", None)])
def test_kind_codes_and_labels(text, code):
    assert kind_code(text) == code


def test_records_refuse_nonsense():
    with pytest.raises(ValueError):
        episode(discharged="2025-01-10 07:59")
    with pytest.raises(ValueError):
        episode(sex="X")
    with pytest.raises(ValueError):
        Assessment("E1", "hud", at(IN), True)
    with pytest.raises(ValueError):
        Assessment("E1", FALL, at(IN), "kanske")
    with pytest.raises(ValueError):
        evaluate([episode(), episode()], [], [], parse(AS_OF))


def test_naive_datetimes_in_records_are_local_time():
    e = Episode("E1", "AVD1", datetime(2025, 1, 10, 8, 0), None, 75, "K")
    assert e.admitted_at == parse(IN)
