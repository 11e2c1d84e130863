"""A year's incident statistics by the contract (DESIGN.md, "Incident statistics"), on hand-counted cases."""

import math
from datetime import date

from lagesbild.calc import incident_stats as st
from lagesbild.calc.incident_stats import Incident


def _i(case, reported, closed=None, type="Vårdprocess", cause="", lex=False):
    return Incident(case, date.fromisoformat(reported), "AVD1", type,
                    date.fromisoformat(closed) if closed else None, cause, lex)


def test_change_percent_is_half_up_to_two_decimals_as_text():
    assert st.change_percent(11_411, 11_450) == "-0.34"  # Kalmar 2025: −0,34 %
    assert st.change_percent(3, 2) == "50.00"
    assert st.change_percent(1, 3) == "-66.67"  # −66.666…
    assert st.change_percent(2, 0) is None
    assert st.percent(1, 8) == "12.5" and st.percent(1, 16) == "6.3"  # 6.25 half-up
    assert st.percent(0, 5) == "0.0" and st.percent(1, 0) is None


def test_median_and_nearest_rank_p90():
    assert st.median([5, 1, 3]) == 3 and st.median([1, 2, 3, 4]) == 2.5 and st.median([2, 4]) == 3
    assert st.median([]) is None
    assert st.p90(list(range(1, 11))) == 9  # 9 of 10 at or below 9
    assert st.p90(list(range(1, 12))) == 10  # ceil(9.9) = 10th
    assert st.p90([7]) == 7 and st.p90([]) is None
    assert st.p90([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100]) == 10


def test_a_year_by_registration_date():
    incidents = [
        _i("A1", "2025-01-02", "2025-01-20", type="Administrativa rutiner", cause="Kommunikation", lex=True),
        _i("A2", "2025-03-01", "2025-03-29", type="Administrativa rutiner", cause=""),  # exactly 28 days
        _i("A3", "2025-03-01", "2025-03-30", type="Diagnostik", cause="Kommunikation"),  # 29 days
        _i("A4", "2025-12-10", None, type="Behandling", cause="Procedurer"),  # registered < 28 days before as_of
        _i("A5", "2025-06-01", None, type="Diagnostik", cause=""),  # open
        _i("B1", "2024-12-31", "2025-01-05", type="Diagnostik"),  # registered the year before
        _i("B2", "2024-05-05", "2024-05-06"),
    ]
    got = st.summary(incidents, 2025, date(2026, 1, 5))
    assert got["year"] == 2025 and got["incidents"] == 5 and got["previous_year"] == 2
    assert got["change_percent"] == "150.00"
    assert got["types"] == [{"type": "Administrativa rutiner", "count": 2}, {"type": "Diagnostik", "count": 2},
                            {"type": "Behandling", "count": 1}]
    assert got["causes"] == [{"cause": "Ej angiven", "count": 2, "percent": "40.0"},
                             {"cause": "Kommunikation", "count": 2, "percent": "40.0"},
                             {"cause": "Procedurer", "count": 1, "percent": "20.0"}]
    # due: A1, A2, A3, A5 (A4 registered 2025-12-10, 26 days before as_of); in time: A1, A2
    assert got["closed_within_28_days"] == {"numerator": 2, "denominator": 4, "percent": "50.0"}
    assert got["lead_time_days"] == {"closed": 3, "median": 28, "p90": 29}
    assert got["lex_maria"] == 1


def test_the_28_day_bound_on_as_of_is_inclusive():
    one = [_i("A", "2025-03-01", "2025-03-10")]
    assert st.summary(one, 2025, date(2025, 3, 29))["closed_within_28_days"]["denominator"] == 1
    assert st.summary(one, 2025, date(2025, 3, 28))["closed_within_28_days"] == {
        "numerator": 0, "denominator": 0, "percent": None}


def test_median_and_p90_from_a_histogram_are_those_of_the_sorted_values():
    import random
    import statistics
    from collections import Counter

    rng = random.Random(11)
    for _ in range(300):
        values = [rng.randrange(0, 40) for _ in range(rng.randrange(1, 60))]
        ordered = sorted(values)
        assert float(st.median_of(Counter(values))) == statistics.median(values)
        assert st.p90_of(Counter(values)) == ordered[math.ceil(0.9 * len(values)) - 1]
    assert st.median_of(Counter()) is None and st.p90_of(Counter()) is None
