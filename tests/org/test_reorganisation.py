"""Reorganisations over time: closing units, successors, current_path and the selectors."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lagesbild.core.actor import Actor
from lagesbild.org import selectors
from lagesbild.org.models import AuditEvent, Membership, OrgUnit, Succession
from lagesbild.org.services import import_units, refresh_current_paths, reorganise, update_unit

pytestmark = pytest.mark.django_db


def u(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def test_reorganise_closes_and_maps_onto_the_successor(kalmar_units, kalmar_admin):
    made = reorganise([u("08-SOM-KIR")], [u("08-SOM-MED")], date(2025, 1, 1), actor=Actor.cli(kalmar_admin), note="Sammanslagning")
    kir = u("08-SOM-KIR")
    assert kir.valid_to == date(2024, 12, 31)
    assert [(s.predecessor.code, s.successor.code, s.date, s.note) for s in made] == [
        ("08-SOM-KIR", "08-SOM-MED", date(2025, 1, 1), "Sammanslagning")
    ]
    assert kir.current_path == u("08-SOM-MED").path == "SE/08/08-SOM/08-SOM-MED/"
    assert kir.path == "SE/08/08-SOM/08-SOM-KIR/"  # as it was stays as it was
    # The still-open ward below the closed clinic keeps its own place.
    assert u("08-SOM-KIR-AKA").current_path == "SE/08/08-SOM/08-SOM-KIR/08-SOM-KIR-AKA/"
    assert AuditEvent.objects.filter(action="org.reorganise", user=kalmar_admin).count() == 1


def test_successors_are_followed_transitively(kalmar_units, kalmar_admin):
    reorganise([u("08-PRIM-HC-NYB")], [u("08-PRIM-HC-OSK")], date(2024, 1, 1), actor=Actor.cli(kalmar_admin))
    assert u("08-PRIM-HC-NYB").current_path == u("08-PRIM-HC-OSK").path
    reorganise([u("08-PRIM-HC-OSK")], [u("08-PSY-VUX-HDV")], date(2025, 1, 1), actor=Actor.cli(kalmar_admin))
    target = u("08-PSY-VUX-HDV").path
    assert u("08-PRIM-HC-NYB").current_path == target  # A→B→C: A lands in C
    assert u("08-PRIM-HC-OSK").current_path == target


def test_split_maps_onto_the_first_successor_and_records_both(kalmar_units, kalmar_admin):
    reorganise([u("08-PSY-VUX")], [u("08-SOM-MED"), u("08-PRIM")], date(2025, 1, 1), actor=Actor.cli(kalmar_admin))
    assert list(Succession.objects.filter(predecessor=u("08-PSY-VUX")).values_list("successor__code", flat=True)) == [
        "08-SOM-MED", "08-PRIM"
    ]
    assert u("08-PSY-VUX").current_path == u("08-SOM-MED").path


def test_closed_children_of_a_closed_unit_follow_it(kalmar_units, kalmar_admin):
    update_unit(u("08-PSY-VUX-HDV"), actor=Actor.cli(kalmar_admin), valid_to=date(2024, 12, 31))
    reorganise([u("08-PSY-VUX")], [u("08-SOM-MED")], date(2025, 1, 1), actor=Actor.cli(kalmar_admin))
    assert u("08-PSY-VUX-HDV").current_path == u("08-SOM-MED").path
    # Reopening the ward puts its history back in its own place.
    update_unit(u("08-PSY-VUX-HDV"), actor=Actor.cli(kalmar_admin), valid_to=None)
    assert u("08-PSY-VUX-HDV").current_path == u("08-PSY-VUX-HDV").path


def test_refresh_is_idempotent(kalmar_units, kalmar_admin):
    reorganise([u("08-SOM-KIR")], [u("08-SOM-MED")], date(2025, 1, 1), actor=Actor.cli(kalmar_admin))
    assert refresh_current_paths() == 0


@pytest.mark.parametrize(
    "closed,successors,on,words",
    [
        (["08-SOM-MED-11"], ["08-SOM-MED-12"], date(2025, 1, 1), "redan nedlagd"),
        (["08-SOM-KIR"], ["08-SOM-MED-11"], date(2025, 1, 1), "Efterträdaren 08-SOM-MED-11 är nedlagd"),
        (["08-SOM-KIR"], ["08-SOM-KIR"], date(2025, 1, 1), "både"),
        (["08-SOM-KIR"], ["08-SOM-MED"], date(2010, 1, 1), "startar 2015-01-01"),
        (["08-SOM-MED-12"], ["08-SOM-MED-11"], date(2025, 1, 1), "Efterträdaren"),
    ],
)
def test_invalid_reorganisations_change_nothing(closed, successors, on, words, kalmar_units, kalmar_admin):
    before = list(OrgUnit.objects.values_list("code", "valid_to", "current_path"))
    n = Succession.objects.count()
    with pytest.raises(ValidationError) as exc:
        reorganise([u(c) for c in closed], [u(c) for c in successors], on, actor=Actor.cli(kalmar_admin))
    assert any(words in m for m in exc.value.messages), exc.value.messages
    assert list(OrgUnit.objects.values_list("code", "valid_to", "current_path")) == before
    assert Succession.objects.count() == n


def test_a_succession_cycle_is_refused(kalmar_units, kalmar_admin):
    reorganise([u("08-PRIM-HC-NYB")], [u("08-PRIM-HC-OSK")], date(2024, 1, 1), actor=Actor.cli(kalmar_admin))
    # Reopen NYB by hand and try to make OSK's successor NYB: NYB → OSK → NYB.
    OrgUnit.objects.filter(code="08-PRIM-HC-NYB").update(valid_to=None)
    with pytest.raises(ValidationError, match="efterträder redan"):
        reorganise([u("08-PRIM-HC-OSK")], [u("08-PRIM-HC-NYB")], date(2025, 1, 1), actor=Actor.cli(kalmar_admin))


def test_only_administrators_of_the_units_may_reorganise(kalmar_units, skane_units, kalmar_admin, kalmar_user):
    with pytest.raises(PermissionDenied):
        reorganise([u("12-SUS-MED")], [u("08-SOM-MED")], date(2025, 1, 1), actor=Actor.cli(kalmar_admin))
    with pytest.raises(PermissionDenied):
        reorganise([u("08-SOM-KIR")], [u("08-SOM-MED")], date(2025, 1, 1), actor=Actor.cli(kalmar_user))  # a strategist
    assert u("08-SOM-KIR").valid_to is None and u("12-SUS-MED").valid_to is None


def test_csv_successors_are_transitive(kalmar_units, kalmar_admin):
    data = ("code;name;kind;parent_code;valid_from;valid_to;successor_code\n"
            "08-SOM-MED-12;Medicinavdelning Västervik;enhet;08-SOM-MED;2024-01-01;2025-06-30;08-SOM-MED-HJ\n").encode()
    result = import_units(data, "omorg.csv", actor=Actor.cli(kalmar_admin))
    assert result.successions == 1 and result.updated == ["08-SOM-MED-12"]
    hj = u("08-SOM-MED-HJ").path
    assert u("08-SOM-MED-11").current_path == hj and u("08-SOM-MED-12").current_path == hj
    assert Succession.objects.get(predecessor=u("08-SOM-MED-12")).date == date(2025, 7, 1)


def codes(qs):
    return sorted(qs.values_list("code", flat=True))


def test_subtree_as_it_was_and_as_of_today(kalmar_units, kalmar_admin):
    reorganise([u("08-SOM-KIR")], [u("08-PSY-VUX")], date(2025, 1, 1), actor=Actor.cli(kalmar_admin))
    som, psy = u("08-SOM"), u("08-PSY")
    # As it was: the closed clinic still counts under its old förvaltning.
    assert "08-SOM-KIR" in codes(OrgUnit.objects.filter(selectors.subtree_q(som, False, field="")))
    assert "08-SOM-KIR" not in codes(OrgUnit.objects.filter(selectors.subtree_q(psy, False, field="")))
    # Mapped onto today's structure: it counts under its successor's förvaltning.
    assert "08-SOM-KIR" not in codes(OrgUnit.objects.filter(selectors.subtree_q(som, True, field="")))
    assert codes(OrgUnit.objects.filter(selectors.subtree_q(psy, True, field=""))) == [
        "08-PSY", "08-PSY-VUX", "08-PSY-VUX-HDV", "08-SOM-KIR"
    ]
    # Through a foreign key (the default field name "org_unit"), as the roll-ups use it.
    for code in ("08-SOM-KIR", "08-SOM-MED"):
        Membership.objects.create(user=kalmar_admin, org_unit=u(code), role="reader")
    rows = Membership.objects.filter(user=kalmar_admin)
    assert codes_of(rows.filter(selectors.subtree_q(psy, True))) == ["08-SOM-KIR"]
    assert codes_of(rows.filter(selectors.subtree_q(som, False))) == ["08-SOM-KIR", "08-SOM-MED"]
    assert codes_of(rows.filter(selectors.subtree_q(som, True))) == ["08-SOM-MED"]
    assert [m.code for m in selectors.mapped_here(psy)] == ["08-SOM-KIR"]


def codes_of(memberships):
    return sorted(m.org_unit.code for m in memberships.select_related("org_unit"))


def test_active_units_and_children_on_a_date(kalmar_units):
    med = u("08-SOM-MED")
    assert [c.code for c in selectors.children(med)] == ["08-SOM-MED-11", "08-SOM-MED-HJ", "08-SOM-MED-12"]
    assert [c.code for c in selectors.children(med, date(2023, 6, 1))] == ["08-SOM-MED-11", "08-SOM-MED-HJ"]
    assert [c.code for c in selectors.children(med, date(2024, 6, 1))] == ["08-SOM-MED-HJ", "08-SOM-MED-12"]
    active = codes(selectors.active_units(date(2023, 12, 31)).filter(path__startswith=med.path))
    assert active == ["08-SOM-MED", "08-SOM-MED-11", "08-SOM-MED-HJ"]


def test_ancestors_in_one_query(kalmar_units, django_assert_num_queries):
    hj = u("08-SOM-MED-HJ")
    with django_assert_num_queries(1):
        chain = selectors.ancestors(hj)
    assert [a.code for a in chain] == ["SE", "08", "08-SOM", "08-SOM-MED"]
    assert selectors.ancestors(u("SE")) == []


def test_search_is_scoped_and_case_insensitive(kalmar_units, skane_units, kalmar_admin, skane_admin):
    assert [x.code for x in selectors.search(kalmar_admin, "medicinklin")] == ["08-SOM-MED"]
    assert [x.code for x in selectors.search(skane_admin, "medicinklin")] == ["12-SUS-MED"]
    assert [x.code for x in selectors.search(kalmar_admin, "västervik")] == ["08-SOM-MED-11", "08-SOM-MED-12"]
    assert [x.code for x in selectors.search(kalmar_admin, "08-prim-hc")] == ["08-PRIM-HC-NYB", "08-PRIM-HC-OSK"]
    assert list(selectors.search(kalmar_admin, "  ")) == []
