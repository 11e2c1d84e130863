"""Complaints per channel on a hand-counted case: the patientnämnd's counts, change, categories,
share forwarded, action taken among those forwarded, and the sex split."""

from datetime import date

import pytest

from lagesbild.calc import complaint_stats as cs
from lagesbild.calc.complaint_stats import Complaint


def _c(case, received, channel="patientnamnd", category="Bemötande", sex="K", forwarded=None, action=None):
    return Complaint(case, date.fromisoformat(received), "AVD1", channel, category, sex, forwarded, action)


def test_a_channels_year():
    complaints = [
        _c("P1", "2025-01-10", category="Resultat", sex="K", forwarded=True, action=True),
        _c("P2", "2025-02-10", category="Bemötande", sex="K", forwarded=True, action=False),
        _c("P3", "2025-03-10", category="Resultat", sex="M", forwarded=True, action=None),
        _c("P4", "2025-04-10", category="", sex="", forwarded=False),
        _c("P5", "2025-05-10", category="Bemötande", sex="M", forwarded=None),
        _c("P0", "2024-05-10"), _c("Q0", "2024-06-10"), _c("Q1", "2024-07-10"), _c("Q2", "2024-08-10"),
        _c("I1", "2025-01-01", channel="ivo", category="Diagnosticering"),
    ]
    got = cs.summary(complaints, 2025)
    assert [c["channel"] for c in got["channels"]] == ["patientnamnd", "ivo"]
    pn = got["channels"][0]
    assert (pn["label"], pn["count"], pn["previous_year"], pn["change_percent"]) == ("Patientnämnden", 5, 4, "25.00")
    assert pn["categories"] == [{"category": "Bemötande", "count": 2, "percent": "40.0"},
                                {"category": "Resultat", "count": 2, "percent": "40.0"},
                                {"category": "Ej angiven", "count": 1, "percent": "20.0"}]
    assert pn["forwarded"] == {"numerator": 3, "denominator": 5, "percent": "60.0"}
    assert pn["action_taken"] == {"numerator": 1, "denominator": 3, "percent": "33.3"}  # of those forwarded
    assert pn["sex"] == {"K": {"numerator": 2, "denominator": 5, "percent": "40.0"},
                         "M": {"numerator": 2, "denominator": 5, "percent": "40.0"},
                         "not_given": {"numerator": 1, "denominator": 5, "percent": "20.0"}}
    ivo = got["channels"][1]
    assert ivo["count"] == 1 and ivo["previous_year"] == 0 and ivo["change_percent"] is None


def test_the_report_s_patientnamnd_shares_round_half_up():
    # 1 006 complaints, +5 % on 958; 70 % forwarded (704), action in 40 % of those (282 of 704 = 40.06 %)
    complaints = ([_c(f"A{i}", "2025-03-01", forwarded=i < 704, action=i < 282) for i in range(1006)]
                  + [_c(f"B{i}", "2024-03-01") for i in range(958)])
    pn = cs.summary(complaints, 2025)["channels"][0]
    assert pn["change_percent"] == "5.01" and pn["forwarded"]["percent"] == "70.0"
    assert pn["action_taken"]["percent"] == "40.1"


def test_unknown_channel_and_sex_are_refused():
    with pytest.raises(ValueError):
        _c("X", "2025-01-01", channel="brev")
    with pytest.raises(ValueError):
        _c("X", "2025-01-01", sex="kvinna")
